import { DataError, formatShape } from "../errors.js";
import { normalizeDim } from "../layout.js";
import { NDArray } from "../ndarray.js";

// Sorting along one dimension. Both kernels return indices (float64 integers): the ops
// pick the values with gather, whose VJP sends each value's gradient back to where it
// came from. The order is PyTorch's: NaN counts as larger than +∞, equal values keep
// their original order (torch.sort with stable=True; torch.sort without it is stable only
// up to 16 elements per row), and −0 equals +0.

/** a comes strictly before b in ascending order (NaN last). */
const before = (a: number, b: number): boolean => a < b || (b !== b && a === a);

/**
 * Sorts `order[from, to)` (positions into `keys`) stably by key, ascending, or descending
 * when `descending`; `scratch` is as long as `order`. Insertion sort on short runs, then
 * merges of runs: no comparator closure, so no call per comparison.
 */
function stableSort(keys: Float64Array, order: Int32Array, scratch: Int32Array, n: number, descending: boolean): void {
  const RUN = 16;
  for (let start = 0; start < n; start += RUN) {
    const end = Math.min(start + RUN, n);
    for (let i = start + 1; i < end; i++) {
      const item = order[i]!;
      const v = keys[item]!;
      let j = i - 1;
      // Shift only past elements that v must precede strictly: equal keys stay in order.
      while (j >= start && (descending ? before(keys[order[j]!]!, v) : before(v, keys[order[j]!]!))) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = item;
    }
  }
  let from = order;
  let to = scratch;
  for (let width = RUN; width < n; width *= 2) {
    for (let left = 0; left < n; left += 2 * width) {
      const mid = Math.min(left + width, n);
      const right = Math.min(left + 2 * width, n);
      let i = left;
      let j = mid;
      let o = left;
      while (i < mid && j < right) {
        const a = keys[from[i]!]!;
        const b = keys[from[j]!]!;
        // Take from the right run only when it comes strictly first: stability.
        const takeRight = descending ? before(a, b) : before(b, a);
        to[o++] = takeRight ? from[j++]! : from[i++]!;
      }
      while (i < mid) to[o++] = from[i++]!;
      while (j < right) to[o++] = from[j++]!;
    }
    [from, to] = [to, from];
  }
  if (from !== order) order.set(from.subarray(0, n));
}

/** The values along `dim` as rows: `[outer, n, inner]`, read from a contiguous copy when needed. */
function rowsOf(x: NDArray, d: number): { data: Float64Array; base: number; outer: number; n: number; inner: number } {
  const c = x.contiguous();
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < d; i++) outer *= x.shape[i]!;
  for (let i = d + 1; i < x.ndim; i++) inner *= x.shape[i]!;
  return { data: c.data, base: c.offset, outer, n: x.ndim === 0 ? 1 : x.shape[d]!, inner };
}

/**
 * Indices that sort x along `dim` (as float64 integers, x's shape), ascending or, with
 * `descending`, descending; stable, with NaN as the largest value, as torch.argsort(stable=True).
 * @throws ShapeError on an invalid dimension.
 */
export function argsort(x: NDArray, dim = -1, descending = false): NDArray {
  const d = normalizeDim(dim, x.ndim, "sort");
  const { data, base, outer, n, inner } = rowsOf(x, d);
  const result = NDArray.empty(x.shape);
  if (result.size === 0) return result;
  const out = result.data;
  const keys = new Float64Array(n);
  const order = new Int32Array(n);
  const scratch = new Int32Array(n);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c++) {
      const start = o * n * inner + c;
      for (let j = 0, p = base + start; j < n; j++, p += inner) {
        keys[j] = data[p]!;
        order[j] = j;
      }
      stableSort(keys, order, scratch, n, descending);
      for (let j = 0, q = start; j < n; j++, q += inner) out[q] = order[j]!;
    }
  }
  return result;
}

/**
 * Indices of the k largest (or, with `largest` false, smallest) values along `dim`, best
 * first, as torch.topk's indices; x's shape with k along dim. Equal values come in their
 * original order (torch.topk leaves the order of ties unspecified); NaN counts as largest.
 * @throws DataError when k is not an integer in [0, size of dim]; ShapeError on an invalid dimension.
 */
export function topk(x: NDArray, k: number, dim = -1, largest = true): NDArray {
  const d = normalizeDim(dim, x.ndim, "topk");
  const { data, base, outer, n, inner } = rowsOf(x, d);
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0 || k > n) {
    throw new DataError(`topk: k must be an integer in [0, ${n}] (the size of dimension ${d} of ${formatShape(x.shape)}), got ${k}`);
  }
  const shape = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? k : s));
  const result = NDArray.empty(shape);
  if (result.size === 0) return result;
  const out = result.data;
  const keys = new Float64Array(n);
  const order = new Int32Array(n);
  const scratch = new Int32Array(n);
  // A short sorted list of the best k beats sorting the row when k is small.
  const partial = k <= 32 && k * 4 < n;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c++) {
      const start = o * n * inner + c;
      for (let j = 0, p = base + start; j < n; j++, p += inner) keys[j] = data[p]!;
      if (partial) keepBest(keys, order, n, k, largest);
      else {
        for (let j = 0; j < n; j++) order[j] = j;
        stableSort(keys, order, scratch, n, largest);
      }
      for (let j = 0, q = o * k * inner + c; j < k; j++, q += inner) out[q] = order[j]!;
    }
  }
  return result;
}

/** order[0, k) = positions of the k best keys, best first, ties in original order. */
function keepBest(keys: Float64Array, order: Int32Array, n: number, k: number, largest: boolean): void {
  let count = 0;
  for (let j = 0; j < n; j++) {
    const v = keys[j]!;
    // A newcomer enters only when strictly better than the worst kept: the earlier tie stays.
    if (count === k && !(largest ? before(keys[order[k - 1]!]!, v) : before(v, keys[order[k - 1]!]!))) continue;
    let i = count === k ? k - 1 : count++;
    while (i > 0 && (largest ? before(keys[order[i - 1]!]!, v) : before(v, keys[order[i - 1]!]!))) {
      order[i] = order[i - 1]!;
      i--;
    }
    order[i] = j;
  }
}
