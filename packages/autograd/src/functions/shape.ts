// Free functions of the shape ops, as PyTorch has them (torch.split(x, 2), torch.flip(x, dims)),
// so code ports line by line. Each delegates to the Tensor method of the same name.
import type { Tensor } from "../tensor.js";

/**
 * Views of consecutive pieces of x along `dim`, as torch.split: pieces of `sizeOrSizes`
 * (the last smaller), or of the sizes listed.
 * @throws ShapeError for a 0-d tensor, a bad dim or sizes that do not add up to the dimension's size.
 * @throws DataError for a negative or non-integer size.
 */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  return x.split(sizeOrSizes, dim);
}

/**
 * n views of size ⌈size/n⌉ along `dim` (fewer when the sizes run out), as torch.chunk.
 * @throws DataError when n is not a positive integer.
 * @throws ShapeError for a 0-d tensor or a bad dim.
 */
export function chunk(x: Tensor, n: number, dim = 0): Tensor[] {
  return x.chunk(n, dim);
}

/**
 * The slices of x along `dim`, that dimension removed (views), as torch.unbind.
 * @throws ShapeError for a 0-d tensor or a bad dim.
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  return x.unbind(dim);
}

/**
 * A copy of x reversed along each of `dims` (a number or an array), as torch.flip.
 * @throws ShapeError for an out-of-range or repeated dimension.
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  return x.flip(typeof dims === "number" ? [dims] : dims);
}

/**
 * The outer product of two 1-D tensors, [n] ⊗ [m] → [n, m], as torch.outer.
 * @throws ShapeError unless both are 1-D.
 */
export function outer(x: Tensor, other: Tensor): Tensor {
  return x.outer(other);
}
