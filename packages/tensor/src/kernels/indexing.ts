import { DataError, ShapeError, formatShape } from "../errors.js";
import { broadcastShapes, normalizeDim, sameShape } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { advance, coalesce, copyStrided, writeStrided } from "./strided.js";

// Kernels of the indexing ops. Index arrays are float64 arrays holding integers: each
// kernel reads them once into an Int32Array, checking every value before it touches the
// output, so a bad index never leaves half a result (or half an in-place write) behind.
// The hot paths (an embedding's row lookup and its index-add backward, cross-entropy's
// pick along the classes) copy or add whole contiguous rows in plain loops.

/** A dimension's layout as an op sees it: [outer, size, inner] around dimension `dim`. */
interface Around {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/** Products of the sizes before and after `dim` (a 0-d array counts as one element along dim 0). */
function around(shape: readonly number[], dim: number): Around {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return { outer, size: shape.length === 0 ? 1 : shape[dim]!, inner };
}

/** Row-major position of element `flat` of `shape`, as `[i, j, …]` for messages. */
function position(flat: number, shape: readonly number[]): string {
  const at = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    at[d] = flat % size;
    flat = Math.floor(flat / size);
  }
  return `[${at.join(", ")}]`;
}

/**
 * Reads an index array in row-major order, checking that every value is an integer in
 * [0, bound): negative indices are refused, as PyTorch's gather and index_select do.
 * @throws DataError naming the op, the value, its position in the index and the bound.
 */
export function readIndices(op: string, index: NDArray, dim: number, bound: number): Int32Array {
  const values = index.values();
  const n = values.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const k = v | 0;
    if (k !== v || k < 0 || k >= bound) {
      const what = Number.isInteger(v) ? "is out of range" : "is not an integer; indices are float64 tensors holding integers, so it is out of range";
      throw new DataError(`${op}: index ${v} at position ${position(i, index.shape)} ${what} for dimension ${dim} of size ${bound}`);
    }
    out[i] = k;
  }
  return out;
}

/**
 * Checks that a mask holds only 0 and 1 and returns its values in row-major order (a
 * copy, so the caller may write to memory the mask shares).
 * @throws DataError naming the op, the first other value and its position.
 */
export function readMask(op: string, mask: NDArray): Float64Array {
  const values = mask.isContiguous() ? mask.values().slice() : mask.values();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== 1) throw new DataError(`${op}: mask value ${v} at position ${position(i, mask.shape)} is not 0 or 1`);
  }
  return values;
}

/** Checks that an index is 1-D or 0-d (index_select, index_add, index_copy) and returns its length. */
function vectorIndex(op: string, index: NDArray): number {
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 1-D or 0-d, got shape ${formatShape(index.shape)}`);
  return index.size;
}

/**
 * The rows of a strided block (the dimensions after `dim`), read or added into contiguous
 * memory. The block is coalesced once, so a contiguous row is one tight loop and a
 * transposed one a strided loop; deeper layouts walk a table of offsets.
 */
class Rows {
  /** 0: one element; 1: a strided run; 2: an offset table. */
  private readonly kind: 0 | 1 | 2;
  private readonly stride: number;
  private readonly offsets: Int32Array | null;
  /** True when each row is one run of adjacent elements (or a single element). */
  readonly contiguous: boolean;

  constructor(
    shape: readonly number[],
    strides: readonly number[],
    readonly length: number,
  ) {
    const merged = coalesce(shape, [strides]);
    const n = merged.shape.length;
    this.kind = n === 0 ? 0 : n === 1 ? 1 : 2;
    this.stride = n === 1 ? merged.strides[0]![0]! : 0;
    this.offsets = null;
    this.contiguous = n === 0 || (n === 1 && this.stride === 1);
    if (n > 1) {
      const st = merged.strides[0]!;
      const table = new Int32Array(length);
      const counter = new Array<number>(n).fill(0);
      const last = merged.shape[n - 1]!;
      const step = st[n - 1]!;
      let p = 0;
      for (let o = 0; o < length; ) {
        for (let j = 0, q = p; j < last; j++, q += step) table[o++] = q;
        p = advance(counter, merged.shape, st, p, n - 2);
      }
      this.offsets = table;
    }
  }

  /** out[o … o+length) = src at the block starting at p. */
  copy(src: Float64Array, p: number, out: Float64Array, o: number): void {
    const length = this.length;
    if (this.kind === 0) out[o] = src[p]!;
    else if (this.kind === 1) {
      const s = this.stride;
      if (s === 1) for (let j = 0; j < length; j++) out[o + j] = src[p + j]!;
      else for (let j = 0, q = p; j < length; j++, q += s) out[o + j] = src[q]!;
    } else {
      const table = this.offsets!;
      for (let j = 0; j < length; j++) out[o + j] = src[p + table[j]!]!;
    }
  }

  /** out[o … o+length) += alpha · (src at the block starting at p). */
  add(src: Float64Array, p: number, out: Float64Array, o: number, alpha: number): void {
    const length = this.length;
    if (this.kind === 0) out[o] = out[o]! + alpha * src[p]!;
    else if (this.kind === 1) {
      const s = this.stride;
      if (s === 1 && alpha === 1) for (let j = 0; j < length; j++) out[o + j] = out[o + j]! + src[p + j]!;
      else for (let j = 0, q = p; j < length; j++, q += s) out[o + j] = out[o + j]! + alpha * src[q]!;
    } else {
      const table = this.offsets!;
      for (let j = 0; j < length; j++) out[o + j] = out[o + j]! + alpha * src[p + table[j]!]!;
    }
  }
}

/** Buffer positions of the first element of every outer block (dimensions before `dim`), in row-major order. */
function outerOffsets(x: NDArray, dim: number, count: number): Float64Array {
  const offsets = new Float64Array(count);
  if (count === 0) return offsets;
  const merged = coalesce(x.shape.slice(0, dim), [x.strides.slice(0, dim)]);
  const n = merged.shape.length;
  if (n === 0) {
    offsets[0] = x.offset;
    return offsets;
  }
  const st = merged.strides[0]!;
  const counter = new Array<number>(n).fill(0);
  let p = x.offset;
  for (let o = 0; o < count; o++) {
    offsets[o] = p;
    p = advance(counter, merged.shape, st, p, n - 1);
  }
  return offsets;
}

/** The inner block (dimensions after `dim`) of x as Rows. */
function innerRows(x: NDArray, dim: number, inner: number): Rows {
  return new Rows(x.shape.slice(dim + 1), x.strides.slice(dim + 1), inner);
}

/**
 * A contiguous copy of `start` to accumulate into. A broadcast of a single +0 (what a VJP
 * passes for "zeros of the input's shape") needs no copy: fresh memory is zero-filled.
 */
function accumulator(start: NDArray): NDArray {
  const out = NDArray.empty(start.shape);
  const zero = start.size > 0 && start.strides.every((s) => s === 0) && Object.is(start.data[start.offset], 0);
  if (!zero) copyStrided(start, out.data);
  return out;
}

/**
 * Rows of x picked along `dim` by a 1-D (or 0-d) index, as torch.index_select:
 * `[a, n, b]` with `[k]` indices → `[a, k, b]`. A 0-d x takes one index and stays 0-d.
 * @throws ShapeError for an index of another rank; DataError for a non-integer or out-of-range index.
 */
export function indexSelect(x: NDArray, dim: number, index: NDArray): NDArray {
  const d = normalizeDim(dim, x.ndim, "indexSelect");
  const k = vectorIndex("indexSelect", index);
  const { outer, size, inner } = around(x.shape, d);
  if (x.ndim === 0 && k !== 1) throw new ShapeError(`indexSelect: a 0-d tensor takes exactly one index, got ${k}`);
  const idx = readIndices("indexSelect", index, d, size);
  const shape = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? k : s));
  const result = NDArray.empty(shape);
  if (result.size === 0) return result;
  const out = result.data;
  const src = x.data;
  const stride = x.ndim === 0 ? 0 : x.strides[d]!;
  const starts = outerOffsets(x, d, outer);
  const rows = innerRows(x, d, inner);
  if (rows.contiguous && outer === 1) {
    // The embedding lookup: whole rows of a contiguous [V, D] table.
    const base = starts[0]!;
    for (let j = 0, w = 0; j < k; j++, w += inner) {
      const p = base + idx[j]! * stride;
      for (let c = 0; c < inner; c++) out[w + c] = src[p + c]!;
    }
    return result;
  }
  for (let o = 0, w = 0; o < outer; o++) {
    const base = starts[o]!;
    for (let j = 0; j < k; j++, w += inner) rows.copy(src, base + idx[j]! * stride, out, w);
  }
  return result;
}

/**
 * self + alpha · source added into the rows of self picked along `dim` by a 1-D (or 0-d)
 * index, out of place, as torch.index_add; repeated indices add up. source has self's
 * shape with size k (the index length) along dim.
 * @throws ShapeError for mismatched shapes; DataError for a bad index.
 */
export function indexAdd(self: NDArray, dim: number, index: NDArray, source: NDArray, alpha = 1): NDArray {
  const d = normalizeDim(dim, self.ndim, "indexAdd");
  const k = vectorIndex("indexAdd", index);
  checkIndexSource("indexAdd", self, d, k, source);
  const { outer, size, inner } = around(self.shape, d);
  const idx = readIndices("indexAdd", index, d, size);
  const result = accumulator(self);
  if (result.size === 0 || source.size === 0) return result;
  const out = result.data;
  const src = source.data;
  const stride = source.ndim === 0 ? 0 : source.strides[d]!;
  const starts = outerOffsets(source, d, outer);
  const rows = innerRows(source, d, inner);
  for (let o = 0; o < outer; o++) {
    const base = starts[o]!;
    const row = o * size;
    for (let j = 0; j < k; j++) rows.add(src, base + j * stride, out, (row + idx[j]!) * inner, alpha);
  }
  return result;
}

/** source must have self's shape with the index length along dim (0-d pairs with 0-d). */
function checkIndexSource(op: string, self: NDArray, dim: number, k: number, source: NDArray): void {
  const fits =
    self.ndim === 0 ? source.size === 1 && source.ndim <= 1 && k === 1 : source.ndim === self.ndim && source.shape.every((s, i) => (i === dim ? s === k : s === self.shape[i]));
  if (!fits) {
    const expected = self.ndim === 0 ? "[] (one element)" : formatShape(self.shape.map((s, i) => (i === dim ? k : s)));
    throw new ShapeError(`${op}: source of shape ${formatShape(source.shape)} does not fit ${k} indices along dimension ${dim} of ${formatShape(self.shape)}: expected ${expected}`);
  }
}

/**
 * In place, as torch.Tensor.index_copy_: writes the rows of source into the rows of
 * target picked along `dim` by a 1-D (or 0-d) index; with repeated indices the last row
 * wins. Checks everything before writing anything.
 * @throws ShapeError for mismatched shapes; DataError for a bad index.
 */
export function indexCopyInto(target: NDArray, dim: number, index: NDArray, source: NDArray): void {
  const d = normalizeDim(dim, target.ndim, "indexCopy_");
  const k = vectorIndex("indexCopy_", index);
  checkIndexSource("indexCopy_", target, d, k, source);
  const idx = readIndices("indexCopy_", index, d, around(target.shape, d).size);
  // Rows read from memory the writes may change would be read after being overwritten.
  const src = source.storage === target.storage ? source.clone() : source;
  if (target.ndim === 0) {
    writeStrided(src.values(), target);
    return;
  }
  for (let j = 0; j < k; j++) writeStrided(src.narrow(d, j, 1).values(), target.narrow(d, idx[j]!, 1));
}

/**
 * Values of x picked along `dim` at the positions an index gives, as torch.gather:
 * `out[i][j][k] = x[i][index[i][j][k]][k]` for dim 1. index has x's rank and sizes at most
 * x's outside dim; the output has index's shape.
 * @throws ShapeError for a wrong rank or size; DataError for a bad index.
 */
export function gather(x: NDArray, dim: number, index: NDArray): NDArray {
  const d = normalizeDim(dim, x.ndim, "gather");
  checkScatterShapes("gather", x, d, index, null);
  const size = x.ndim === 0 ? 1 : x.shape[d]!;
  const idx = readIndices("gather", index, d, size);
  const result = NDArray.empty(index.shape);
  if (result.size === 0) return result;
  const out = result.data;
  const src = x.data;
  const dimStride = x.ndim === 0 ? 0 : x.strides[d]!;
  // Walk index's shape through x's strides without dim (its position comes from the index).
  const walk = coalesce(index.shape, [x.ndim === 0 ? index.shape.map(() => 0) : x.strides.map((s, i) => (i === d ? 0 : s))]);
  const shape = walk.shape.length > 0 ? walk.shape : [1];
  const st = walk.strides[0]!.length > 0 ? walk.strides[0]! : [0];
  const n = shape.length;
  const last = shape[n - 1]!;
  const step = st[n - 1]!;
  const counter = new Array<number>(n).fill(0);
  let p = x.offset;
  for (let e = 0; e < out.length; ) {
    for (let j = 0, q = p; j < last; j++, q += step, e++) out[e] = src[q + idx[e]! * dimStride]!;
    p = advance(counter, shape, st, p, n - 2);
  }
  return result;
}

/**
 * self + the values of src added at the positions an index gives along `dim`, out of
 * place, as torch.scatter_add: `out[i][index[i][j][k]][k] += src[i][j][k]` for dim 1.
 * index has self's rank, sizes at most src's everywhere and at most self's outside dim;
 * only the part of src that index covers is read.
 * @throws ShapeError for a wrong rank or size; DataError for a bad index.
 */
export function scatterAdd(self: NDArray, dim: number, index: NDArray, src: NDArray): NDArray {
  const d = normalizeDim(dim, self.ndim, "scatterAdd");
  checkScatterShapes("scatterAdd", self, d, index, src);
  const size = self.ndim === 0 ? 1 : self.shape[d]!;
  const idx = readIndices("scatterAdd", index, d, size);
  const values = coveredValues(src, index.shape);
  const result = accumulator(self);
  if (index.size === 0) return result;
  const out = result.data;
  const strides = result.strides;
  const dimStride = self.ndim === 0 ? 0 : strides[d]!;
  const walk = coalesce(index.shape, [self.ndim === 0 ? index.shape.map(() => 0) : strides.map((s, i) => (i === d ? 0 : s))]);
  const shape = walk.shape.length > 0 ? walk.shape : [1];
  const st = walk.strides[0]!.length > 0 ? walk.strides[0]! : [0];
  const n = shape.length;
  const last = shape[n - 1]!;
  const step = st[n - 1]!;
  const counter = new Array<number>(n).fill(0);
  let p = 0;
  for (let e = 0; e < values.length; ) {
    for (let j = 0, q = p; j < last; j++, q += step, e++) {
      const at = q + idx[e]! * dimStride;
      out[at] = out[at]! + values[e]!;
    }
    p = advance(counter, shape, st, p, n - 2);
  }
  return result;
}

/** src's values over index's extent (its leading corner), in row-major order. */
function coveredValues(src: NDArray, shape: readonly number[]): Float64Array {
  let view = src;
  if (src.ndim > 0) for (let d = 0; d < shape.length; d++) if (view.shape[d] !== shape[d]) view = view.narrow(d, 0, shape[d]!);
  return view.values();
}

/**
 * PyTorch's rule for gather and scatter_add: index has self's rank (0-d and 1-d count
 * alike), sizes at most self's outside dim, and at most src's everywhere.
 */
function checkScatterShapes(op: string, self: NDArray, dim: number, index: NDArray, src: NDArray | null): void {
  const rank = (a: NDArray) => Math.max(a.ndim, 1);
  const sizeAt = (a: NDArray, i: number) => (a.ndim === 0 ? 1 : a.shape[i]!);
  const operands = src === null ? "" : ` and src ${formatShape(src.shape)}`;
  if (rank(index) !== rank(self) || (src !== null && rank(src) !== rank(self))) {
    throw new ShapeError(`${op}: index ${formatShape(index.shape)}${operands} must have as many dimensions as self ${formatShape(self.shape)}`);
  }
  for (let i = 0; i < rank(index); i++) {
    const k = sizeAt(index, i);
    if (i !== dim && k > sizeAt(self, i)) {
      throw new ShapeError(`${op}: index ${formatShape(index.shape)} is larger than self ${formatShape(self.shape)} in dimension ${i} (${k} > ${sizeAt(self, i)}); only dimension ${dim} may be larger`);
    }
    if (src !== null && k > sizeAt(src, i)) {
      throw new ShapeError(`${op}: index ${formatShape(index.shape)} is larger than src ${formatShape(src.shape)} in dimension ${i} (${k} > ${sizeAt(src, i)})`);
    }
  }
}

/**
 * value where mask is 1, x elsewhere, as torch.masked_fill: the result has the shape x
 * and mask broadcast to.
 * @throws DataError when the mask holds anything but 0 and 1; ShapeError when the shapes do not broadcast.
 */
export function maskedFill(x: NDArray, mask: NDArray, value: number): NDArray {
  const m = readMask("maskedFill", mask);
  const shape = broadcastShapes(x.shape, mask.shape, "maskedFill");
  const result = NDArray.empty(shape);
  const out = result.data;
  copyStrided(x.broadcastTo(shape), out);
  fillWhere(out, sameShape(mask.shape, shape) ? m : new NDArray(m, mask.shape).broadcastTo(shape).values(), value);
  return result;
}

/**
 * In place, as torch.Tensor.masked_fill_: value where mask is 1. The mask broadcasts to
 * target's shape. Checks everything before writing anything.
 * @throws DataError for a mask value other than 0 and 1; ShapeError when the mask does not broadcast to target.
 */
export function maskedFillInto(target: NDArray, mask: NDArray, value: number): void {
  const m = readMask("maskedFill_", mask);
  const shape = broadcastShapes(target.shape, mask.shape, "maskedFill_");
  if (!sameShape(shape, target.shape)) {
    throw new ShapeError(`maskedFill_: mask of shape ${formatShape(mask.shape)} does not broadcast to the tensor's shape ${formatShape(target.shape)}`);
  }
  const values = target.clone().data;
  fillWhere(values, sameShape(mask.shape, shape) ? m : new NDArray(m, mask.shape).broadcastTo(shape).values(), value);
  writeStrided(values, target);
}

function fillWhere(out: Float64Array, mask: Float64Array, value: number): void {
  for (let i = 0; i < out.length; i++) if (mask[i] !== 0) out[i] = value;
}

/**
 * Elements start, start+step, … before end along `dim` (a view): PyTorch's slice, with
 * start and end already clamped into [0, size] and step ≥ 1.
 */
export function sliceView(x: NDArray, dim: number, start: number, length: number, step: number): NDArray {
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[dim] = length;
  strides[dim] = x.strides[dim]! * step;
  return new NDArray(x.storage, shape, strides, x.offset + (length > 0 ? start * x.strides[dim]! : 0));
}
