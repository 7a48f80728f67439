import { kernels, sameShape } from "@tapegrad/tensor";
import { defineOp, type Op } from "../op.js";
import { constant } from "./operand.js";

// Binary cross-entropy is fused: its composite breaks at the edges (log(0) turns 0·∞ into
// NaN, and the kinks of |x| and max(x, 0) in the logits form give a wrong gradient at 0).

const LOG_FLOOR = -100;

/**
 * g·(x − y) / max(x(1 − x), 1e−12): binary cross-entropy's gradient in x as an op, so a
 * plain and a recorded backward run the same kernel.
 */
export const binaryCrossEntropyBackward: Op<undefined> = defineOp({
  name: "binaryCrossEntropyBackward",
  rule: "∂g = g′·(x − y)/D, ∂x = g′·g·(1/D − (x − y)·D′/D²), ∂y = −g′·g/D  (D = max(x(1 − x), 1e−12))",
  save: () => ({ inputs: [0, 1, 2] }),
  forward: ([g, x, y], _, { out }) => kernels.binaryCrossEntropyBackward(g!, x!, y!, out),
  vjp: (gg, { inputs: [g, x, y], needsGrad }) => {
    const product = x!.mul(x!.neg().add(1));
    const d = product.maximum(1e-12);
    const diff = x!.sub(y!);
    // D′ = (1 − 2x) where x(1 − x) is above the floor, half of it on a tie (as maximum's VJP).
    const share = kernels.add(kernels.gt(product.array, kernels.scalar(1e-12)), kernels.mul(kernels.eq(product.array, kernels.scalar(1e-12)), kernels.scalar(0.5)));
    const dPrime = x!.mul(-2).add(1).mul(constant(share));
    const ggg = gg.mul(g!);
    return [
      needsGrad[0] ? binaryCrossEntropyBackward([gg, x!, y!], undefined) : null,
      needsGrad[1] ? ggg.div(d).sub(ggg.mul(diff).mul(dPrime).div(d.mul(d))) : null,
      needsGrad[2] ? ggg.div(d).neg() : null,
    ];
  },
});

/** −[y·log x + (1 − y)·log(1 − x)] per element, logs clamped at −100 (PyTorch semantics). */
export const binaryCrossEntropy = defineOp({
  name: "binaryCrossEntropy",
  rule: "∂x = g·(x − y) / max(x(1 − x), 1e−12), ∂y = g·(log(1 − x) − log x)",
  save: () => ({ inputs: [0, 1] }),
  forward: ([x, y]) => kernels.binaryCrossEntropy(x!, y!),
  vjp: (g, { inputs: [x, y], needsGrad, outputShape }, { ownsGrad }) => {
    // The backward kernel works in x's shape: an x broadcast against y is expanded to g's, and the engine sums ∂x back.
    const xg = sameShape(x!.shape, outputShape) ? x! : x!.expand(outputShape);
    return [
      needsGrad[0] ? binaryCrossEntropyBackward([g, xg, y!], undefined, ownsGrad && g.size === xg.size ? g.array : undefined) : null,
      needsGrad[1] ? g.mul(x!.neg().log1p().clamp(LOG_FLOOR).sub(x!.log().clamp(LOG_FLOOR))) : null,
    ];
  },
});

/** max(x, 0) − x·y + log(1 + e^−|x|) per element: binary cross-entropy of logits. */
export const binaryCrossEntropyWithLogits = defineOp({
  name: "binaryCrossEntropyWithLogits",
  rule: "∂x = g·(σ(x) − y), ∂y = −g·x",
  save: () => ({ inputs: [0, 1] }),
  forward: ([x, y]) => kernels.binaryCrossEntropyWithLogits(x!, y!),
  vjp: (g, { inputs: [x, y], needsGrad }) => [needsGrad[0] ? g.mul(x!.sigmoid().sub(y!)) : null, needsGrad[1] ? g.mul(x!).neg() : null],
});
