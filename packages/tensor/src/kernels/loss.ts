import { NDArray } from "../ndarray.js";
import { sameShape } from "../layout.js";
import { zip } from "./elementwise.js";

// The loss kernels whose composite forms break at the edges: log(0) turns 0·∞ into NaN in
// binary cross-entropy, and the kinks of |x| and max(x, 0) give a wrong gradient at 0 in
// its logits form.

const LOG_FLOOR = -100;
const clampedLog = (v: number): number => Math.max(Math.log(v), LOG_FLOOR);
// Math.exp, not expScalar: beside the Math.log1p call, the inlined one measured 20% slower here.
const softplusOfNegAbs = (x: number): number => Math.log1p(Math.exp(-Math.abs(x)));

/** −[y·log x + (1 − y)·log(1 − x)] with logs clamped at −100 (PyTorch's binary_cross_entropy), broadcasting. */
export function binaryCrossEntropy(x: NDArray, y: NDArray): NDArray {
  return zip(x, y, (p, t) => -(t * clampedLog(p) + (1 - t) * clampedLog(1 - p)), "binaryCrossEntropy");
}

/** max(x, 0) − x·y + log(1 + e^−|x|): binary cross-entropy of logits, finite for ±1000. */
export function binaryCrossEntropyWithLogits(x: NDArray, y: NDArray): NDArray {
  return zip(x, y, (z, t) => Math.max(z, 0) - z * t + softplusOfNegAbs(z), "binaryCrossEntropyWithLogits");
}

/**
 * g·(x − y) / max(x(1 − x), 1e−12) in one pass: binary cross-entropy's gradient in x, in
 * the written-out order of operations. g and y broadcast to x's shape. With `out`
 * (contiguous, x's shape, possibly g's own memory) the result is written there.
 */
export function binaryCrossEntropyBackward(g: NDArray, x: NDArray, y: NDArray, out?: NDArray): NDArray {
  const gv = sameShape(g.shape, x.shape) ? g.values() : g.broadcastTo(x.shape).values();
  const xv = x.values();
  const yv = y.broadcastTo(x.shape).values();
  const result = out ?? NDArray.empty(x.shape);
  const o = result.data;
  const start = result.offset;
  for (let i = 0; i < xv.length; i++) {
    const p = xv[i]!;
    const d = p * (-p + 1);
    o[start + i] = (gv[i]! * (p - yv[i]!)) / (d !== d ? d : d > 1e-12 ? d : 1e-12);
  }
  return result;
}
