import { DataError, ShapeError, formatShape } from "../errors.js";
import { broadcastShapes, normalizeDim } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { reductionRows, type Dims } from "./reduce.js";
import { writeStrided } from "./strided.js";

// Kernels of the statistics ops (var, std, norm, prod, cumsum, any, all). Each reads the
// input as rows of reduced values (reductionRows: the reduced dimensions moved last), so
// transposed, narrowed and broadcast inputs work alike; kernels whose result has the
// input's shape (cumsum, prodExcluding) write their rows back through the same permutation.

/** Writes row-major values laid out as `x.permute(order)` into a new array of x's shape. */
function unpermute(values: Float64Array, shape: readonly number[], order: readonly number[]): NDArray {
  const result = NDArray.empty(shape);
  writeStrided(values, result.permute(order));
  return result;
}

/**
 * Variance over `dims` (all by default): Σ(x − mean)² / max(0, n − correction), as
 * torch.var. A divisor of 0 gives ∞, or NaN when the sum is 0 too; an empty reduction
 * gives NaN. Two passes, the mean as Σx/n and then the squared deviations from it, as
 * PyTorch computes it: equal values whose mean rounds away from them (0.1, 0.1, 0.1) give
 * the same tiny nonzero variance as PyTorch, and the deviations std's VJP reads agree with
 * the ones the forward summed.
 * @throws ShapeError on an invalid dimension.
 */
export function variance(x: NDArray, dims: Dims, correction: number, keepdim = false): NDArray {
  const { values, outer, inner, outShape } = reductionRows(x, dims, keepdim, "var");
  const result = NDArray.empty(outShape);
  const out = result.data;
  const divisor = Math.max(0, inner - correction);
  for (let o = 0, p = 0; o < outer; o++, p += inner) {
    let s = 0;
    for (let j = 0; j < inner; j++) s += values[p + j]!;
    const mean = s / inner;
    let squares = 0;
    for (let j = 0; j < inner; j++) {
      const d = values[p + j]! - mean;
      squares += d * d;
    }
    out[o] = inner === 0 ? Number.NaN : squares / divisor;
  }
  return result;
}

/**
 * Standard deviation over `dims`: √variance (see variance for the correction and the
 * divisor).
 * @throws ShapeError on an invalid dimension.
 */
export function std(x: NDArray, dims: Dims, correction: number, keepdim = false): NDArray {
  const result = variance(x, dims, correction, keepdim);
  const out = result.data;
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]!);
  return result;
}

/**
 * The vector p-norm over `dims` (all by default), as torch.linalg.vector_norm:
 * (Σ|x|ᵖ)^(1/p); p = ∞ is max|x|, p = −∞ min|x|, p = 0 the count of nonzero values. An
 * empty reduction gives 0 for every p, as in PyTorch. NaN propagates.
 * @throws DataError when p is NaN; ShapeError on an invalid dimension.
 */
export function vectorNorm(x: NDArray, p: number, dims: Dims, keepdim = false): NDArray {
  if (typeof p !== "number" || Number.isNaN(p)) throw new DataError(`norm: p must be a number, got ${String(p)}`);
  const { values, outer, inner, outShape } = reductionRows(x, dims, keepdim, "norm");
  const result = NDArray.empty(outShape);
  const out = result.data;
  for (let o = 0; o < outer; o++) out[o] = inner === 0 ? 0 : rowNorm(values, o * inner, inner, p);
  return result;
}

function rowNorm(values: Float64Array, from: number, length: number, p: number): number {
  const end = from + length;
  if (p === Infinity || p === -Infinity) {
    let best = Math.abs(values[from]!);
    for (let j = from; j < end; j++) {
      const a = Math.abs(values[j]!);
      if (a !== a) return a;
      if (p > 0 ? a > best : a < best) best = a;
    }
    return best;
  }
  let s = 0;
  if (p === 0) {
    for (let j = from; j < end; j++) s += values[j] !== 0 ? 1 : 0;
    return s;
  }
  if (p === 1) {
    for (let j = from; j < end; j++) s += Math.abs(values[j]!);
    return s;
  }
  if (p === 2) {
    for (let j = from; j < end; j++) s += values[j]! * values[j]!;
    return Math.sqrt(s);
  }
  for (let j = from; j < end; j++) s += Math.abs(values[j]!) ** p;
  return s ** (1 / p);
}

/**
 * Product over `dims` (all by default); an empty reduction gives 1.
 * @throws ShapeError on an invalid dimension.
 */
export function prod(x: NDArray, dims: Dims, keepdim = false): NDArray {
  const { values, outer, inner, outShape } = reductionRows(x, dims, keepdim, "prod");
  const result = NDArray.empty(outShape);
  const out = result.data;
  for (let o = 0, p = 0; o < outer; o++) {
    let product = 1;
    for (let j = 0; j < inner; j++, p++) product *= values[p]!;
    out[o] = product;
  }
  return result;
}

/**
 * g · Π_{j≠i} x_j over each slice along `dims`: the gradient of prod, with g broadcast to
 * x's shape. The product of the others is a prefix product times a suffix product, never
 * prod / xᵢ, so it is exact with one zero in a slice (nonzero only there) and with several
 * (all zero).
 * @throws ShapeError when g does not broadcast to x's shape, or on an invalid dimension.
 */
export function prodExcluding(g: NDArray, x: NDArray, dims: Dims): NDArray {
  const gFull = g.shape.length === x.shape.length && g.shape.every((s, d) => s === x.shape[d]) ? g : g.broadcastTo(x.shape);
  const { values, outer, inner, order } = reductionRows(x, dims, false, "prodExcluding");
  const weights = gFull.permute(order).values();
  const rows = new Float64Array(outer * inner);
  for (let o = 0, from = 0; o < outer; o++, from += inner) {
    let prefix = 1;
    for (let j = 0; j < inner; j++) {
      rows[from + j] = prefix;
      prefix *= values[from + j]!;
    }
    let suffix = 1;
    for (let j = inner - 1; j >= 0; j--) {
      rows[from + j] = weights[from + j]! * (rows[from + j]! * suffix);
      suffix *= values[from + j]!;
    }
  }
  return unpermute(rows, x.shape, order);
}

/**
 * Cumulative sum along `dim`, as torch.cumsum; with `reverse`, from the end backwards
 * (yᵢ = Σ_{j≥i} xⱼ), which is cumsum's VJP.
 * @throws ShapeError on an invalid dimension.
 */
export function cumsum(x: NDArray, dim: number, reverse = false): NDArray {
  const d = normalizeDim(dim, x.ndim, "cumsum");
  const { values, outer, inner, order } = reductionRows(x, x.ndim === 0 ? [] : [d], false, "cumsum");
  const rows = new Float64Array(outer * inner);
  for (let o = 0, from = 0; o < outer; o++, from += inner) {
    let s = 0;
    if (reverse) {
      for (let j = inner - 1; j >= 0; j--) rows[from + j] = s += values[from + j]!;
    } else {
      for (let j = 0; j < inner; j++) rows[from + j] = s += values[from + j]!;
    }
  }
  return unpermute(rows, x.shape, order);
}

function truth(x: NDArray, dims: Dims, keepdim: boolean, op: "any" | "all"): NDArray {
  const { values, outer, inner, outShape } = reductionRows(x, dims, keepdim, op);
  const result = NDArray.empty(outShape);
  const out = result.data;
  const wanted = op === "any";
  for (let o = 0, p = 0; o < outer; o++, p += inner) {
    // any: 1 when some value is nonzero (NaN counts as nonzero); all: 0 when some value is 0.
    let found = false;
    for (let j = 0; j < inner && !found; j++) found = (values[p + j] !== 0) === wanted;
    out[o] = found === wanted ? 1 : 0;
  }
  return result;
}

/**
 * 1 where some value over `dims` (all by default) is nonzero, else 0; NaN counts as
 * nonzero and an empty reduction gives 0, as torch.any.
 * @throws ShapeError on an invalid dimension.
 */
export const any = (x: NDArray, dims?: Dims, keepdim = false): NDArray => truth(x, dims, keepdim, "any");

/**
 * 1 where every value over `dims` (all by default) is nonzero, else 0; an empty reduction
 * gives 1, as torch.all.
 * @throws ShapeError on an invalid dimension.
 */
export const all = (x: NDArray, dims?: Dims, keepdim = false): NDArray => truth(x, dims, keepdim, "all");

/**
 * 1 along `dim` at the position `indices` holds (indices keep `dim` as size 1), 0
 * elsewhere: where max(dim) and min(dim) send their gradient. The result has `shape`.
 * @throws ShapeError when indices do not have `shape` with `dim` of size 1; DataError on an
 *   index that is not an integer in [0, shape[dim]).
 */
export function selectionMask(indices: NDArray, shape: readonly number[], dim: number): NDArray {
  const result = NDArray.empty(shape);
  if (shape.length === 0) {
    result.data[0] = 1;
    return result;
  }
  const d = normalizeDim(dim, shape.length, "selectionMask");
  const expected = shape.map((s, i) => (i === d ? 1 : s));
  if (indices.ndim !== shape.length || indices.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(`selectionMask: indices of shape ${formatShape(indices.shape)} do not match ${formatShape(expected)}`);
  }
  const at = indices.values();
  const out = result.data;
  // Row-major: position = (before · n + k) · after + rest, with indices laid out as [before, after].
  const n = shape[d]!;
  let after = 1;
  for (let i = d + 1; i < shape.length; i++) after *= shape[i]!;
  for (let q = 0; q < at.length; q++) {
    const k = at[q]!;
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new DataError(`selectionMask: index ${k} at flat position ${q} is out of range for dimension ${d} of size ${n}`);
    const before = Math.floor(q / after);
    const rest = q - before * after;
    out[(before * n + k) * after + rest] = 1;
  }
  return result;
}

/**
 * Whether |a − b| ≤ atol + rtol·|b| everywhere, a and b broadcast together, as
 * torch.allclose: equal values (infinities of the same sign included) are close, other
 * non-finite differences are not, and NaNs are close to each other only with `equalNan`.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function allclose(a: NDArray, b: NDArray, rtol: number, atol: number, equalNan: boolean): boolean {
  const shape = broadcastShapes(a.shape, b.shape, "allclose");
  const av = a.broadcastTo(shape).values();
  const bv = b.broadcastTo(shape).values();
  for (let i = 0; i < av.length; i++) {
    const x = av[i]!;
    const y = bv[i]!;
    if (x === y || (equalNan && x !== x && y !== y)) continue;
    const error = Math.abs(x - y);
    if (!(Number.isFinite(error) && error <= atol + Math.abs(rtol * y))) return false;
  }
  return true;
}

/** Whether a and b have the same shape and the same values (NaN equals nothing, 0 equals −0), as torch.equal. */
export function equal(a: NDArray, b: NDArray): boolean {
  if (a.ndim !== b.ndim || a.shape.some((s, d) => s !== b.shape[d])) return false;
  const av = a.values();
  const bv = b.values();
  for (let i = 0; i < av.length; i++) if (av[i] !== bv[i]) return false;
  return true;
}
