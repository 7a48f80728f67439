// One training run, as the worker drives it: data, features, network, optimizer, live
// hyperparameters, the loss history and the pictures' numbers. No DOM, no worker API: the
// unit tests train it in Node.
import { NDArray, Tensor, manualSeed, noGrad, runBackward, toSvg, type Node, type VjpStep } from "@tapegrad/autograd";
import { BCEWithLogitsLoss, Dense, MSELoss, Module, optim } from "@tapegrad/nn";
import { featureMatrix, gridPoints, makeDataset, splitPoints, type Points } from "./datasets.js";
import { Generator } from "@tapegrad/tensor";
import { problemOf, validateState, type Activation, type PlaygroundState, type Problem } from "./state.js";

/** A multilayer perceptron that can also hand back every layer's output, for the neuron thumbnails. */
export class Network extends Module {
  /** Hidden layers, then the output layer (one unit). */
  readonly layers: Dense[];

  constructor(
    inputs: number,
    hidden: readonly number[],
    readonly activation: Activation,
  ) {
    super();
    const sizes = [inputs, ...hidden, 1];
    this.layers = sizes.slice(1).map((size, i) => new Dense(sizes[i]!, size));
  }

  private activate(x: Tensor): Tensor {
    switch (this.activation) {
      case "relu":
        return x.relu();
      case "tanh":
        return x.tanh();
      case "sigmoid":
        return x.sigmoid();
      case "linear":
        return x;
    }
  }

  /** The output layer's value: a logit for classification, the prediction for regression. `[n, in] → [n, 1]`. */
  forward(x: Tensor): Tensor {
    return this.forwardAll(x).at(-1)!;
  }

  /** Every layer's output: hidden layers after their activation, the last one raw. */
  forwardAll(x: Tensor): Tensor[] {
    const outputs: Tensor[] = [];
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i < this.layers.length - 1) h = this.activate(h);
      outputs.push(h);
    });
    return outputs;
  }
}

/**
 * Full-batch train and test losses, evaluated every `interval` steps. When more than
 * `capacity` points are kept, every second one is dropped and the interval doubles, so the
 * chart covers the whole run with evenly spaced points in bounded memory.
 */
export class LossHistory {
  steps: number[] = [];
  train: number[] = [];
  test: number[] = [];
  interval = 1;

  constructor(readonly capacity = 200) {}

  /** Whether a point is due after `step` steps. */
  due(step: number): boolean {
    return step % this.interval === 0;
  }

  record(step: number, train: number, test: number): void {
    this.steps.push(step);
    this.train.push(train);
    this.test.push(test);
    if (this.steps.length > this.capacity) {
      const next = this.interval * 2;
      const keep = this.steps.map((s) => s % next === 0);
      this.steps = this.steps.filter((_, i) => keep[i]);
      this.train = this.train.filter((_, i) => keep[i]);
      this.test = this.test.filter((_, i) => keep[i]);
      this.interval = next;
    }
  }
}

/** Losses (without the regularisation term) and, for classification, accuracies. */
export interface Evaluation {
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number | null;
  testAccuracy: number | null;
}

/** A gradient as the page shows it: shape and row-major values. */
export interface GradientValues {
  shape: number[];
  values: Float64Array;
}

/** One VJP of a traced step, with the numbers: what `traceBackward` reports, plus g and the input gradients themselves. */
export interface VjpRecord {
  index: number;
  op: string;
  rule: string;
  /** Per input: a parameter's name (W1, b1…), "#k op" for the output of step k, or "data" for an input that needs no gradient. */
  inputs: { label: string; shape: number[]; step: number | null }[];
  outputShape: number[];
  g: GradientValues;
  gradInputs: (GradientValues | null)[];
  reducedDims: number[][];
}

/** The backward pass of one real training step, and the graph of that same step as toSvg draws it. */
export interface TracedStep {
  /** The step's number (1 for the first step of the run). */
  step: number;
  batchSize: number;
  svg: string;
  vjps: VjpRecord[];
}

/** The live settings; changing them does not restart the run. */
export type LiveSettings = Pick<PlaygroundState, "lr" | "regularization" | "regRate" | "batchSize" | "optimizer">;

const copy = (t: Tensor): GradientValues => ({ shape: [...t.shape], values: t.toFloat64Array() });

/** One training run, stepped on demand. */
export class TrainingSession {
  readonly problem: Problem;
  readonly network: Network;
  readonly train: Points;
  readonly test: Points;
  readonly history = new LossHistory();
  steps = 0;
  epoch = 0;
  private live: LiveSettings;
  private optimizer: optim.Optimizer;
  private readonly trainX: Float64Array;
  private readonly testX: Float64Array;
  private readonly featureCount: number;
  private readonly lossFn: BCEWithLogitsLoss | MSELoss;
  private readonly order: Generator;
  private permutation: number[] = [];
  private cursor = 0;
  private readonly gridCache = new Map<number, Tensor>();
  private svgCache: { structure: string; svg: string } | null = null;

  /** @throws Error listing the problems when the state is not usable. */
  constructor(readonly state: PlaygroundState) {
    const problems = validateState(state);
    if (problems.length > 0) throw new Error(problems.join("; "));
    this.problem = problemOf(state.dataset);
    const split = splitPoints(makeDataset(state.dataset, state.noise, state.seed), state.ratio, state.seed);
    this.train = split.train;
    this.test = split.test;
    this.featureCount = state.features.length;
    this.trainX = featureMatrix(this.train.xy, state.features);
    this.testX = featureMatrix(this.test.xy, state.features);
    // The seed fixes the initial weights too, so a shared link replays the same run.
    manualSeed(`init:${state.seed}`);
    this.network = new Network(this.featureCount, state.hidden, state.activation);
    this.lossFn = this.problem === "classification" ? new BCEWithLogitsLoss() : new MSELoss();
    this.order = new Generator(`batches:${state.seed}`);
    this.live = { lr: state.lr, regularization: state.regularization, regRate: state.regRate, batchSize: state.batchSize, optimizer: state.optimizer };
    this.optimizer = this.makeOptimizer();
    const first = this.evaluate();
    this.history.record(0, first.trainLoss, first.testLoss);
  }

  private makeOptimizer(): optim.Optimizer {
    const params = this.network.parameters();
    return this.live.optimizer === "adam" ? new optim.Adam(params, { lr: this.live.lr }) : new optim.SGD(params, { lr: this.live.lr });
  }

  /** Applies learning rate, regularisation, batch size and optimizer to the running session; a new optimizer starts with fresh state (Adam's moments). */
  setLive(live: LiveSettings): void {
    const optimizerChanged = live.optimizer !== this.live.optimizer;
    this.live = { ...live };
    if (optimizerChanged) this.optimizer = this.makeOptimizer();
    for (const group of this.optimizer.paramGroups) group.lr = live.lr;
  }

  /** The next minibatch's rows: a fresh permutation each epoch; a batch that runs past the end wraps into the next epoch, so every batch has the same size (and the graph the same shapes). */
  private nextRows(): number[] {
    const n = this.train.label.length;
    const rows: number[] = [];
    while (rows.length < Math.min(this.live.batchSize, n)) {
      if (this.cursor >= this.permutation.length) {
        if (this.permutation.length > 0) this.epoch++;
        this.permutation = this.order.permutation(n);
        this.cursor = 0;
      }
      rows.push(this.permutation[this.cursor++]!);
    }
    return rows;
  }

  private batch(rows: readonly number[]): { x: Tensor; y: Tensor } {
    const k = this.featureCount;
    const x = new Float64Array(rows.length * k);
    const y = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      x.set(this.trainX.subarray(r * k, r * k + k), i * k);
      y[i] = this.train.label[r]!;
    });
    return { x: new Tensor(new NDArray(x, [rows.length, k])), y: new Tensor(new NDArray(y, [rows.length, 1])) };
  }

  /** The loss that is minimised: the data loss plus rate·Σ|w| (L1) or rate·½Σw² (L2) over the weights, not the biases. */
  private objective(x: Tensor, y: Tensor): Tensor {
    let loss = this.lossFn.forward(this.network.forward(x), y);
    const { regularization, regRate } = this.live;
    if (regularization !== "none" && regRate > 0) {
      const terms = this.network.layers.map((layer) => (regularization === "l1" ? layer.weight.abs().sum() : layer.weight.pow(2).sum()));
      const penalty = terms.reduce((a, b) => a.add(b));
      loss = loss.add(penalty.mul(regularization === "l1" ? regRate : regRate / 2));
    }
    return loss;
  }

  /** Runs `count` optimizer steps, recording the losses whenever the history is due. */
  step(count = 1): void {
    for (let i = 0; i < count; i++) {
      const { x, y } = this.batch(this.nextRows());
      this.optimizer.zeroGrad();
      this.objective(x, y).backward();
      this.optimizer.step();
      this.afterStep();
    }
  }

  private afterStep(): void {
    this.steps++;
    if (this.history.due(this.steps)) {
      const e = this.losses();
      this.history.record(this.steps, e.trainLoss, e.testLoss);
    }
  }

  /** Names of the leaves in the graph pictures: X, Y and W1, b1, W2, … by layer. */
  parameterNames(): Map<Tensor, string> {
    const names = new Map<Tensor, string>();
    this.network.layers.forEach((layer, i) => {
      names.set(layer.weight, `W${i + 1}`);
      if (layer.bias) names.set(layer.bias, `b${i + 1}`);
    });
    return names;
  }

  /**
   * One optimizer step whose backward pass is recorded VJP by VJP with its numbers, and
   * whose graph is drawn by toSvg before backward frees it: the table and the picture
   * show the same batch.
   */
  tracedStep(): TracedStep {
    const { x, y } = this.batch(this.nextRows());
    this.optimizer.zeroGrad();
    const loss = this.objective(x, y);
    const names = this.parameterNames();
    names.set(x, "X");
    names.set(y, "Y");
    // The picture depends only on the graph's structure; laying it out every frame would
    // cost more than the step, so it is drawn again only when the structure changes.
    const { regularization, regRate } = this.live;
    const structure = `${x.shape}|${regularization !== "none" && regRate > 0 ? regularization : "none"}`;
    if (this.svgCache?.structure !== structure) this.svgCache = { structure, svg: toSvg(loss, { names }) };
    const svg = this.svgCache.svg;
    const seen: { step: VjpStep; record: VjpRecord }[] = [];
    // runBackward with an observer is what traceBackward does; here the observer also keeps
    // g and the input gradients, which the page draws as heat maps.
    runBackward([loss], [new Tensor(NDArray.ones(loss.shape))], {
      observer: (step) => {
        seen.push({
          step,
          record: {
            index: seen.length,
            op: step.node.name,
            rule: step.node.spec.rule,
            inputs: [],
            outputShape: [...step.node.outputShape],
            g: copy(step.gradOutput),
            gradInputs: step.gradInputs.map((g) => (g ? copy(g) : null)),
            reducedDims: step.reducedDims.map((d) => [...d]),
          },
        });
      },
    });
    const indexOf = new Map<Node, number>(seen.map(({ step }, i) => [step.node, i]));
    for (const { step, record } of seen) {
      record.inputs = step.node.edges.map((edge, i) => {
        const shape = [...step.node.inputShapes[i]!];
        if (edge?.node) return { label: `#${indexOf.get(edge.node)} ${edge.node.name}`, shape, step: indexOf.get(edge.node) ?? null };
        if (edge?.leaf) return { label: names.get(edge.leaf) ?? "leaf", shape, step: null };
        return { label: "data", shape, step: null };
      });
    }
    this.optimizer.step();
    this.afterStep();
    return { step: this.steps, batchSize: x.shape[0]!, svg, vjps: seen.map((s) => s.record) };
  }

  /** Full-batch data losses (no regularisation term), as the TensorFlow Playground reports them. */
  private losses(): { trainLoss: number; testLoss: number } {
    return noGrad(() => ({
      trainLoss: this.lossFn.forward(this.network.forward(this.features(this.trainX)), this.labels(this.train)).item(),
      testLoss: this.lossFn.forward(this.network.forward(this.features(this.testX)), this.labels(this.test)).item(),
    }));
  }

  private features(matrix: Float64Array): Tensor {
    return new Tensor(new NDArray(matrix, [matrix.length / this.featureCount, this.featureCount]));
  }

  private labels(points: Points): Tensor {
    return new Tensor(new NDArray(points.label, [points.label.length, 1]));
  }

  /** Losses and, for classification, the share of points on the right side of p = ½. */
  evaluate(): Evaluation {
    const { trainLoss, testLoss } = this.losses();
    if (this.problem === "regression") return { trainLoss, testLoss, trainAccuracy: null, testAccuracy: null };
    const accuracy = (matrix: Float64Array, points: Points) =>
      noGrad(() => {
        const logits = this.network.forward(this.features(matrix)).array.values();
        let right = 0;
        logits.forEach((z, i) => (right += (z > 0 ? 1 : 0) === points.label[i] ? 1 : 0));
        return right / logits.length;
      });
    return { trainLoss, testLoss, trainAccuracy: accuracy(this.trainX, this.train), testAccuracy: accuracy(this.testX, this.test) };
  }

  /**
   * Every unit's output on a size × size lattice over the square (row 0 at the top), for
   * the heat maps: `layers[l][j]` is hidden unit j of layer l; `output` is the prediction
   * on the Playground's −1…1 scale (2p − 1 for a class probability p).
   */
  grid(size: number): { layers: Float32Array[][]; output: Float32Array } {
    let x = this.gridCache.get(size);
    if (!x) {
      const xy = gridPoints(size);
      x = new Tensor(new NDArray(featureMatrix(xy, this.state.features), [size * size, this.featureCount]));
      this.gridCache.set(size, x);
    }
    const outputs = noGrad(() => this.network.forwardAll(x));
    const columns = (t: Tensor): Float32Array[] => {
      const [n, width] = t.shape as [number, number];
      const v = t.array.values();
      return Array.from({ length: width }, (_, j) => {
        const column = new Float32Array(n);
        for (let i = 0; i < n; i++) column[i] = v[i * width + j]!;
        return column;
      });
    };
    const raw = columns(outputs.at(-1)!)[0]!;
    const output = this.problem === "classification" ? raw.map((z) => 2 / (1 + Math.exp(-z)) - 1) : raw;
    return { layers: outputs.slice(0, -1).map(columns), output };
  }

  /** Every layer's weights ([out, in], row-major) and biases, for the links' widths and colours. */
  weights(): { weight: Float64Array; bias: Float64Array; shape: [number, number] }[] {
    return this.network.layers.map((layer) => ({
      weight: layer.weight.toFloat64Array(),
      bias: layer.bias!.toFloat64Array(),
      shape: [layer.outFeatures, layer.inFeatures],
    }));
  }

  /**
   * Sets one weight (`input` ≥ 0) or the bias (`input` = −1) of unit `unit` in layer
   * `layer` (0 is the first hidden layer), as the Playground's link editor does.
   * @throws Error when the position or the value is out of range.
   */
  setWeight(layer: number, unit: number, input: number, value: number): void {
    const dense = this.network.layers[layer];
    if (!dense || !Number.isInteger(unit) || unit < 0 || unit >= dense.outFeatures || !Number.isInteger(input) || input < -1 || input >= dense.inFeatures) {
      throw new Error(`setWeight: no weight at layer ${layer}, unit ${unit}, input ${input}`);
    }
    if (!Number.isFinite(value)) throw new Error(`setWeight: ${value} is not a finite number`);
    const target = input === -1 ? dense.bias! : dense.weight;
    const values = target.toFloat64Array();
    values[input === -1 ? unit : unit * dense.inFeatures + input] = value;
    noGrad(() => target.copy_(new Tensor(new NDArray(values, [...target.shape]))));
  }
}
