import { Tensor, manualSeed, noGrad } from "@tapegrad/autograd";
import { Conv2d, CrossEntropyLoss, Dense, Flatten, MaxPool2d, Module, ReLU, Sequential, data, optim } from "@tapegrad/nn";
import { Generator } from "@tapegrad/tensor";
import { CLASSES, loadDigits, shiftImages, stratifiedSplit, toTensors, type DigitSet, type Digits } from "./data.js";
import type { Architecture, TrainOptions } from "./options.js";

/**
 * The network, taking digits [n, 1, 28, 28] to logits [n, 10]:
 * - `mlp`: flatten, 784-128 ReLU, 128-10;
 * - `cnn` (LeNet-style): conv 1→8 5×5 ReLU, 2×2 max-pool ([8, 12, 12]), conv 8→16 5×5 ReLU,
 *   2×2 max-pool ([16, 4, 4]), flatten (256), 256-120 ReLU, 120-84 ReLU, 84-10.
 *
 * Weights start as PyTorch's defaults do, from the default generator (seed it with manualSeed).
 */
export function buildModel(architecture: Architecture): Sequential {
  if (architecture === "mlp") return new Sequential(new Flatten(), new Dense(784, 128), new ReLU(), new Dense(128, CLASSES));
  return new Sequential(
    new Conv2d(1, 8, 5),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 16, 5),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Dense(256, 120),
    new ReLU(),
    new Dense(120, 84),
    new ReLU(),
    new Dense(84, CLASSES),
  );
}

/** What the model says about a set of digits. */
export interface Evaluation {
  /** Mean cross-entropy. */
  loss: number;
  accuracy: number;
  /** The predicted class of each digit. */
  predicted: Uint8Array;
  /** The probability the model gives its predicted class, per digit. */
  confidence: Float64Array;
}

/**
 * Runs the model in eval mode without a tape over `set`, in chunks of `chunk` digits (the
 * convnet's unfolded input takes 25 values per output pixel, so a whole set at once would
 * take hundreds of megabytes), and restores the mode it found.
 */
export function evaluate(model: Module, set: DigitSet, chunk = 250): Evaluation {
  const n = set.X.shape[0]!;
  const wasTraining = model.training;
  model.eval();
  const predicted = new Uint8Array(n);
  const confidence = new Float64Array(n);
  const labels = set.y.toFloat64Array();
  let lossSum = 0;
  let correct = 0;
  noGrad(() => {
    for (let start = 0; start < n; start += chunk) {
      const length = Math.min(chunk, n - start);
      const logits = model.forward(set.X.narrow(0, start, length)) as Tensor;
      const logProbabilities = logits.logSoftmax(1).toFloat64Array();
      for (let i = 0; i < length; i++) {
        const row = logProbabilities.subarray(i * CLASSES, (i + 1) * CLASSES);
        let best = 0;
        for (let c = 1; c < CLASSES; c++) if (row[c]! > row[best]!) best = c;
        predicted[start + i] = best;
        confidence[start + i] = Math.exp(row[best]!);
        lossSum -= row[labels[start + i]!]!;
        if (best === labels[start + i]) correct++;
      }
    }
  });
  model.train(wasTraining);
  return { loss: lossSum / n, accuracy: correct / n, predicted, confidence };
}

/** Loss and accuracies, per step and per epoch. */
export interface History {
  /** Training loss of every step, in order. */
  stepLoss: number[];
  stepsPerEpoch: number;
  /** Per epoch: the epoch number (1, 2, …). */
  epoch: number[];
  /** Per epoch: mean training loss over its steps. */
  trainLoss: number[];
  /** Per epoch: accuracy on the (shifted) training batches as they were trained on. */
  trainAccuracy: number[];
  testLoss: number[];
  testAccuracy: number[];
  /** Per epoch: seconds of training steps (evaluation excluded). */
  seconds: number[];
}

/** What a finished run returns. */
export interface TrainResult {
  model: Sequential;
  history: History;
  train: DigitSet;
  test: DigitSet;
  /** The final model on the test set. */
  evaluation: Evaluation;
  /** Time spent in training steps (forward, backward, update), in seconds; evaluation excluded. */
  seconds: number;
}

/** Calls a run makes while it trains, for progress display. */
export interface TrainCallbacks {
  /** After each step, with the epoch (from 1), the step within it (from 1), the steps per epoch and the step's loss. */
  onStep?: (epoch: number, step: number, stepsPerEpoch: number, loss: number) => void;
  /** After each epoch's evaluation. */
  onEpoch?: (epoch: number, history: History) => void;
}

/**
 * Loads the digits (or uses `digits`), splits them, builds the network and trains it with
 * Adam on shuffled minibatches of randomly shifted digits, evaluating on the test set after
 * every epoch. Deterministic for a given seed.
 */
export function train(o: TrainOptions, callbacks: TrainCallbacks = {}, digits: Digits = loadDigits()): TrainResult {
  const split = stratifiedSplit(digits.labels, { testSize: o.testSize, seed: o.seed });
  const trainSet = toTensors(digits, o.trainSamples > 0 ? split.train.slice(0, o.trainSamples) : split.train);
  const testSet = toTensors(digits, split.test);
  manualSeed(o.seed);
  const model = buildModel(o.model);
  const lossFn = new CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: o.lr });
  const loader = new data.DataLoader(trainSet, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  // Stepped after every batch, so the rate falls smoothly over the whole run.
  const steps = o.epochs * loader.length;
  const scheduler =
    o.schedule === "onecycle"
      ? new optim.lrScheduler.OneCycleLR(optimizer, o.lr, { totalSteps: steps })
      : o.schedule === "cosine"
        ? new optim.lrScheduler.CosineAnnealingLR(optimizer, steps)
        : null;
  const shifts = new Generator(`${o.seed}-shifts`);
  const history: History = { stepLoss: [], stepsPerEpoch: loader.length, epoch: [], trainLoss: [], trainAccuracy: [], testLoss: [], testAccuracy: [], seconds: [] };
  model.train();
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let step = 0;
    const start = performance.now();
    for (const [images, labels] of loader) {
      const x = shiftImages(images!, o.shift, shifts);
      optimizer.zeroGrad();
      const logits = model.forward(x) as Tensor;
      const loss = lossFn.forward(logits, labels!);
      loss.backward();
      optimizer.step();
      scheduler?.step();
      const value = loss.item();
      const rows = x.shape[0]!;
      lossSum += value * rows;
      seen += rows;
      correct += noGrad(() => logits.argmax(1).eq(labels!).sum().item());
      history.stepLoss.push(value);
      callbacks.onStep?.(epoch, ++step, loader.length, value);
    }
    const seconds = (performance.now() - start) / 1000;
    const evaluation = evaluate(model, testSet);
    history.epoch.push(epoch);
    history.trainLoss.push(lossSum / seen);
    history.trainAccuracy.push(correct / seen);
    history.testLoss.push(evaluation.loss);
    history.testAccuracy.push(evaluation.accuracy);
    history.seconds.push(seconds);
    callbacks.onEpoch?.(epoch, history);
  }
  return {
    model,
    history,
    train: trainSet,
    test: testSet,
    evaluation: evaluate(model, testSet),
    seconds: history.seconds.reduce((s, v) => s + v, 0),
  };
}
