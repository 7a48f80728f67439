import type { TraceStep } from "@tapegrad/autograd";
import { drawBoundary, drawCurves, renderTrace } from "./draw.js";
import { validateConfig, type PlaygroundConfig, type Snapshot } from "./session.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>("controls");
const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const history = { loss: [] as number[], train: [] as number[], test: [] as number[] };
let latestTrace: TraceStep[] | null = null;

function readConfig(): PlaygroundConfig {
  const f = new FormData(form);
  return {
    dataset: f.get("dataset") === "circles" ? "circles" : "moons",
    noise: Number(f.get("noise")),
    hidden: String(f.get("hidden")).split(",").map((s) => Number(s.trim())),
    activation: f.get("activation") === "tanh" ? "tanh" : "relu",
    optimizer: (f.get("optimizer") as PlaygroundConfig["optimizer"]) ?? "adam",
    lr: Number(f.get("lr")),
    batchSize: Number(f.get("batchSize")),
    seed: Number(f.get("seed")),
  };
}

function setRunning(running: boolean): void {
  $<HTMLButtonElement>("start").disabled = running;
  $<HTMLButtonElement>("pause").disabled = !running;
}

/** Starts a new session from the form; returns false (and shows why) when the form is invalid. */
function reset(): boolean {
  const config = readConfig();
  const problems = validateConfig(config);
  $("error").textContent = problems.join("; ");
  if (problems.length > 0) return false;
  history.loss.length = history.train.length = history.test.length = 0;
  setRunning(false);
  worker.postMessage({ type: "reset", config });
  return true;
}

function show(s: Snapshot): void {
  drawBoundary($<HTMLCanvasElement>("boundary"), s);
  if (Number.isFinite(s.loss)) {
    history.loss.push(s.loss);
    history.train.push(s.trainAccuracy);
    history.test.push(s.testAccuracy);
  }
  drawCurves($<HTMLCanvasElement>("curves"), history);
  $("epoch").textContent = String(s.epoch);
  $("loss").textContent = Number.isFinite(s.loss) ? s.loss.toFixed(4) : "—";
  $("train-accuracy").textContent = `${(s.trainAccuracy * 100).toFixed(1)}%`;
  $("test-accuracy").textContent = `${(s.testAccuracy * 100).toFixed(1)}%`;
  $("test-accuracy").dataset.value = String(s.testAccuracy);
}

worker.onmessage = (event) => {
  const message = event.data;
  if (message.type === "snapshot") {
    show(message.snapshot);
    if (message.stepsPerSecond) $("speed").textContent = message.stepsPerSecond.toFixed(0);
    if (message.trace) {
      latestTrace = message.trace;
      if ($<HTMLDetailsElement>("backprop").open) renderTrace($<HTMLTableElement>("trace").tBodies[0]!, latestTrace!);
    }
  } else if (message.type === "graph") {
    $("graph").innerHTML = message.svg;
  } else if (message.type === "error") {
    $("error").textContent = message.message;
    setRunning(false);
  }
};

$("start").addEventListener("click", () => {
  setRunning(true);
  worker.postMessage({ type: "start" });
});
$("pause").addEventListener("click", () => {
  setRunning(false);
  worker.postMessage({ type: "pause" });
});
$("step").addEventListener("click", () => {
  setRunning(false);
  worker.postMessage({ type: "step" });
});
$("reset").addEventListener("click", () => reset());
form.addEventListener("change", () => reset());
$("backprop").addEventListener("toggle", () => {
  if ($<HTMLDetailsElement>("backprop").open) {
    if (latestTrace) renderTrace($<HTMLTableElement>("trace").tBodies[0]!, latestTrace);
    worker.postMessage({ type: "graph" });
  }
});

reset();
