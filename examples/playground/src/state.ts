// Everything a learner can set, its defaults, its checks, and its form in the URL's hash,
// so that a setup can be shared as a link. No DOM here: the unit tests run it in Node.

/** Classification data sets (labels 0 and 1) and regression problems (targets in [−1, 1]). */
export const CLASSIFICATION_SETS = ["circle", "xor", "gauss", "spiral", "moons"] as const;
export const REGRESSION_SETS = ["plane", "multigauss"] as const;
export type DatasetName = (typeof CLASSIFICATION_SETS)[number] | (typeof REGRESSION_SETS)[number];
export type Problem = "classification" | "regression";

export const FEATURES = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"] as const;
export type FeatureName = (typeof FEATURES)[number];

export const ACTIVATIONS = ["relu", "tanh", "sigmoid", "linear"] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const REGULARIZATIONS = ["none", "l1", "l2"] as const;
export type Regularization = (typeof REGULARIZATIONS)[number];
export const OPTIMIZERS = ["sgd", "adam"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The choices offered in the menus (the TensorFlow Playground's, so its links translate). */
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
/** Optimizer steps per animation frame; 0 stands for "as fast as possible". */
export const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 0];
/** The TensorFlow Playground's limits on the network's size. */
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;

/** A whole setup: what the page shows in its controls and writes into the URL. */
export interface PlaygroundState {
  dataset: DatasetName;
  /** Percentage of the points used for training, 10 to 90; the rest is the test set. */
  ratio: number;
  /** Noise as a percentage, 0 to 50 (the TensorFlow Playground's scale). */
  noise: number;
  batchSize: number;
  /** Seeds the data, the split, the initial weights and the minibatch order. */
  seed: number;
  features: FeatureName[];
  /** Sizes of the hidden layers: 0 to 6 layers of 1 to 8 neurons. */
  hidden: number[];
  activation: Activation;
  lr: number;
  regularization: Regularization;
  regRate: number;
  optimizer: OptimizerName;
  /** Steps per frame, 0 for as fast as possible. */
  speed: number;
  showTest: boolean;
  discretize: boolean;
}

/** The TensorFlow Playground's first screen: circle, x₁ and x₂, two tanh layers of 4 and 2, SGD at 0.03. */
export const DEFAULT_STATE: Readonly<PlaygroundState> = Object.freeze({
  dataset: "circle",
  ratio: 50,
  noise: 0,
  batchSize: 10,
  seed: 1,
  features: ["x1", "x2"],
  hidden: [4, 2],
  activation: "tanh",
  lr: 0.03,
  regularization: "none",
  regRate: 0,
  optimizer: "sgd",
  speed: 5,
  showTest: false,
  discretize: false,
} satisfies PlaygroundState);

/** Settings the worker applies to the running session; any other change starts a new run. */
export const LIVE_KEYS = ["lr", "regularization", "regRate", "batchSize", "optimizer", "speed", "showTest", "discretize"] as const satisfies readonly (keyof PlaygroundState)[];

/** Classification or regression, as the data set decides. */
export function problemOf(dataset: DatasetName): Problem {
  return (REGRESSION_SETS as readonly string[]).includes(dataset) ? "regression" : "classification";
}

/** A fresh copy of the defaults (the arrays are not shared). */
export function defaultState(): PlaygroundState {
  return { ...DEFAULT_STATE, features: [...DEFAULT_STATE.features], hidden: [...DEFAULT_STATE.hidden] };
}

/** The problems of a state, one sentence each; empty when it can be trained. */
export function validateState(s: PlaygroundState): string[] {
  const problems: string[] = [];
  if (![...CLASSIFICATION_SETS, ...REGRESSION_SETS].includes(s.dataset)) problems.push(`unknown data set ${JSON.stringify(s.dataset)}`);
  if (!(Number.isInteger(s.ratio) && s.ratio >= 10 && s.ratio <= 90)) problems.push("the training ratio must be a whole percentage from 10 to 90");
  if (!(Number.isFinite(s.noise) && s.noise >= 0 && s.noise <= 50)) problems.push("noise must lie in 0 to 50");
  if (!(Number.isInteger(s.batchSize) && s.batchSize >= 1 && s.batchSize <= 30)) problems.push("the batch size must be a whole number from 1 to 30");
  if (!(Number.isInteger(s.seed) && s.seed >= 0 && s.seed < 2 ** 31)) problems.push("the seed must be a whole number ≥ 0");
  if (s.features.length === 0) problems.push("choose at least one input feature");
  if (s.features.some((f) => !FEATURES.includes(f))) problems.push("unknown input feature");
  if (s.hidden.length > MAX_LAYERS || s.hidden.some((h) => !Number.isInteger(h) || h < 1 || h > MAX_NEURONS)) {
    problems.push(`hidden layers: at most ${MAX_LAYERS}, each of 1 to ${MAX_NEURONS} neurons`);
  }
  if (!ACTIVATIONS.includes(s.activation)) problems.push(`unknown activation ${JSON.stringify(s.activation)}`);
  if (!(Number.isFinite(s.lr) && s.lr > 0 && s.lr <= 10)) problems.push("the learning rate must lie in (0, 10]");
  if (!REGULARIZATIONS.includes(s.regularization)) problems.push(`unknown regularisation ${JSON.stringify(s.regularization)}`);
  if (!(Number.isFinite(s.regRate) && s.regRate >= 0 && s.regRate <= 10)) problems.push("the regularisation rate must lie in [0, 10]");
  if (!OPTIMIZERS.includes(s.optimizer)) problems.push(`unknown optimizer ${JSON.stringify(s.optimizer)}`);
  if (!(Number.isInteger(s.speed) && s.speed >= 0 && s.speed <= 1000)) problems.push("speed must be a whole number of steps per frame (0: as fast as possible)");
  return problems;
}

/** The state as a URL hash (`#dataset=circle&…`), every key written, in a fixed order. */
export function stateToHash(s: PlaygroundState): string {
  const params = new URLSearchParams();
  params.set("dataset", s.dataset);
  params.set("ratio", String(s.ratio));
  params.set("noise", String(s.noise));
  params.set("batch", String(s.batchSize));
  params.set("seed", String(s.seed));
  params.set("features", s.features.join(","));
  params.set("hidden", s.hidden.join(","));
  params.set("activation", s.activation);
  params.set("lr", String(s.lr));
  params.set("reg", s.regularization);
  params.set("regRate", String(s.regRate));
  params.set("optimizer", s.optimizer);
  params.set("speed", String(s.speed));
  params.set("showTest", s.showTest ? "1" : "0");
  params.set("discretize", s.discretize ? "1" : "0");
  // Commas read better in a shared link than %2C.
  return "#" + params.toString().replace(/%2C/g, ",");
}

/**
 * Reads a hash written by stateToHash (keys may be missing or in any order). A key whose
 * value is unusable keeps its default and is reported, so a mistyped link still opens.
 */
export function stateFromHash(hash: string): { state: PlaygroundState; problems: string[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = defaultState();
  const problems: string[] = [];
  const number = (value: string) => (value.trim() === "" ? Number.NaN : Number(value));
  const list = (value: string) => (value.trim() === "" ? [] : value.split(",").map((v) => v.trim()));
  const readers: Record<string, (value: string, s: PlaygroundState) => void> = {
    dataset: (v, s) => (s.dataset = v as DatasetName),
    ratio: (v, s) => (s.ratio = number(v)),
    noise: (v, s) => (s.noise = number(v)),
    batch: (v, s) => (s.batchSize = number(v)),
    seed: (v, s) => (s.seed = number(v)),
    features: (v, s) => (s.features = list(v) as FeatureName[]),
    hidden: (v, s) => (s.hidden = list(v).map(number)),
    activation: (v, s) => (s.activation = v as Activation),
    lr: (v, s) => (s.lr = number(v)),
    reg: (v, s) => (s.regularization = v as Regularization),
    regRate: (v, s) => (s.regRate = number(v)),
    optimizer: (v, s) => (s.optimizer = v as OptimizerName),
    speed: (v, s) => (s.speed = number(v)),
    showTest: (v, s) => (s.showTest = v === "1" || v === "true"),
    discretize: (v, s) => (s.discretize = v === "1" || v === "true"),
  };
  for (const [key, value] of params) {
    const read = readers[key];
    if (!read) {
      problems.push(`unknown setting ${JSON.stringify(key)} in the link`);
      continue;
    }
    // Try the value on a copy: keep it only when the state stays valid.
    const trial = { ...state, features: [...state.features], hidden: [...state.hidden] };
    read(value, trial);
    const trialProblems = validateState(trial);
    if (trialProblems.length === 0) Object.assign(state, trial);
    else problems.push(`${key}=${value} ignored: ${trialProblems.join("; ")}`);
  }
  return { state, problems };
}

/** Whether moving from `a` to `b` needs a new run (new data, features, network or initial weights). */
export function needsRestart(a: PlaygroundState, b: PlaygroundState): boolean {
  const live = new Set<string>(LIVE_KEYS);
  return (Object.keys(a) as (keyof PlaygroundState)[]).some((k) => !live.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}
