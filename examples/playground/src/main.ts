// The page: controls ↔ state ↔ URL, the worker that trains, and the animation loop that
// paces it (one request per animation frame, so "steps per frame" is exactly that).
import { BackpropView } from "./backprop.js";
import { DATASET_TITLES, FEATURE_FUNCTIONS, gridPoints, makeDataset, type Points } from "./datasets.js";
import { drawChart, drawHeatmap } from "./draw.js";
import { NetworkView } from "./network.js";
import type { FrameData, FromWorker, ToWorker } from "./protocol.js";
import type { TracedStep } from "./session.js";
import {
  CLASSIFICATION_SETS,
  FEATURES,
  LEARNING_RATES,
  MAX_LAYERS,
  REGRESSION_SETS,
  REGULARIZATION_RATES,
  SPEEDS,
  needsRestart,
  problemOf,
  stateFromHash,
  stateToHash,
  validateState,
  type DatasetName,
  type PlaygroundState,
  type Problem,
} from "./state.js";

const GRID = 50;
/** Time a frame may train for at "as fast as possible", leaving the rest of a 60 Hz frame for drawing. */
const BUDGET_MS = 25;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const post = (message: ToWorker) => worker.postMessage(message);

let state: PlaygroundState;
let run = 0;
let running = false;
let inFlight = false;

/** Whether a request to the worker awaits its answer; mirrored on <body> for the page tests. */
function setInFlight(on: boolean): void {
  inFlight = on;
  document.body.dataset.pending = on ? "1" : "0";
}
let frames = 0;
let ticking = false;
let lastFrame: FrameData | null = null;
let lastTrace: TracedStep | null = null;
let points: { train: Points; test: Points; problem: Problem } | null = null;
let previewTarget: { layer: number; unit: number; title: string } | null = null;
let rateSamples: { time: number; steps: number }[] = [];
/** The last data set chosen for each problem type, so switching back restores it. */
const lastDataset: Record<Problem, DatasetName> = { classification: "circle", regression: "plane" };

const network = new NetworkView($("network"), {
  toggleFeature(feature) {
    const on = state.features.includes(feature);
    if (on && state.features.length === 1) {
      showProblems(["keep at least one input feature"]);
      return;
    }
    const features = FEATURES.filter((f) => (f === feature ? !on : state.features.includes(f)));
    commit({ ...state, features });
  },
  setLayerSize(layer, size) {
    const hidden = [...state.hidden];
    hidden[layer] = size;
    commit({ ...state, hidden });
  },
  preview(target) {
    previewTarget = target;
    drawOutput();
  },
  setWeight(layer, unit, input, value) {
    post({ type: "setWeight", run, layer, unit, input, value });
  },
});
const backprop = new BackpropView($<HTMLTableElement>("trace"), $("vjp-detail"), $("graph"));

// ---- controls ----------------------------------------------------------------------

function fillSelect(id: string, values: number[], label: (v: number) => string): void {
  $<HTMLSelectElement>(id).replaceChildren(...values.map((v) => new Option(label(v), String(v))));
}
fillSelect("speed", SPEEDS, (v) => (v === 0 ? "as fast as possible" : `${v} step${v === 1 ? "" : "s"}/frame`));
fillSelect("lr", LEARNING_RATES, String);
fillSelect("regRate", REGULARIZATION_RATES, String);

/** Selects `value`, adding it as an option first when a link carries a value the menu lacks. */
function setSelect(id: string, value: string | number): void {
  const select = $<HTMLSelectElement>(id);
  if (![...select.options].some((o) => o.value === String(value))) select.add(new Option(String(value), String(value)));
  select.value = String(value);
}

/** One radio group per problem type, each button with a picture of its data. */
function buildDatasetButtons(): void {
  const fieldset = $("datasets");
  for (const [problem, names] of [["classification", CLASSIFICATION_SETS], ["regression", REGRESSION_SETS]] as const) {
    const group = document.createElement("div");
    group.className = "dataset-group";
    group.dataset.problem = problem;
    group.setAttribute("role", "radiogroup");
    group.setAttribute("aria-label", `${problem} data sets`);
    for (const name of names) {
      const label = document.createElement("label");
      label.className = "dataset";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = `dataset-${problem}`;
      input.value = name;
      input.id = `dataset-${name}`;
      input.addEventListener("change", () => input.checked && commit({ ...state, dataset: name }));
      const canvas = document.createElement("canvas");
      canvas.setAttribute("aria-hidden", "true");
      const caption = document.createElement("span");
      caption.textContent = DATASET_TITLES[name];
      label.append(input, canvas, caption);
      group.append(label);
    }
    fieldset.append(group);
  }
}

/** Thumbnails of the data sets: each drawn once, from 200 noiseless points. */
function drawDatasetThumbnails(): void {
  for (const name of [...CLASSIFICATION_SETS, ...REGRESSION_SETS]) {
    const canvas = document.querySelector<HTMLCanvasElement>(`#dataset-${name} + canvas`)!;
    drawHeatmapThumb(canvas, makeDataset(name, 0, 1, 200));
  }
}

function drawHeatmapThumb(canvas: HTMLCanvasElement, data: Points): void {
  const dpr = window.devicePixelRatio || 1;
  const size = canvas.clientWidth || 48;
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(size * dpr);
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = "#f4f5f6";
  ctx.fillRect(0, 0, size, size);
  for (let i = 0; i < data.label.length; i++) {
    const label = data.label[i]!;
    const value = label === 0 || label === 1 ? 2 * label - 1 : label;
    ctx.fillStyle = value >= 0 ? `rgba(8,119,189,${0.3 + 0.7 * value})` : `rgba(245,147,34,${0.3 - 0.7 * value})`;
    ctx.fillRect(((data.xy[2 * i]! + 6) / 12) * size - 1, ((6 - data.xy[2 * i + 1]!) / 12) * size - 1, 2.2, 2.2);
  }
}

/** Shows a state in every control. */
function showState(s: PlaygroundState): void {
  const problem = problemOf(s.dataset);
  lastDataset[problem] = s.dataset;
  $<HTMLSelectElement>("problem").value = problem;
  for (const group of document.querySelectorAll<HTMLElement>(".dataset-group")) group.hidden = group.dataset.problem !== problem;
  for (const input of document.querySelectorAll<HTMLInputElement>(".dataset input")) input.checked = input.value === lastDataset[problemOf(input.value as DatasetName)];
  $<HTMLInputElement>("ratio").value = String(s.ratio);
  $<HTMLInputElement>("noise").value = String(s.noise);
  $<HTMLInputElement>("batchSize").value = String(s.batchSize);
  $<HTMLInputElement>("seed").value = String(s.seed);
  setSelect("speed", s.speed);
  setSelect("lr", s.lr);
  setSelect("regRate", s.regRate);
  $<HTMLSelectElement>("activation").value = s.activation;
  $<HTMLSelectElement>("regularization").value = s.regularization;
  $<HTMLSelectElement>("optimizer").value = s.optimizer;
  $<HTMLInputElement>("showTest").checked = s.showTest;
  $<HTMLInputElement>("discretize").checked = s.discretize;
  showSliderValues();
  document.body.classList.toggle("regression", problem === "regression");
  $("legend-text").textContent =
    problem === "regression" ? "Orange: negative values; blue: positive values; points coloured by their target." : "Orange: class 0; blue: class 1. Points: training (white rim) and test (black rim).";
}

function showSliderValues(): void {
  $("ratio-value").textContent = $<HTMLInputElement>("ratio").value;
  $("noise-value").textContent = $<HTMLInputElement>("noise").value;
  $("batch-value").textContent = $<HTMLInputElement>("batchSize").value;
}

/** The state the controls show now (features and layers come from the diagram's state). */
function readControls(): PlaygroundState {
  const problem = $<HTMLSelectElement>("problem").value as Problem;
  const checked = document.querySelector<HTMLInputElement>(`.dataset-group[data-problem="${problem}"] input:checked`);
  const seedText = $<HTMLInputElement>("seed").value;
  return {
    ...state,
    dataset: (checked?.value as DatasetName | undefined) ?? lastDataset[problem],
    ratio: Number($<HTMLInputElement>("ratio").value),
    noise: Number($<HTMLInputElement>("noise").value),
    batchSize: Number($<HTMLInputElement>("batchSize").value),
    seed: seedText.trim() === "" ? Number.NaN : Number(seedText),
    speed: Number($<HTMLSelectElement>("speed").value),
    lr: Number($<HTMLSelectElement>("lr").value),
    regRate: Number($<HTMLSelectElement>("regRate").value),
    activation: $<HTMLSelectElement>("activation").value as PlaygroundState["activation"],
    regularization: $<HTMLSelectElement>("regularization").value as PlaygroundState["regularization"],
    optimizer: $<HTMLSelectElement>("optimizer").value as PlaygroundState["optimizer"],
    showTest: $<HTMLInputElement>("showTest").checked,
    discretize: $<HTMLInputElement>("discretize").checked,
  };
}

function showProblems(problems: string[]): void {
  $("error").textContent = problems.join("; ");
}

/**
 * Adopts a new state: a change of data, features, network or activation starts a new run
 * (paused, as the TensorFlow Playground does); learning rate, regularisation, batch size,
 * optimizer, speed and the display options apply to the running one. An invalid state is
 * refused with a message and nothing else changes.
 */
function commit(next: PlaygroundState): boolean {
  const problems = validateState(next);
  showProblems(problems);
  if (problems.length > 0) return false;
  const previous = state;
  state = next;
  history.replaceState(null, "", stateToHash(state));
  if (needsRestart(previous, next)) {
    configure();
  } else {
    const { lr, regularization, regRate, batchSize, optimizer } = next;
    post({ type: "live", run, settings: { lr, regularization, regRate, batchSize, optimizer } });
    drawOutput();
  }
  return true;
}

/** Starts a new run of the current state in the worker (paused). */
function configure(): void {
  setRunning(false);
  run++;
  setInFlight(true);
  lastFrame = null;
  lastTrace = null;
  points = null;
  previewTarget = null;
  rateSamples = [];
  $("speed-measured").textContent = "—";
  backprop.clear();
  showState(state);
  network.render(state.features, state.hidden);
  post({ type: "configure", run, state, gridSize: GRID });
}

function setRunning(on: boolean): void {
  running = on;
  const play = $<HTMLButtonElement>("play");
  play.textContent = on ? "❚❚ Pause" : "▶ Play";
  play.setAttribute("aria-pressed", String(on));
  document.body.classList.toggle("running", on);
  if (!on) {
    rateSamples = [];
    $("speed-measured").textContent = "—";
  }
}

// ---- the loop ------------------------------------------------------------------------

const panelOpen = () => $<HTMLDetailsElement>("backprop").open;

/** Every frame traces its last step (a few ms), so the backprop panel always has the latest step to show. */
function requestFrame(steps: number): void {
  setInFlight(true);
  post({ type: "frame", run, steps, budgetMs: BUDGET_MS, trace: true });
}

/** One request per animation frame while running, and only when the last one has been answered. */
function tick(): void {
  if (!running) {
    ticking = false;
    return;
  }
  if (!inFlight) {
    frames++;
    document.body.dataset.frames = String(frames);
    requestFrame(state.speed);
  }
  requestAnimationFrame(tick);
}

function start(): void {
  // Play checks the controls first: it never trains settings other than the ones shown.
  const problems = validateState(readControls());
  showProblems(problems);
  if (problems.length > 0) return;
  setRunning(true);
  // Pause then Play within one frame must not start a second loop.
  if (!ticking) {
    ticking = true;
    requestAnimationFrame(tick);
  }
}

function measureRate(steps: number): void {
  const now = performance.now();
  rateSamples.push({ time: now, steps });
  while (rateSamples.length > 2 && now - rateSamples[0]!.time > 1500) rateSamples.shift();
  const first = rateSamples[0]!;
  if (running && now - first.time > 300) {
    $("speed-measured").textContent = (((steps - first.steps) / (now - first.time)) * 1000).toFixed(0);
  }
}

function drawOutput(): void {
  const canvas = $<HTMLCanvasElement>("heatmap");
  const options = { train: points?.train ?? null, test: points?.test ?? null, showTest: state.showTest, discretize: state.discretize };
  const caption = $("heatmap-caption");
  if (previewTarget && previewTarget.layer === -1) {
    const feature = state.features[previewTarget.unit]!;
    const xy = gridPoints(GRID);
    const values = new Float64Array(GRID * GRID).map((_, i) => FEATURE_FUNCTIONS[feature].of(xy[2 * i]!, xy[2 * i + 1]!));
    const scale = Math.max(...values.map(Math.abs)) || 1;
    drawHeatmap(canvas, values.map((v) => v / scale), GRID, { ...options, discretize: false });
    caption.textContent = `Showing ${previewTarget.title} (scaled to ±1)`;
    return;
  }
  if (!lastFrame) return;
  const grid = lastFrame.grid;
  if (previewTarget && grid.layers[previewTarget.layer]?.[previewTarget.unit]) {
    drawHeatmap(canvas, grid.layers[previewTarget.layer]![previewTarget.unit]!, grid.size, { ...options, discretize: false });
    caption.textContent = `Showing the output of ${previewTarget.title}`;
  } else {
    drawHeatmap(canvas, grid.output, grid.size, options);
    caption.textContent = points?.problem === "regression" ? "Output of the network: its prediction" : "Output of the network: 2p − 1 for the probability p of class 1";
  }
}

function showFrame(frame: FrameData): void {
  lastFrame = frame;
  const e = frame.evaluation;
  $("steps").textContent = frame.steps.toLocaleString("en");
  $("steps").dataset.value = String(frame.steps);
  $("steps").dataset.ran = String(frame.ran);
  $("epoch").textContent = String(frame.epoch);
  $("train-loss").textContent = e.trainLoss.toFixed(3);
  $("test-loss").textContent = e.testLoss.toFixed(3);
  $("test-loss").dataset.value = String(e.testLoss);
  $("train-loss").dataset.value = String(e.trainLoss);
  $("train-accuracy").textContent = e.trainAccuracy === null ? "—" : `${(e.trainAccuracy * 100).toFixed(1)}%`;
  $("test-accuracy").textContent = e.testAccuracy === null ? "—" : `${(e.testAccuracy * 100).toFixed(1)}%`;
  $("test-accuracy").dataset.value = String(e.testAccuracy ?? "");
  $("history-interval").textContent = frame.history.interval === 1 ? "step" : `${frame.history.interval} steps`;
  if (!Number.isFinite(e.trainLoss)) {
    setRunning(false);
    showProblems(["the loss is no longer a number: training diverged. Lower the learning rate (or the regularisation rate) and press Reset"]);
  }
  drawChart($<HTMLCanvasElement>("chart"), frame.history);
  network.update(frame);
  drawOutput();
  if (frame.trace) lastTrace = frame.trace;
  if (frame.trace && panelOpen()) backprop.show(frame.trace);
  measureRate(frame.steps);
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.run !== run) return;
  if (message.type === "configured") {
    points = { train: message.train, test: message.test, problem: message.problem };
  } else if (message.type === "frame") {
    setInFlight(false);
    showFrame(message.frame);
  } else if (message.type === "error") {
    setInFlight(false);
    setRunning(false);
    showProblems([message.message]);
  }
};
worker.onerror = (event) => showProblems([`the training worker failed: ${event.message}`]);

// ---- wiring ----------------------------------------------------------------------------

buildDatasetButtons();
$("play").addEventListener("click", () => (running ? setRunning(false) : start()));
$("step").addEventListener("click", () => {
  setRunning(false);
  const problems = validateState(readControls());
  showProblems(problems);
  if (problems.length === 0 && !inFlight) requestFrame(1);
});
$("reset").addEventListener("click", () => {
  const problems = validateState(readControls());
  showProblems(problems);
  if (problems.length === 0) configure();
});
$("regenerate").addEventListener("click", () => commit({ ...readControls(), seed: (Number.isInteger(state.seed) ? state.seed : 0) + 1 }));
$("add-layer").addEventListener("click", () => state.hidden.length < MAX_LAYERS && commit({ ...state, hidden: [...state.hidden, 2] }));
$("remove-layer").addEventListener("click", () => state.hidden.length > 0 && commit({ ...state, hidden: state.hidden.slice(0, -1) }));
$("problem").addEventListener("change", () => {
  const problem = $<HTMLSelectElement>("problem").value as Problem;
  commit({ ...readControls(), dataset: lastDataset[problem] });
});
for (const id of ["ratio", "noise", "batchSize"]) $(id).addEventListener("input", showSliderValues);
for (const id of ["ratio", "noise", "batchSize", "seed", "speed", "lr", "regRate", "activation", "regularization", "optimizer", "showTest", "discretize"]) {
  $(id).addEventListener("change", () => commit(readControls()));
}
$("backprop").addEventListener("toggle", () => {
  if (panelOpen() && lastTrace) backprop.show(lastTrace);
});
$("fit-graph").addEventListener("change", () => $("graph").classList.toggle("fit", $<HTMLInputElement>("fit-graph").checked));
window.addEventListener("hashchange", () => {
  if (location.hash === stateToHash(state)) return;
  const parsed = stateFromHash(location.hash);
  state = parsed.state;
  configure();
  showProblems(parsed.problems);
});
window.addEventListener("resize", () => {
  drawOutput();
  if (lastFrame) drawChart($<HTMLCanvasElement>("chart"), lastFrame.history);
});

const initial = stateFromHash(location.hash);
state = initial.state;
history.replaceState(null, "", stateToHash(state));
configure();
showProblems(initial.problems);
drawDatasetThumbnails();
