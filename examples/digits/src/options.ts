/** The two networks: a multilayer perceptron and a LeNet-style convnet. */
export type Architecture = "mlp" | "cnn";

/** Everything a training run needs; the CLI fills it from a preset and flags. */
export interface TrainOptions {
  model: Architecture;
  /** Passes over the training set. */
  epochs: number;
  /** Digits per training step. */
  batchSize: number;
  /** Adam's learning rate: the peak of the one-cycle schedule, the start of the cosine one. */
  lr: number;
  /**
   * How the learning rate moves, stepped after every batch: "onecycle" (rises from lr/25 to lr
   * over the first 30% of the steps, then falls along a half cosine to almost 0, with Adam's
   * β₁ moving the other way between 0.95 and 0.85, as torch's OneCycleLR), "cosine" (falls from
   * lr to 0 along a half cosine) or "constant".
   */
  schedule: "onecycle" | "cosine" | "constant";
  /** Largest random translation of a training digit, in pixels (0: none). */
  shift: number;
  /** Digits held out for testing, stratified by class. */
  testSize: number;
  /** Train on the first N digits of the training split only (0: all of it); for quick runs and tests. */
  trainSamples: number;
  /** Seed of the split, the weights, the batches and the shifts. */
  seed: number;
  /** Folder for the SVGs and the weights. */
  out: string;
}

/** The defaults: the convnet. */
export const defaults: TrainOptions = {
  model: "cnn",
  epochs: 8,
  batchSize: 32,
  lr: 4e-3,
  schedule: "onecycle",
  shift: 1,
  testSize: 2000,
  trainSamples: 0,
  seed: 0,
  out: "out/digits/cnn",
};

/** Presets: each names a network and the training that reaches its target within a minute. */
export const presets: Record<string, { description: string; options: Partial<TrainOptions> }> = {
  cnn: {
    description: "LeNet-style: conv 1→8 5×5, max-pool, conv 8→16 5×5, max-pool, 256-120-84-10; 8 epochs, batches of 32, Adam, one-cycle lr up to 4e-3 (the default)",
    options: {},
  },
  mlp: {
    description: "784-128-10 ReLU; 20 epochs, batches of 32, Adam, one-cycle lr up to 4e-3",
    options: { model: "mlp", epochs: 20, out: "out/digits/mlp" },
  },
};

/** The preset used when none is named. */
export const defaultPreset = "cnn";

/**
 * Checks options and returns a list of problems (empty when all is well), so the CLI can
 * print them all at once.
 */
export function validate(o: TrainOptions): string[] {
  const problems: string[] = [];
  const integerAtLeast = (name: string, v: number, low: number, meaning: string) => {
    if (!Number.isInteger(v) || v < low) problems.push(`${name} must be ${meaning}, got ${v}`);
  };
  if (!["mlp", "cnn"].includes(o.model)) problems.push(`unknown model ${JSON.stringify(o.model)} (use mlp or cnn)`);
  if (!["onecycle", "cosine", "constant"].includes(o.schedule)) problems.push(`unknown schedule ${JSON.stringify(o.schedule)} (use onecycle, cosine or constant)`);
  integerAtLeast("epochs", o.epochs, 1, "a positive integer");
  integerAtLeast("batch size", o.batchSize, 1, "a positive integer");
  integerAtLeast("shift", o.shift, 0, "a whole number of pixels ≥ 0");
  integerAtLeast("train samples", o.trainSamples, 0, "a non-negative integer (0 = all)");
  integerAtLeast("test size", o.testSize, 1, "a positive integer");
  if (Number.isInteger(o.shift) && o.shift > 13) problems.push(`shift must be at most 13 pixels, got ${o.shift}`);
  if (Number.isInteger(o.testSize) && o.testSize >= 10_000) problems.push(`test size must leave digits to train on (at most 9999 of the 10,000), got ${o.testSize}`);
  if (!(o.lr > 0) || !Number.isFinite(o.lr)) problems.push(`lr must be a positive number, got ${o.lr}`);
  if (!Number.isInteger(o.seed)) problems.push(`seed must be an integer, got ${o.seed}`);
  return problems;
}
