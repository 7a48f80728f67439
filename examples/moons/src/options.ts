/** Everything a training run needs; the CLI fills it from a preset and flags. */
export interface TrainOptions {
  dataset: "moons" | "circles";
  samples: number;
  noise: number;
  /** Inner-circle radius for circles. */
  factor: number;
  /** Fraction of samples held out for testing. */
  testFraction: number;
  hidden: number[];
  activation: "relu" | "tanh";
  optimizer: "sgd" | "adam" | "adamw";
  lr: number;
  epochs: number;
  /** Rows per step; 0 means full batch (one step per epoch). */
  batchSize: number;
  seed: number;
  /** "torch": U(±1/√in) as PyTorch; "tutorial": N(0, 0.1²) as the numpy tutorials. */
  init: "torch" | "tutorial";
  /** Folder for the SVGs and the weights. */
  out: string;
}

/** The default: the tutorials' network, trained fast with Adam on minibatches. */
export const defaults: TrainOptions = {
  dataset: "moons",
  samples: 1000,
  noise: 0.2,
  factor: 0.5,
  testFraction: 0.1,
  hidden: [25, 50, 50, 25],
  activation: "relu",
  optimizer: "adam",
  lr: 0.01,
  epochs: 60,
  batchSize: 64,
  seed: 2,
  init: "torch",
  out: "out/moons",
};

/** Presets that reproduce the classic numpy tutorials exactly. */
export const presets: Record<string, { description: string; options: Partial<TrainOptions> }> = {
  default: { description: "2-25-50-50-25-1 ReLU, Adam lr 0.01, batches of 64 (fast)", options: {} },
  tutorial: {
    description: "the numpy tutorial: 2-25-50-50-25-1, full-batch gradient descent, lr 0.01, 10,000 epochs, N(0, 0.1²) init",
    options: { optimizer: "sgd", lr: 0.01, epochs: 10_000, batchSize: 0, init: "tutorial" },
  },
  small: {
    description: "2-16-1 tanh on moons, full-batch gradient descent, lr 1, 1000 epochs",
    options: { hidden: [16], activation: "tanh", optimizer: "sgd", lr: 1, epochs: 1000, batchSize: 0 },
  },
  circles: {
    description: "circles (noise 0.05) with 2-10-5-1 ReLU, full-batch gradient descent, lr 0.01, 25,000 iterations, N(0, 0.1²) init",
    options: {
      dataset: "circles",
      noise: 0.05,
      hidden: [10, 5],
      optimizer: "sgd",
      lr: 0.01,
      epochs: 25_000,
      batchSize: 0,
      init: "tutorial",
      out: "out/circles",
    },
  },
};

/**
 * Checks options and returns a list of problems (empty when all is well), so the CLI can
 * print them all at once.
 */
export function validate(o: TrainOptions): string[] {
  const problems: string[] = [];
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v <= 0) problems.push(`${name} must be a positive integer, got ${v}`);
  };
  if (!["moons", "circles"].includes(o.dataset)) problems.push(`unknown dataset ${JSON.stringify(o.dataset)} (use moons or circles)`);
  if (!["sgd", "adam", "adamw"].includes(o.optimizer)) problems.push(`unknown optimizer ${JSON.stringify(o.optimizer)} (use sgd, adam or adamw)`);
  if (!["relu", "tanh"].includes(o.activation)) problems.push(`unknown activation ${JSON.stringify(o.activation)} (use relu or tanh)`);
  if (!["torch", "tutorial"].includes(o.init)) problems.push(`unknown init ${JSON.stringify(o.init)} (use torch or tutorial)`);
  positiveInt("samples", o.samples);
  positiveInt("epochs", o.epochs);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 0) problems.push(`batch size must be a non-negative integer (0 = full batch), got ${o.batchSize}`);
  if (!(o.lr > 0) || !Number.isFinite(o.lr)) problems.push(`lr must be a positive number, got ${o.lr}`);
  if (!(o.noise >= 0) || !Number.isFinite(o.noise)) problems.push(`noise must be a number ≥ 0, got ${o.noise}`);
  if (!(o.factor > 0 && o.factor < 1)) problems.push(`factor must lie in (0, 1), got ${o.factor}`);
  if (!(o.testFraction > 0 && o.testFraction < 1)) problems.push(`test fraction must lie in (0, 1), got ${o.testFraction}`);
  if (!Number.isInteger(o.seed)) problems.push(`seed must be an integer, got ${o.seed}`);
  if (o.hidden.length === 0) problems.push("hidden must list at least one layer size");
  o.hidden.forEach((h, i) => {
    if (!Number.isInteger(h) || h <= 0) problems.push(`hidden layer ${i + 1} size must be a positive integer, got ${h}`);
  });
  if (o.samples < 4) problems.push(`samples must be at least 4 to split into train and test, got ${o.samples}`);
  return problems;
}
