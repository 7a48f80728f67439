// The digits convnet twin: the example's default run (`pnpm digits`, the cnn preset) cut
// to one epoch of `steps` batches, i.e. `pnpm digits --epochs 1 --train-samples 32·steps`:
// the same split, weights, shuffled batches and random shifts, Adam with the one-cycle
// schedule over those steps. The step below is train.ts's step line for line.
import { Generator, manualSeed } from "../../packages/autograd/dist/index.js";
import { CrossEntropyLoss, data, optim } from "../../packages/nn/dist/index.js";
import { buildModel, defaults, loadDigits, shiftImages, stratifiedSplit, toTensors } from "../../examples/digits/dist/index.js";
import { flatTensor, stepSlice, twinFiles, writeAndReload } from "./files.mjs";

/** The options of the example run this twin is: the defaults, one epoch of `steps` batches. */
export function digitsOptions(steps) {
  return { ...defaults, epochs: 1, trainSamples: steps * defaults.batchSize };
}

/**
 * The batches the example trains on with these options, in order: images [steps, 32, 1,
 * 28, 28] after the random shifts, labels [steps, 32]. Replays train.ts: the stratified
 * split, the first trainSamples training digits, the seeded DataLoader, shiftImages with
 * the generator `${seed}-shifts`.
 */
function digitsBatches(o, digits) {
  const split = stratifiedSplit(digits.labels, { testSize: o.testSize, seed: o.seed });
  const trainSet = toTensors(digits, split.train.slice(0, o.trainSamples));
  const loader = new data.DataLoader(trainSet, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const shifts = new Generator(`${o.seed}-shifts`);
  const images = [];
  const labels = [];
  for (const [x, y] of loader) {
    images.push(shiftImages(x, o.shift, shifts).toFloat64Array());
    labels.push(y.toFloat64Array());
  }
  const steps = images.length;
  const joined = (parts) => {
    const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };
  return { x: flatTensor(joined(images), [steps, o.batchSize, 1, 28, 28]), y: flatTensor(joined(labels), [steps, o.batchSize]) };
}

/**
 * The tapegrad side of the digits twin: writes the files into `dir` and returns the twin
 * (see rounds.mjs for its shape). `digits` may be passed to skip loading them again.
 */
export function digitsCnnTwin({ steps, dir, digits = loadDigits() }) {
  const key = "digits-cnn";
  const o = digitsOptions(steps);
  const available = digits.count - o.testSize;
  if (!Number.isInteger(steps) || steps < 1 || o.trainSamples > available) {
    throw new Error(`digits twin: steps must be an integer from 1 to ${Math.floor(available / o.batchSize)} (one epoch of the ${available} training digits in batches of ${o.batchSize}), got ${steps}`);
  }
  const batches = digitsBatches(o, digits);
  manualSeed(o.seed);
  const model = buildModel(o.model);
  const files = twinFiles(dir, key);
  const { x, y } = writeAndReload(files, model, batches, { twin: key, seed: String(o.seed) });
  const lossFn = new CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: o.lr });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, o.lr, { totalSteps: steps });
  model.train();
  return {
    key,
    name: "digits cnn",
    description: `digits cnn preset, ${steps} steps of ${o.batchSize} (pnpm digits --epochs 1 --train-samples ${o.trainSamples}): Adam, one-cycle lr up to ${o.lr}`,
    steps,
    files,
    // What a peer needs besides the files: the network is the cnn preset's, fixed in the peers.
    config: { lr: o.lr, steps, batchSize: o.batchSize },
    prepare(step) {
      const images = stepSlice(x, step);
      const labels = stepSlice(y, step);
      return () => {
        optimizer.zeroGrad();
        const logits = model.forward(images);
        const loss = lossFn.forward(logits, labels);
        loss.backward();
        optimizer.step();
        scheduler.step();
        return loss.item();
      };
    },
  };
}
