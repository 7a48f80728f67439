import { Tensor, manualSeed, noGrad, toSvg, traceBackward } from "@tapegrad/autograd";
import { Conv2d, CrossEntropyLoss, Dense, Flatten, MaxPool2d, ReLU, type Module } from "@tapegrad/nn";
import { loadDigits, stratifiedSplit, toTensors } from "../../digits/src/data.js";
import { buildModel } from "../../digits/src/train.js";
import { checkRow, crossEntropyLogitsGradient, type FormulaCheck, type ModelExplanation } from "./checks.js";
import { conv2dBackwardByHand, maxPool2dBackwardByHand } from "./conv-by-hand.js";
import { checkSamples } from "./models.js";

/** What to explain of the digits convnet. */
export interface DigitsExplainOptions {
  /** Digits in the batch (default 4), drawn class by class as the digits example's test split is. */
  samples?: number;
  /** Seed of the choice of digits and of the weights (default 0). */
  seed?: number;
  /** Record gradient values in the trace, as traceBackward's `values` (default false). */
  values?: boolean | number;
}

/** A layer in a few words, for the one-line summary: `conv 1→8 5×5`, `max-pool 2`, `dense 256→120`. */
function describeLayer(layer: Module): string {
  if (layer instanceof Conv2d) return `conv ${layer.inChannels}→${layer.outChannels} ${layer.kernelSize.join("×")}`;
  if (layer instanceof MaxPool2d) return `max-pool ${String(layer.kernelSize)}`;
  if (layer instanceof Dense) return `dense ${layer.inFeatures}→${layer.outFeatures}`;
  return layer.constructor.name.toLowerCase();
}

/**
 * What keeps a layer out of the hand-written backward, which covers the layers as the cnn
 * preset builds them, or null: anything else would be compared against formulas that do
 * not apply, so it is refused instead.
 */
function unsupported(layer: Module): string | null {
  if (layer instanceof Conv2d) {
    const plain = layer.stride.every((s) => s === 1) && Array.isArray(layer.padding) && layer.padding.every((p) => p === 0) && layer.dilation.every((d) => d === 1) && layer.groups === 1;
    return plain ? null : "a convolution other than stride 1, no padding, no dilation, one group";
  }
  if (layer instanceof MaxPool2d) {
    const sideBySide = typeof layer.kernelSize === "number" && layer.stride === layer.kernelSize && layer.padding === 0 && layer.dilation === 1 && !layer.ceilMode;
    return sideBySide ? null : "pooling other than square windows side by side";
  }
  return layer instanceof Dense || layer instanceof ReLU || layer instanceof Flatten ? null : `a ${layer.constructor.name} layer`;
}

/**
 * One backward pass of the digits example's convnet (`buildModel("cnn")`, weights from
 * `seed`) on `samples` real MNIST digits with the mean cross-entropy: the trace (parameters
 * by their names in the model, the images as `X`, the logits as `logits`), the graph as
 * SVG, and the same pass again from hand-written formulas, a layer at a time from the
 * logits down: `dZ = (softmax(Z) − onehot(y)) / n` at the logits, the tutorials' dense-layer
 * formulas, ReLU masks, each pooling window's gradient sent to its maximum, and the
 * convolutions' sums over positions as plain loops; each parameter's gradient compared
 * with the graph's.
 * @throws Error when samples is outside `models.digits`' bounds (1 to 32).
 */
export function explainDigits(options: DigitsExplainOptions = {}): ModelExplanation {
  const { samples = 4, seed = 0, values = false } = options;
  checkSamples("digits", samples);
  const digits = loadDigits();
  const { X, y } = toTensors(digits, stratifiedSplit(digits.labels, { testSize: samples, seed }).test);
  manualSeed(seed);
  const model = buildModel("cnn");
  const layers = model.children();
  layers.forEach((layer, i) => {
    const problem = unsupported(layer);
    if (problem) throw new Error(`explainDigits: layer ${i} is ${problem}, which the hand-written backward does not cover`);
  });
  // Run the chain by hand so that every layer's input is kept for the formulas.
  const inputs: Tensor[] = [];
  let h = X;
  for (const layer of layers) {
    inputs.push(h);
    h = layer.forward(h) as Tensor;
  }
  const logits = h;
  logits.retainGrad();
  const loss = new CrossEntropyLoss().forward(logits, y);
  const names = Object.fromEntries([["X", X], ["logits", logits], ...model.namedParameters()]);
  const trace = traceBackward(loss, { values, names });

  // Each layer's step names the gradient at its output dZ (a dense or conv layer's
  // pre-activation) or dA (an activation's or pooling's output), and at its input dA_prev
  // (dZ for a ReLU, whose input is the pre-activation Z).
  const checks: FormulaCheck[] = [];
  noGrad(() => {
    let grad = crossEntropyLogitsGradient(logits, y);
    checks.push(checkRow("logits", ["dZ = (softmax(Z) − onehot(y)) / n"], { logits: [grad, logits] }));
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      const A = inputs[i]!;
      const part = `${i} ${layer.constructor.name}`;
      // The data needs no gradient: the first layer's step ends with its parameters'.
      const first = i === 0;
      if (layer instanceof Dense) {
        const pairs: Record<string, [Tensor, Tensor]> = { [`${i}.weight`]: [grad.t().matmul(A), layer.weight] };
        if (layer.bias) pairs[`${i}.bias`] = [grad.sum(0), layer.bias];
        checks.push(checkRow(part, ["dW = dZᵀ·A_prev", "db = Σ_rows dZ", ...(first ? [] : ["dA_prev = dZ·W"])], pairs));
        grad = grad.matmul(layer.weight);
      } else if (layer instanceof Conv2d) {
        const byHand = conv2dBackwardByHand(grad, A, layer.weight);
        const pairs: Record<string, [Tensor, Tensor]> = { [`${i}.weight`]: [byHand.weight, layer.weight] };
        if (layer.bias) pairs[`${i}.bias`] = [byHand.bias, layer.bias];
        const formulas = ["dW[o,c,i,j] = Σ_{n,y,x} dZ[n,o,y,x]·A_prev[n,c,y+i,x+j]", "db[o] = Σ_{n,y,x} dZ[n,o,y,x]"];
        if (!first) formulas.push("dA_prev[n,c,p,q] = Σ_{o,i,j} dZ[n,o,p−i,q−j]·W[o,c,i,j]");
        checks.push(checkRow(part, formulas, pairs));
        grad = byHand.input;
      } else if (layer instanceof ReLU) {
        grad = grad.mul(A.gt(0));
        checks.push(checkRow(part, ["dZ = dA ⊙ 1[Z > 0]"]));
      } else if (layer instanceof MaxPool2d) {
        grad = maxPool2dBackwardByHand(grad, A, layer.kernelSize as number);
        const size = String(layer.kernelSize);
        checks.push(checkRow(part, [`dA_prev = dA at the maximum of each ${size}×${size} window (the first on ties), 0 elsewhere`]));
      } else {
        grad = grad.reshape(A.shape as number[]);
        checks.push(checkRow(part, [`dA_prev = dA reshaped to [n,${A.shape.slice(1).join(",")}]`]));
      }
    }
  });
  const labels = Array.from(y.toFloat64Array()).join(", ");
  const architecture = layers.map(describeLayer).join(", ");
  const lossValue = loss.item();
  return {
    summary: `the digits convnet (${architecture}) on ${samples} MNIST digit${samples === 1 ? "" : "s"} (labels ${labels}), cross-entropy loss ${lossValue.toFixed(6)}`,
    model,
    trace,
    checks,
    loss: lossValue,
    svg: toSvg(loss, { names, title: `Graph of the cross-entropy loss of the digits convnet on ${samples} digit${samples === 1 ? "" : "s"}` }),
  };
}
