import { DataError, NDArray, ShapeError, checkOptions, formatShape, kernels, normalizeDim, optionalNumber } from "@tapegrad/tensor";
import { defineOp, type Op } from "../op.js";
import { Tensor } from "../tensor.js";
import { zeros } from "../creation.js";
import { cat } from "./join.js";
import { constant } from "./operand.js";
import { where } from "./where.js";

// Picking and placing values by index. Index tensors hold integers as float64 and get no
// gradient. Each picking op's VJP places the gradient back where the values came from,
// with the placing op (gather ↔ scatterAdd, indexSelect ↔ indexAdd), and each placing op's
// VJP picks: so gradients of gradients work in both directions.

/**
 * Zeros of `shape` as a broadcast of one 0 (no memory of that size): the placing kernels
 * start from fresh zero-filled memory instead of copying it.
 */
function zerosOf(shape: readonly number[]): Tensor {
  return constant(kernels.scalar(0).expand(shape));
}

/** The element `i` along `dim` (both normalized): a view without that dimension. */
export interface SelectParams {
  readonly dim: number;
  readonly index: number;
}

/** x[…, i, …] along dim: a view that drops the dimension. */
export const select = defineOp<SelectParams>({
  name: "select",
  rule: "∂x = g placed at index i along dim, zeros elsewhere",
  save: () => ({}),
  view: true,
  forward: ([x], { dim, index }) => x!.narrow(dim, index, 1).squeeze(dim),
  vjp: (g, { inputShapes: [shape], params: { dim, index } }) => {
    const before = shape!.map((s, i) => (i === dim ? index : s));
    const after = shape!.map((s, i) => (i === dim ? s - index - 1 : s));
    return [cat([zeros(before), g.unsqueeze(dim), zeros(after)], dim)];
  },
});

/** Where a slice starts (clamped into [0, size]), how many elements it keeps and its step (≥ 1). */
export interface SliceParams {
  readonly dim: number;
  readonly start: number;
  readonly length: number;
  readonly step: number;
}

/** Elements start, start+step, … along dim: a strided view of the same memory. */
export const slice = defineOp<SliceParams>({
  name: "slice",
  rule: "∂x = indexAdd(0, dim, [start, start+step, …], g)",
  save: () => ({}),
  view: true,
  forward: ([x], { dim, start, length, step }) => kernels.sliceView(x!, dim, start, length, step),
  vjp: (g, { inputShapes: [shape], params: { dim, start, length, step } }) => {
    const positions = constant(NDArray.arange(start, start + length * step, step).reshape([length]));
    return [indexAdd([zerosOf(shape!), positions, g], { dim, alpha: 1 })];
  },
});

/** The dimension (normalized) and the factor of indexAdd. */
export interface IndexAddParams {
  readonly dim: number;
  readonly alpha: number;
}

/** self + alpha·source added into the rows of self that a 1-D index picks along dim (torch.index_add). */
export const indexAdd: Op<IndexAddParams> = defineOp<IndexAddParams>({
  name: "indexAdd",
  rule: "∂self = g, ∂source = alpha·indexSelect(g, dim, index)",
  save: ([, , needsSource]) => ({ inputs: needsSource ? [1] : [] }),
  nondifferentiable: [1],
  forward: ([self, index, source], { dim, alpha }) => kernels.indexAdd(self!, dim, index!, source!, alpha),
  vjp: (g, { inputs: [, index], inputShapes, params: { dim, alpha }, needsGrad }) => {
    if (!needsGrad[2]) return [needsGrad[0] ? g : null, null, null];
    const picked = indexSelect([g, index!], dim);
    const scaled = alpha === 1 ? picked : picked.mul(alpha);
    // A 0-d self pairs with a one-element source of either rank.
    return [needsGrad[0] ? g : null, null, scaled.ndim === inputShapes[2]!.length ? scaled : scaled.reshape(inputShapes[2]!)];
  },
});

/** Rows of x that a 1-D index picks along dim (torch.index_select); the embedding lookup. */
export const indexSelect: Op<number> = defineOp<number>({
  name: "indexSelect",
  rule: "∂x = indexAdd(0, dim, index, g)",
  save: () => ({ inputs: [1] }),
  nondifferentiable: [1],
  forward: ([x, index], dim) => kernels.indexSelect(x!, dim, index!),
  vjp: (g, { inputs: [, index], inputShapes: [shape], params: dim }) => [indexAdd([zerosOf(shape!), index!, g], { dim, alpha: 1 }), null],
});

/** x's values at the positions an index gives along dim (torch.gather); cross-entropy's pick. */
export const gather: Op<number> = defineOp<number>({
  name: "gather",
  rule: "∂x = scatterAdd(0, dim, index, g)",
  save: () => ({ inputs: [1] }),
  nondifferentiable: [1],
  forward: ([x, index], dim) => kernels.gather(x!, dim, index!),
  vjp: (g, { inputs: [, index], inputShapes: [shape], params: dim }) => [scatterAdd([zerosOf(shape!), index!, g], dim), null],
});

/** self + src's values added at the positions an index gives along dim (torch.scatter_add). */
export const scatterAdd: Op<number> = defineOp<number>({
  name: "scatterAdd",
  rule: "∂self = g, ∂src = gather(g, dim, index) (0 where src is not read)",
  save: ([, , needsSrc]) => ({ inputs: needsSrc ? [1] : [] }),
  nondifferentiable: [1],
  forward: ([self, index, src], dim) => kernels.scatterAdd(self!, dim, index!, src!),
  vjp: (g, { inputs: [, index], inputShapes, params: dim, needsGrad }) => [needsGrad[0] ? g : null, null, needsGrad[2] ? padTo(gather([g, index!], dim), inputShapes[2]!) : null],
});

/**
 * Pads t with zeros after its end in each dimension up to `shape` (scatterAdd reads only
 * the leading corner of a src larger than its index, so the rest gets a zero gradient).
 */
function padTo(t: Tensor, shape: readonly number[]): Tensor {
  if (t.ndim !== shape.length) return t.reshape(shape);
  let padded = t;
  shape.forEach((size, d) => {
    const have = padded.shape[d]!;
    if (have < size) padded = cat([padded, zeros(padded.shape.map((s, i) => (i === d ? size - have : s)))], d);
  });
  return padded;
}

/** value where the 0/1 mask is 1, x elsewhere (torch.masked_fill); the mask gets no gradient. */
export const maskedFill: Op<number> = defineOp<number>({
  name: "maskedFill",
  rule: "∂x = g where mask = 0, else 0",
  save: () => ({ inputs: [1] }),
  nondifferentiable: [1],
  forward: ([x, mask], value) => kernels.maskedFill(x!, mask!, value),
  vjp: (g, { inputs: [, mask] }) => [maskedFill([g, mask!], 0), null],
});

/** Options of indexAdd, as torch.index_add's keyword. */
export interface IndexAddOptions {
  /** Factor of source (default 1). */
  alpha?: number;
}

/**
 * Checks that an index, mask or source is a Tensor: a nested array would otherwise fail
 * deep inside a kernel.
 * @throws DataError naming the op and the argument.
 */
export function checkTensor(op: string, name: string, value: unknown): Tensor {
  if (value instanceof Tensor) return value;
  const got = Array.isArray(value) ? "an array (wrap it with tensor(...))" : value === null ? "null" : typeof value;
  throw new DataError(`${op}: ${name} must be a Tensor, got ${got}`);
}

/** The indexing methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface IndexingMethods {
  /**
   * The slice at position `index` along `dim`, as torch.select: a view without that
   * dimension (`[a, n, b]` → `[a, b]` for dim 1); negative dim and index count from the end.
   * @throws ShapeError on a 0-d tensor or an invalid dim; DataError when index is not an integer in [−n, n).
   */
  select(dim: number, index: number): Tensor;
  /**
   * Elements start, start+step, … before end along `dim`, as Python's `x[start:end:step]`
   * on that dimension: a strided view of the same memory. start defaults to 0 and end to
   * the size; negatives count from the end and both clamp into [0, size].
   * @throws ShapeError on a 0-d tensor or an invalid dim; DataError when step is not a positive integer or start/end are not integers.
   */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor;
  /**
   * Rows picked along `dim` by a 1-D (or 0-d) index, as torch.index_select:
   * `[a, n, b]` with `[k]` → `[a, k, b]`. Gradients of repeated rows add up.
   * @throws ShapeError when index has more than one dimension; DataError for an index
   * that is not an integer in [0, n) (negatives included), naming its position and the bound.
   */
  indexSelect(dim: number, index: Tensor): Tensor;
  /**
   * Values picked along `dim` at the positions `index` gives, as torch.gather:
   * `out[i][j] = this[i][index[i][j]]` for dim 1; the output has index's shape.
   * @throws ShapeError unless index has this tensor's rank and sizes at most its sizes
   * outside dim; DataError for an index that is not an integer in [0, n).
   */
  gather(dim: number, index: Tensor): Tensor;
  /**
   * A copy of this tensor with src's values added at the positions `index` gives along
   * `dim`, as torch.scatter_add (out of place): `out[i][index[i][j]] += src[i][j]` for dim 1.
   * Repeated positions add up.
   * @throws ShapeError unless index has this tensor's rank, sizes at most src's everywhere
   * and at most this tensor's outside dim; DataError for an index that is not an integer in [0, n).
   */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
  /**
   * A copy of this tensor with alpha·source added into the rows a 1-D (or 0-d) index
   * picks along `dim`, as torch.index_add (out of place); source is `[a, k, b]` for this
   * `[a, n, b]` and `[k]` indices. Repeated indices add up.
   * @throws ShapeError for mismatched shapes; DataError for a bad index or alpha.
   */
  indexAdd(dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): Tensor;
  /**
   * value where the 0/1 mask is 1, this tensor elsewhere, as torch.masked_fill. The mask
   * broadcasts with this tensor (the result has the broadcast shape); value is a number or
   * a 0-d tensor (which then gets a gradient).
   * @throws DataError when the mask holds anything but 0 and 1; ShapeError when the shapes do not broadcast.
   */
  maskedFill(mask: Tensor, value: number | Tensor): Tensor;
}

Tensor.prototype.select = function (this: Tensor, dim: number, index: number): Tensor {
  if (this.ndim === 0) throw new ShapeError("select: cannot select from a 0-d tensor");
  const d = normalizeDim(dim, this.ndim, "select");
  const size = this.shape[d]!;
  if (typeof index !== "number" || !Number.isInteger(index) || index < -size || index >= size) {
    throw new DataError(`select: index ${String(index)} is out of range for dimension ${d} of size ${size} in ${formatShape(this.shape)} (expected an integer in [${-size}, ${size - 1}])`);
  }
  return select([this], { dim: d, index: index < 0 ? index + size : index });
};

Tensor.prototype.slice = function (this: Tensor, dim: number, start?: number, end?: number, step: number = 1): Tensor {
  if (this.ndim === 0) throw new ShapeError("slice: cannot slice a 0-d tensor");
  const d = normalizeDim(dim, this.ndim, "slice");
  const size = this.shape[d]!;
  if (typeof step !== "number" || !Number.isInteger(step) || step <= 0) throw new DataError(`slice: step must be a positive integer, got ${String(step)}`);
  const bound = (value: number | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value)) throw new DataError(`slice: ${name} must be an integer, got ${String(value)}`);
    return Math.min(Math.max(value < 0 ? value + size : value, 0), size);
  };
  const from = bound(start, "start", 0);
  const to = Math.max(bound(end, "end", size), from);
  return slice([this], { dim: d, start: from, length: Math.ceil((to - from) / step), step });
};

Tensor.prototype.indexSelect = function (this: Tensor, dim: number, index: Tensor): Tensor {
  return indexSelect([this, checkTensor("indexSelect", "index", index)], normalizeDim(dim, this.ndim, "indexSelect"));
};

Tensor.prototype.gather = function (this: Tensor, dim: number, index: Tensor): Tensor {
  return gather([this, checkTensor("gather", "index", index)], normalizeDim(dim, this.ndim, "gather"));
};

Tensor.prototype.scatterAdd = function (this: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const inputs = [this, checkTensor("scatterAdd", "index", index), checkTensor("scatterAdd", "src", src)];
  return scatterAdd(inputs, normalizeDim(dim, this.ndim, "scatterAdd"));
};

Tensor.prototype.indexAdd = function (this: Tensor, dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): Tensor {
  const alpha = optionalNumber("indexAdd", "alpha", checkOptions("indexAdd", options, ["alpha"]).alpha, 1);
  const inputs = [this, checkTensor("indexAdd", "index", index), checkTensor("indexAdd", "source", source)];
  return indexAdd(inputs, { dim: normalizeDim(dim, this.ndim, "indexAdd"), alpha });
};

Tensor.prototype.maskedFill = function (this: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  checkTensor("maskedFill", "mask", mask);
  if (typeof value === "number") return maskedFill([this, mask], value);
  if (!(value instanceof Tensor)) throw new DataError(`maskedFill: value must be a number or a 0-d Tensor, got ${value === null ? "null" : typeof value}`);
  if (value.ndim !== 0) throw new ShapeError(`maskedFill: a tensor value must be 0-d, got shape ${formatShape(value.shape)}`);
  // A tensor value may need a gradient (Σ g where the mask is 1): where() gives it one.
  kernels.readMask("maskedFill", mask.array);
  return where(mask, value, this);
};
