import { checkBoolean, checkOptions, kernels, normalizeDim } from "@tapegrad/tensor";
import { defineOp } from "../op.js";
import { Tensor } from "../tensor.js";
import { gather } from "./indexing.js";

// Sorting ops compute indices (no derivative); the values are gather(x, dim, indices), so
// their gradient is gather's: each value's gradient goes back to the position it came from.

/** Options of sort and argsort, as torch.sort's keywords. */
export interface SortOptions {
  /** Largest first (default false). NaN counts as the largest value either way. */
  descending?: boolean;
  /** Keep equal values in their original order. Accepted for PyTorch's signature: tapegrad's sort is always stable. */
  stable?: boolean;
}

/** Options of topk, as torch.topk's keywords. */
export interface TopkOptions {
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
  /** Return them best first (default true). tapegrad always does; PyTorch leaves the order open when false. */
  sorted?: boolean;
}

/** What torch.sort and torch.topk return as a tuple: the values and where they came from (float64 integers). */
export interface ValuesAndIndices {
  /** The values, differentiable. */
  readonly values: Tensor;
  /** Their positions along the dimension, no gradient. */
  readonly indices: Tensor;
}

/** The sorted dimension (normalized) and the direction. */
export interface ArgsortParams {
  readonly dim: number;
  readonly descending: boolean;
}

/** Positions that sort x along dim, stably (no derivative: an index is piecewise constant). */
export const argsort = defineOp<ArgsortParams>({
  name: "argsort",
  rule: "no gradient: an index is piecewise constant",
  forward: ([x], { dim, descending }) => kernels.argsort(x!, dim, descending),
  vjp: null,
});

/** How many of the best values along which dimension (normalized), and largest or smallest. */
export interface TopkParams {
  readonly k: number;
  readonly dim: number;
  readonly largest: boolean;
}

/** Positions of the k best values along dim, best first (no derivative). */
export const topkIndices = defineOp<TopkParams>({
  name: "topkIndices",
  rule: "no gradient: an index is piecewise constant",
  forward: ([x], { k, dim, largest }) => kernels.topk(x!, k, dim, largest),
  vjp: null,
});

/** The sorting methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface SortingMethods {
  /**
   * Sorts along `dim` (default the last), as torch.sort: `{ values, indices }` of this
   * tensor's shape, values differentiable. Stable: equal values keep their order (as
   * torch.sort with stable=True); NaN sorts as the largest value.
   * @throws ShapeError on an invalid dim; DataError on an unknown or non-boolean option.
   */
  sort(dim?: number, options?: SortOptions): ValuesAndIndices;
  /**
   * The indices of sort(dim, options) alone, as torch.argsort (no gradient).
   * @throws ShapeError on an invalid dim; DataError on an unknown or non-boolean option.
   */
  argsort(dim?: number, options?: SortOptions): Tensor;
  /**
   * The k largest (or smallest) values along `dim` (default the last) and their indices,
   * best first, as torch.topk: this tensor's shape with k along dim. Equal values come in
   * their original order (PyTorch leaves that order unspecified); NaN counts as largest.
   * @throws DataError when k is not an integer in [0, size of dim] or on a bad option; ShapeError on an invalid dim.
   */
  topk(k: number, dim?: number, options?: TopkOptions): ValuesAndIndices;
}

function sortParams(op: string, t: Tensor, dim: number, options: SortOptions | undefined): ArgsortParams {
  const checked = checkOptions(op, options, ["descending", "stable"]);
  checkBoolean(op, "stable", checked.stable, true);
  return { dim: normalizeDim(dim, t.ndim, op), descending: checkBoolean(op, "descending", checked.descending, false) };
}

Tensor.prototype.sort = function (this: Tensor, dim: number = -1, options?: SortOptions): ValuesAndIndices {
  const params = sortParams("sort", this, dim, options);
  const indices = argsort([this], params);
  return { values: gather([this, indices], params.dim), indices };
};

Tensor.prototype.argsort = function (this: Tensor, dim: number = -1, options?: SortOptions): Tensor {
  return argsort([this], sortParams("argsort", this, dim, options));
};

Tensor.prototype.topk = function (this: Tensor, k: number, dim: number = -1, options?: TopkOptions): ValuesAndIndices {
  const checked = checkOptions("topk", options, ["largest", "sorted"]);
  checkBoolean("topk", "sorted", checked.sorted, true);
  const d = normalizeDim(dim, this.ndim, "topk");
  const indices = topkIndices([this], { k, dim: d, largest: checkBoolean("topk", "largest", checked.largest, true) });
  return { values: gather([this, indices], d), indices };
};
