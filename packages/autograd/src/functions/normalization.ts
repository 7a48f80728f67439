// Free functions of the normalization ops.
import { DataError, normalizeDims, optionalNumber, checkOptions } from "@tapegrad/tensor";
import { Tensor } from "../tensor.js";
import { standardize as standardizeOp } from "../ops/normalization.js";

/** Options of `standardize`. */
export interface StandardizeOptions {
  /** Added to the variance under the square root (default 1e-5, as the normalization layers). */
  eps?: number;
}

/**
 * (x − mean)/√(var + eps) over `dim` (one dimension or several; negatives count from the
 * end), with the biased variance: each slice shifted to mean 0 and scaled to variance
 * var/(var + eps). The core of batch and layer normalization without their weight and
 * bias (`standardize(x, -1)` is layer_norm over the last dim, `standardize(x, [0, 2, 3])`
 * is batch_norm in training on [N, C, H, W]), as one op with a fused forward and backward
 * whose gradients of every order are those of the composite. x's shape → the same shape.
 * @throws DataError when x is not a Tensor, on an eps that is negative or not finite or an
 *   unknown option; ShapeError on an invalid or repeated dim.
 */
export function standardize(x: Tensor, dim: number | readonly number[], options: StandardizeOptions = {}): Tensor {
  const op = "standardize";
  if (!(x instanceof Tensor)) throw new DataError(`${op}: expected a Tensor as the first argument, got ${x === null ? "null" : typeof x}`);
  if (dim === undefined) throw new DataError(`${op}: expected the dims to standardize over, e.g. standardize(x, -1)`);
  const eps = optionalNumber(op, "eps", checkOptions(op, options, ["eps"]).eps, 1e-5, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  return standardizeOp([x], { dims: normalizeDims(dim, x.ndim, op), eps });
}
