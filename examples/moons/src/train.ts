import { Tensor, manualSeed, noGrad, randn } from "@tapegrad/autograd";
import { BCELoss, Dense, Module, ReLU, Sequential, Sigmoid, Tanh, data, optim } from "@tapegrad/nn";
import type { TrainOptions } from "./options.js";

/** Loss and accuracies after each epoch. */
export interface History {
  epoch: number[];
  loss: number[];
  trainAccuracy: number[];
  testAccuracy: number[];
}

/** What a finished run returns. */
export interface TrainResult {
  model: Sequential;
  history: History;
  train: data.Dataset;
  test: data.Dataset;
  trainAccuracy: number;
  testAccuracy: number;
  /** Time spent in training steps (forward, backward, update), in seconds; evaluation excluded. */
  seconds: number;
}

/** The network: Dense layers with the chosen activation between them and a sigmoid at the end. */
export function buildModel(o: Pick<TrainOptions, "hidden" | "activation" | "init">): Sequential {
  const sizes = [2, ...o.hidden, 1];
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const dense = new Dense(sizes[i]!, sizes[i + 1]!);
    if (o.init === "tutorial") {
      // The tutorials draw every weight and bias from N(0, 0.1²).
      noGrad(() => {
        dense.weight.copy_(randn([...dense.weight.shape]).mul(0.1));
        dense.bias!.copy_(randn([...dense.bias!.shape]).mul(0.1));
      });
    }
    layers.push(dense, i + 2 < sizes.length ? (o.activation === "tanh" ? new Tanh() : new ReLU()) : new Sigmoid());
  }
  return new Sequential(...layers);
}

/** Fraction of rows where the thresholded probability equals the label. */
export function accuracy(model: Module, set: data.Dataset): number {
  return noGrad(() => model.forward(set.X).gt(0.5).eq(set.y).mean().item());
}

function makeOptimizer(o: TrainOptions, params: Tensor[]): optim.Optimizer {
  if (o.optimizer === "adam") return new optim.Adam(params, { lr: o.lr });
  if (o.optimizer === "adamw") return new optim.AdamW(params, { lr: o.lr });
  return new optim.SGD(params, { lr: o.lr });
}

/**
 * Makes the data set, splits it, builds the network and trains it, calling `onEpoch`
 * after each epoch (for progress bars). Deterministic for a given seed.
 */
export function train(o: TrainOptions, onEpoch?: (epoch: number, history: History) => void): TrainResult {
  manualSeed(o.seed);
  const all =
    o.dataset === "circles"
      ? data.makeCircles({ nSamples: o.samples, noise: o.noise, factor: o.factor, seed: o.seed })
      : data.makeMoons({ nSamples: o.samples, noise: o.noise, seed: o.seed });
  const { train: trainSet, test: testSet } = data.trainTestSplit(all, { testSize: o.testFraction, seed: o.seed });
  const model = buildModel(o);
  const lossFn = new BCELoss();
  const optimizer = makeOptimizer(o, model.parameters());
  const loader = new data.DataLoader(trainSet, {
    batchSize: o.batchSize === 0 ? trainSet.X.shape[0]! : o.batchSize,
    shuffle: o.batchSize !== 0,
    seed: o.seed,
  });
  const history: History = { epoch: [], loss: [], trainAccuracy: [], testAccuracy: [] };
  let seconds = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let total = 0;
    let rows = 0;
    const start = performance.now();
    for (const [x, y] of loader) {
      optimizer.zeroGrad();
      const loss = lossFn.forward(model.forward(x!), y!);
      loss.backward();
      optimizer.step();
      total += loss.item() * x!.shape[0]!;
      rows += x!.shape[0]!;
    }
    seconds += (performance.now() - start) / 1000;
    // Accuracy curves cost a forward pass each; record them about 200 times per run.
    const record = epoch === o.epochs || epoch % Math.max(1, Math.floor(o.epochs / 200)) === 0 || epoch === 1;
    if (record) {
      history.epoch.push(epoch);
      history.loss.push(total / rows);
      history.trainAccuracy.push(accuracy(model, trainSet));
      history.testAccuracy.push(accuracy(model, testSet));
    }
    onEpoch?.(epoch, history);
  }
  return {
    model,
    history,
    train: trainSet,
    test: testSet,
    trainAccuracy: accuracy(model, trainSet),
    testAccuracy: accuracy(model, testSet),
    seconds,
  };
}
