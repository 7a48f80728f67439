// Free functions of the indexing ops, as PyTorch has them (torch.gather(x, dim, index)), so code ports line by line.
import type { Tensor } from "../tensor.js";
import { checkTensor, type IndexAddOptions } from "../ops/indexing.js";
import type { SortOptions, TopkOptions, ValuesAndIndices } from "../ops/sorting.js";

export type { IndexAddOptions } from "../ops/indexing.js";
export type { SortOptions, TopkOptions, ValuesAndIndices } from "../ops/sorting.js";

/**
 * The slice at position `index` along `dim`, as torch.select: a view without that dimension.
 * @throws ShapeError on a 0-d input or an invalid dim; DataError when index is not an integer in [−n, n).
 */
export function select(input: Tensor, dim: number, index: number): Tensor {
  return checkTensor("select", "input", input).select(dim, index);
}

/**
 * Rows picked along `dim` by a 1-D (or 0-d) index, as torch.index_select: `[a, n, b]` with `[k]` → `[a, k, b]`.
 * @throws ShapeError when index has more than one dimension; DataError for an index that is not an integer in [0, n).
 */
export function indexSelect(input: Tensor, dim: number, index: Tensor): Tensor {
  return checkTensor("indexSelect", "input", input).indexSelect(dim, index);
}

/**
 * Values picked along `dim` at the positions `index` gives, as torch.gather; the output has index's shape.
 * @throws ShapeError unless index has input's rank and sizes at most input's outside dim; DataError for a bad index.
 */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  return checkTensor("gather", "input", input).gather(dim, index);
}

/**
 * A copy of input with src's values added at the positions `index` gives along `dim`, as torch.scatter_add.
 * @throws ShapeError unless index has input's rank, sizes at most src's and at most input's outside dim; DataError for a bad index.
 */
export function scatterAdd(input: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return checkTensor("scatterAdd", "input", input).scatterAdd(dim, index, src);
}

/**
 * A copy of input with alpha·source added into the rows a 1-D index picks along `dim`, as torch.index_add.
 * @throws ShapeError for mismatched shapes; DataError for a bad index or alpha.
 */
export function indexAdd(input: Tensor, dim: number, index: Tensor, source: Tensor, options?: IndexAddOptions): Tensor {
  return checkTensor("indexAdd", "input", input).indexAdd(dim, index, source, options);
}

/**
 * value where the 0/1 mask is 1, input elsewhere, as torch.masked_fill (mask and input broadcast).
 * @throws DataError when the mask holds anything but 0 and 1; ShapeError when the shapes do not broadcast.
 */
export function maskedFill(input: Tensor, mask: Tensor, value: number | Tensor): Tensor {
  return checkTensor("maskedFill", "input", input).maskedFill(mask, value);
}

/**
 * Sorts along `dim` (default the last), stably, as torch.sort: `{ values, indices }`.
 * @throws ShapeError on an invalid dim; DataError on a bad option.
 */
export function sort(input: Tensor, dim?: number, options?: SortOptions): ValuesAndIndices {
  return checkTensor("sort", "input", input).sort(dim, options);
}

/**
 * The indices that sort input along `dim` (default the last), stably, as torch.argsort.
 * @throws ShapeError on an invalid dim; DataError on a bad option.
 */
export function argsort(input: Tensor, dim?: number, options?: SortOptions): Tensor {
  return checkTensor("argsort", "input", input).argsort(dim, options);
}

/**
 * The k largest (or smallest) values along `dim` (default the last) with their indices, best first, as torch.topk.
 * @throws DataError when k is not an integer in [0, size of dim] or on a bad option; ShapeError on an invalid dim.
 */
export function topk(input: Tensor, k: number, dim?: number, options?: TopkOptions): ValuesAndIndices {
  return checkTensor("topk", "input", input).topk(k, dim, options);
}
