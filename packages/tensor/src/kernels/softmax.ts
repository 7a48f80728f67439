import { normalizeDim } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { exp, sub } from "./elementwise.js";
import { logsumexp } from "./reduce.js";

/**
 * log softmax along `dim`: x − logsumexp(x), stable for logits of ±1000.
 * @throws ShapeError on an invalid dimension.
 */
export function logSoftmax(x: NDArray, dim: number): NDArray {
  const d = normalizeDim(dim, x.ndim, "logSoftmax");
  return sub(x, logsumexp(x, x.ndim === 0 ? undefined : [d], true));
}

/**
 * softmax along `dim`: exp(x − logsumexp(x)), so it never overflows and each slice sums to 1.
 * @throws ShapeError on an invalid dimension.
 */
export function softmax(x: NDArray, dim: number): NDArray {
  return exp(logSoftmax(x, dim));
}
