import { Tensor, manualSeed, noGrad, toSvg, traceBackward, type TraceStep } from "@tapegrad/autograd";
import { BCELoss, Dense, Module, ReLU, Sequential, Sigmoid, Tanh, data, optim } from "@tapegrad/nn";
import { NDArray } from "@tapegrad/tensor";

/** What the page lets a learner choose. */
export interface PlaygroundConfig {
  dataset: "moons" | "circles";
  noise: number;
  hidden: number[];
  activation: "relu" | "tanh";
  optimizer: "sgd" | "adam" | "adamw";
  lr: number;
  batchSize: number;
  seed: number;
}

/** What the page shows after a burst of steps. */
export interface Snapshot {
  epoch: number;
  steps: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Probability of class 1 on a grid × grid lattice over `bounds`, row 0 at the top. */
  grid: Float64Array;
  gridSize: number;
  bounds: [number, number, number, number];
  points: { x: number; y: number; label: number; test: boolean }[];
}

/** Checks a config; returns the problems, empty when it is usable. */
export function validateConfig(c: PlaygroundConfig): string[] {
  const problems: string[] = [];
  if (!(c.noise >= 0 && c.noise <= 1)) problems.push("noise must lie in [0, 1]");
  if (c.hidden.length === 0 || c.hidden.some((h) => !Number.isInteger(h) || h <= 0 || h > 256)) problems.push("hidden layers must be sizes from 1 to 256, e.g. 16,16");
  if (!(c.lr > 0 && c.lr <= 10)) problems.push("learning rate must lie in (0, 10]");
  if (!Number.isInteger(c.batchSize) || c.batchSize <= 0) problems.push("batch size must be a positive integer");
  if (!Number.isInteger(c.seed)) problems.push("seed must be an integer");
  return problems;
}

/** One training run: data, model, optimizer and a minibatch cursor, stepped on demand. */
export class TrainingSession {
  readonly model: Sequential;
  private readonly optimizer: optim.Optimizer;
  private readonly lossFn = new BCELoss();
  private readonly train: data.Dataset;
  private readonly test: data.Dataset;
  private readonly loader: data.DataLoader;
  private batches: Iterator<Tensor[]>;
  epoch = 0;
  steps = 0;
  private lastLoss = Number.NaN;

  constructor(readonly config: PlaygroundConfig) {
    const problems = validateConfig(config);
    if (problems.length > 0) throw new Error(problems.join("; "));
    manualSeed(config.seed);
    const all =
      config.dataset === "circles"
        ? data.makeCircles({ nSamples: 400, noise: config.noise, factor: 0.5, seed: config.seed })
        : data.makeMoons({ nSamples: 400, noise: config.noise, seed: config.seed });
    const split = data.trainTestSplit(all, { testSize: 0.2, seed: config.seed });
    this.train = split.train;
    this.test = split.test;
    const sizes = [2, ...config.hidden, 1];
    const layers: Module[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      layers.push(new Dense(sizes[i]!, sizes[i + 1]!), i + 2 < sizes.length ? (config.activation === "tanh" ? new Tanh() : new ReLU()) : new Sigmoid());
    }
    this.model = new Sequential(...layers);
    const params = this.model.parameters();
    this.optimizer =
      config.optimizer === "sgd" ? new optim.SGD(params, { lr: config.lr }) : config.optimizer === "adamw" ? new optim.AdamW(params, { lr: config.lr }) : new optim.Adam(params, { lr: config.lr });
    this.loader = new data.DataLoader(this.train, { batchSize: config.batchSize, shuffle: true, seed: config.seed });
    this.batches = this.loader[Symbol.iterator]();
  }

  private nextBatch(): Tensor[] {
    let next = this.batches.next();
    if (next.done) {
      this.epoch++;
      this.batches = this.loader[Symbol.iterator]();
      next = this.batches.next();
    }
    return next.value as Tensor[];
  }

  /** Runs `count` optimizer steps; with `trace`, the last step's backward is traced. */
  step(count = 1, trace = false): TraceStep[] | null {
    let steps: TraceStep[] | null = null;
    for (let i = 0; i < count; i++) {
      const [x, y] = this.nextBatch();
      this.optimizer.zeroGrad();
      const loss = this.lossFn.forward(this.model.forward(x!), y!);
      if (trace && i === count - 1) steps = traceBackward(loss).steps;
      else loss.backward();
      this.optimizer.step();
      this.lastLoss = loss.item();
      this.steps++;
    }
    return steps;
  }

  /** The graph of one loss evaluation on a small batch, as SVG, with parameters named. */
  graphSvg(): string {
    const x = new Tensor(this.train.X.array.narrow(0, 0, 4));
    const y = new Tensor(this.train.y.array.narrow(0, 0, 4));
    const loss = this.lossFn.forward(this.model.forward(x), y);
    return toSvg(loss, { names: Object.fromEntries(this.model.namedParameters()) });
  }

  private accuracy(set: data.Dataset): number {
    return noGrad(() => this.model.forward(set.X).gt(0.5).eq(set.y).mean().item());
  }

  /** Loss, accuracies and the model's probabilities on a grid, for drawing. */
  snapshot(gridSize = 60): Snapshot {
    const bounds: [number, number, number, number] = this.config.dataset === "circles" ? [-1.6, 1.6, -1.6, 1.6] : [-1.6, 2.6, -1.2, 1.7];
    const [x0, x1, y0, y1] = bounds;
    const cells = new Float64Array(gridSize * gridSize * 2);
    for (let r = 0; r < gridSize; r++) {
      for (let c = 0; c < gridSize; c++) {
        cells[(r * gridSize + c) * 2] = x0 + ((c + 0.5) / gridSize) * (x1 - x0);
        cells[(r * gridSize + c) * 2 + 1] = y1 - ((r + 0.5) / gridSize) * (y1 - y0);
      }
    }
    const grid = noGrad(() => this.model.forward(new Tensor(new NDArray(cells, [gridSize * gridSize, 2]))).toFloat64Array());
    const points = (set: data.Dataset, test: boolean) => {
      const X = set.X.toFloat64Array();
      return Array.from(set.y.toFloat64Array(), (label, i) => ({ x: X[2 * i]!, y: X[2 * i + 1]!, label, test }));
    };
    return {
      epoch: this.epoch,
      steps: this.steps,
      loss: this.lastLoss,
      trainAccuracy: this.accuracy(this.train),
      testAccuracy: this.accuracy(this.test),
      grid,
      gridSize,
      bounds,
      points: [...points(this.train, false), ...points(this.test, true)],
    };
  }
}
