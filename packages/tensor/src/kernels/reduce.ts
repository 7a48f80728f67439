import { ShapeError, formatShape } from "../errors.js";
import { normalizeDim, normalizeDims, sizeOf } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { expScalar } from "./fdlibm-exp.js";

/** Dimensions to reduce: one, several, or (undefined) all of them; negatives count from the end. */
export type Dims = number | readonly number[] | undefined;

/**
 * The layout of a reduction: the input arranged as rows of `inner` reduced values, one row
 * per output element, plus the output shape.
 */
export interface ReductionRows {
  /** The input's values, row after row (do not write to it: it may be the input's memory). */
  values: Float64Array;
  /** Number of rows: one per output element. */
  outer: number;
  /** Length of each row: the number of values each output element reduces. */
  inner: number;
  /** The reduction's output shape (reduced dimensions dropped, or kept as 1). */
  outShape: number[];
  /** The permutation that moved the reduced dimensions last (kept dimensions first, in order). */
  order: number[];
}

/**
 * Moves the reduced dimensions last and reads the array as [outer, inner] rows. This
 * copies only when the permuted view is not already contiguous.
 * @throws ShapeError on an invalid dimension.
 */
export function reductionRows(x: NDArray, dims: Dims, keepdim: boolean, op: string): ReductionRows {
  const reduced = normalizeDims(dims, x.ndim, op);
  const isReduced = new Array<boolean>(x.ndim).fill(false);
  for (const d of reduced) isReduced[d] = true;
  const kept: number[] = [];
  const outShape: number[] = [];
  for (let d = 0; d < x.ndim; d++) {
    if (!isReduced[d]) {
      kept.push(d);
      outShape.push(x.shape[d]!);
    } else if (keepdim) outShape.push(1);
  }
  let inner = 1;
  for (const d of reduced) inner *= x.shape[d]!;
  const outer = sizeOf(outShape);
  const order = [...kept, ...reduced];
  const values = x.permute(order).values();
  return { values, outer, inner, outShape, order };
}

/**
 * Sum over `dims` (all by default). An empty reduction gives 0.
 * @throws ShapeError on an invalid dimension.
 */
export function sum(x: NDArray, dims?: Dims, keepdim = false): NDArray {
  const reduced = normalizeDims(dims, x.ndim, "sum");
  // Reducing leading dimensions of a contiguous array (bias gradients) needs no transpose:
  // add whole rows, which reads memory in order.
  const leading = reduced.every((d, i) => d === i);
  if (leading && reduced.length > 0 && reduced.length < x.ndim && x.isContiguous()) {
    let rows = 1;
    for (const d of reduced) rows *= x.shape[d]!;
    const width = sizeOf(x.shape.slice(reduced.length));
    const shape = keepdim ? x.shape.map((s, i) => (i < reduced.length ? 1 : s)) : x.shape.slice(reduced.length);
    const result = NDArray.empty(shape);
    const out = result.data;
    const src = x.data;
    // Four rows per pass halve the loads and stores of `out`; the additions still happen
    // row after row, so the sums round exactly as one row at a time.
    let r = 0;
    let p = x.offset;
    for (; r + 4 <= rows; r += 4, p += 4 * width) {
      for (let j = 0, q = p; j < width; j++, q++) out[j] = out[j]! + src[q]! + src[q + width]! + src[q + 2 * width]! + src[q + 3 * width]!;
    }
    for (; r < rows; r++, p += width) for (let j = 0; j < width; j++) out[j]! += src[p + j]!;
    return result;
  }
  const { values, outer, inner, outShape } = reductionRows(x, reduced, keepdim, "sum");
  const result = NDArray.empty(outShape);
  const out = result.data;
  for (let o = 0; o < outer; o++) out[o] = sumRun(values, o * inner, inner);
  return result;
}

/**
 * Σ values[from .. from+length). Four running sums (over every fourth value) break the
 * chain of dependent additions, which bounds a single sum at one add per 3-4 cycles
 * (measured 1.0 → 0.35 ns per value), and round a little less than one long chain.
 */
function sumRun(values: Float64Array, from: number, length: number): number {
  if (length < 8) {
    let s = 0;
    for (let j = 0; j < length; j++) s += values[from + j]!;
    return s;
  }
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let p = from;
  const end = from + length;
  for (; p + 4 <= end; p += 4) {
    s0 += values[p]!;
    s1 += values[p + 1]!;
    s2 += values[p + 2]!;
    s3 += values[p + 3]!;
  }
  let tail = 0;
  for (; p < end; p++) tail += values[p]!;
  return s0 + s1 + (s2 + s3) + tail;
}

/** Mean over `dims` (all by default); NaN for an empty reduction, as in PyTorch. */
export function mean(x: NDArray, dims?: Dims, keepdim = false): NDArray {
  const reduced = normalizeDims(dims, x.ndim, "mean");
  let count = 1;
  for (const d of reduced) count *= x.shape[d]!;
  const s = sum(x, reduced, keepdim);
  const out = s.data;
  for (let i = 0; i < out.length; i++) out[i]! /= count;
  return s;
}

function extreme(x: NDArray, dims: Dims, keepdim: boolean, op: string, larger: boolean): NDArray {
  const { values, outer, inner, outShape } = reductionRows(x, dims, keepdim, op);
  if (inner === 0 && outer > 0) throw new ShapeError(`${op}: cannot reduce over an empty dimension of ${formatShape(x.shape)}`);
  const result = NDArray.empty(outShape);
  const out = result.data;
  for (let o = 0, p = 0; o < outer; o++) {
    let best = values[p]!;
    for (let j = 0; j < inner; j++, p++) {
      const v = values[p]!;
      if (v !== v) best = v;
      else if (best === best && (larger ? v > best : v < best)) best = v;
    }
    out[o] = best;
  }
  return result;
}

/**
 * Largest value over `dims` (all by default); NaN if any value is NaN, as in PyTorch.
 * `op` names the caller in errors (amax).
 * @throws ShapeError when a reduced dimension is empty.
 */
export const max = (x: NDArray, dims?: Dims, keepdim = false, op = "max"): NDArray => extreme(x, dims, keepdim, op, true);
/**
 * Smallest value over `dims` (all by default); NaN if any value is NaN. `op` names the
 * caller in errors (amin).
 * @throws ShapeError when a reduced dimension is empty.
 */
export const min = (x: NDArray, dims?: Dims, keepdim = false, op = "min"): NDArray => extreme(x, dims, keepdim, op, false);

function argExtreme(x: NDArray, dim: number | undefined, keepdim: boolean, op: string, larger: boolean): NDArray {
  const source = dim === undefined ? x.reshape([-1]) : x;
  const d = dim === undefined ? 0 : normalizeDim(dim, x.ndim, op);
  const { values, outer, inner, outShape } = reductionRows(source, source.ndim === 0 ? undefined : [d], keepdim && dim !== undefined, op);
  if (inner === 0) throw new ShapeError(`${op}: cannot take ${op} of an empty dimension in ${formatShape(x.shape)}`);
  // Without a dim, keepdim keeps every dimension as 1 (torch.argmax(x, keepdim=True) is [1, 1] for a matrix).
  const result = NDArray.empty(dim === undefined && keepdim ? x.shape.map(() => 1) : outShape);
  const out = result.data;
  for (let o = 0, p = 0; o < outer; o++) {
    let best = values[p]!;
    let at = 0;
    for (let j = 0; j < inner; j++, p++) {
      const v = values[p]!;
      if (best !== best) continue;
      if (v !== v || (larger ? v > best : v < best)) {
        best = v;
        at = j;
      }
    }
    out[o] = at;
  }
  return result;
}

/**
 * Index of the largest value along `dim`, or in the flattened array when dim is omitted
 * (keepdim then keeps every dimension as 1). The first index wins ties; the first NaN wins
 * over any number, as in PyTorch. Indices are float64.
 * @throws ShapeError when the dimension is empty or invalid.
 */
export const argmax = (x: NDArray, dim?: number, keepdim = false): NDArray => argExtreme(x, dim, keepdim, "argmax", true);
/**
 * Index of the smallest value along `dim` (flattened when omitted); the first index wins
 * ties and the first NaN wins over any number, as in PyTorch.
 * @throws ShapeError when the dimension is empty or invalid.
 */
export const argmin = (x: NDArray, dim?: number, keepdim = false): NDArray => argExtreme(x, dim, keepdim, "argmin", false);

/**
 * log Σ exp(x) over `dims`, computed as m + log Σ exp(x − m) with m the maximum so that
 * logits of ±1000 stay finite. An empty reduction gives −∞.
 */
export function logsumexp(x: NDArray, dims?: Dims, keepdim = false): NDArray {
  const { values, outer, inner, outShape } = reductionRows(x, dims, keepdim, "logsumexp");
  const result = NDArray.empty(outShape);
  const out = result.data;
  for (let o = 0, p = 0; o < outer; o++, p += inner) {
    let m = -Infinity;
    for (let j = 0; j < inner; j++) if (values[p + j]! > m || values[p + j] !== values[p + j]) m = values[p + j]!;
    if (m !== m) {
      out[o] = m;
      continue;
    }
    // With an infinite maximum the shift would make ∞ − ∞; PyTorch shifts by 0 there.
    const shift = Number.isFinite(m) ? m : 0;
    let s = 0;
    for (let j = 0; j < inner; j++) s += expScalar(values[p + j]! - shift);
    out[o] = Math.log(s) + shift;
  }
  return result;
}

/**
 * Sums a broadcast result back to `shape`: over the leading dimensions broadcasting added
 * and over dimensions where `shape` has size 1. This is how gradients of broadcast operands
 * get their operand's shape.
 * @throws ShapeError when `shape` does not broadcast to x's shape.
 */
export function sumToShape(x: NDArray, shape: readonly number[]): NDArray {
  const lead = x.ndim - shape.length;
  if (lead < 0) throw new ShapeError(`sumToShape: cannot reduce ${formatShape(x.shape)} to the larger ${formatShape(shape)}`);
  const dims: number[] = [];
  for (let d = 0; d < x.ndim; d++) {
    if (d < lead) dims.push(d);
    else if (shape[d - lead] === 1 && x.shape[d] !== 1) dims.push(d);
    else if (shape[d - lead] !== x.shape[d]) {
      throw new ShapeError(`sumToShape: ${formatShape(shape)} does not broadcast to ${formatShape(x.shape)}`);
    }
  }
  if (dims.length === 0) return x;
  return sum(x, dims, true).reshape(shape);
}
