// Free functions of the reductions ops, as PyTorch has them (torch.gather(x, dim, index)), so code ports line by line.
// Each takes the tensor first and then the method's own arguments, and delegates to it.
import { DataError } from "@tapegrad/tensor";
import { Tensor } from "../tensor.js";
import type { AllcloseOptions } from "../ops/compare.js";
import type { KeepdimArg } from "../ops/reduce.js";
import type { VarianceOptions } from "../ops/statistics.js";

export type { AllcloseOptions } from "../ops/compare.js";
export type { VarianceOptions } from "../ops/statistics.js";

/** The input as a Tensor, or a DataError naming the function (torch.sum(3) is a TypeError too). */
function input(op: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  const got = x === null ? "null" : Array.isArray(x) ? "an array (wrap it with tensor(...))" : typeof x;
  throw new DataError(`${op}: expected a Tensor as the first argument, got ${got}`);
}

/**
 * Sum over `dim` (all by default), as torch.sum; see {@link Tensor.sum}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("sum", x).sum(dim, keepdim);
}

/**
 * Mean over `dim` (all by default), as torch.mean; see {@link Tensor.mean}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function mean(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("mean", x).mean(dim, keepdim);
}

/**
 * Largest value over `dim` (all by default), values only, as torch.max(x) and torch.max(x, dim).values; see {@link Tensor.max}.
 * @throws ShapeError when a reduced dimension is empty or a dim is invalid; DataError when x is not a Tensor.
 */
export function max(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("max", x).max(dim, keepdim);
}

/**
 * Smallest value over `dim` (all by default), values only, as torch.min(x) and torch.min(x, dim).values; see {@link Tensor.min}.
 * @throws ShapeError when a reduced dimension is empty or a dim is invalid; DataError when x is not a Tensor.
 */
export function min(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("min", x).min(dim, keepdim);
}

/**
 * Largest value over `dim` (all by default), ties sharing the gradient, as torch.amax; see {@link Tensor.amax}.
 * @throws ShapeError when a reduced dimension is empty or a dim is invalid; DataError when x is not a Tensor.
 */
export function amax(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("amax", x).amax(dim, keepdim);
}

/**
 * Smallest value over `dim` (all by default), ties sharing the gradient, as torch.amin; see {@link Tensor.amin}.
 * @throws ShapeError when a reduced dimension is empty or a dim is invalid; DataError when x is not a Tensor.
 */
export function amin(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("amin", x).amin(dim, keepdim);
}

/**
 * Index of the largest value along `dim` (of the flattened tensor by default), as torch.argmax; see {@link Tensor.argmax}.
 * @throws ShapeError when the dimension is empty or invalid; DataError when x is not a Tensor.
 */
export function argmax(x: Tensor, dim?: number, keepdim?: KeepdimArg): Tensor {
  return input("argmax", x).argmax(dim, keepdim);
}

/**
 * Index of the smallest value along `dim` (of the flattened tensor by default), as torch.argmin; see {@link Tensor.argmin}.
 * @throws ShapeError when the dimension is empty or invalid; DataError when x is not a Tensor.
 */
export function argmin(x: Tensor, dim?: number, keepdim?: KeepdimArg): Tensor {
  return input("argmin", x).argmin(dim, keepdim);
}

/**
 * log Σ exp over `dim` (all by default), as torch.logsumexp; see {@link Tensor.logsumexp}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function logsumexp(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("logsumexp", x).logsumexp(dim, keepdim);
}

/**
 * softmax along `dim`, as torch.softmax; see {@link Tensor.softmax}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return input("softmax", x).softmax(dim);
}

/**
 * log softmax along `dim`, as torch.log_softmax; see {@link Tensor.logSoftmax}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return input("logSoftmax", x).logSoftmax(dim);
}

/**
 * Variance over `dim` (all by default), as torch.var; see {@link Tensor.var}. Exported as
 * `var` (a reserved word in JavaScript: call it as `tg.var(x)` or import it renamed,
 * `import { var as variance }`).
 * @throws ShapeError on an invalid dim; DataError on bad options or when x is not a Tensor.
 */
function variance(x: Tensor, dim?: number | readonly number[], options?: VarianceOptions): Tensor {
  return input("var", x).var(dim, options);
}
export { variance as var };

/**
 * Standard deviation over `dim` (all by default), as torch.std; see {@link Tensor.std}.
 * @throws ShapeError on an invalid dim; DataError on bad options or when x is not a Tensor.
 */
export function std(x: Tensor, dim?: number | readonly number[], options?: VarianceOptions): Tensor {
  return input("std", x).std(dim, options);
}

/**
 * The vector p-norm over `dim` (all by default), as torch.norm with a number p and
 * torch.linalg.vector_norm; see {@link Tensor.norm}.
 * @throws DataError when p is not a number or x is not a Tensor; ShapeError on an invalid dim.
 */
export function norm(x: Tensor, p?: number, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("norm", x).norm(p, dim, keepdim);
}

/**
 * Product over `dim` (all by default), as torch.prod; see {@link Tensor.prod}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function prod(x: Tensor, dim?: number, keepdim?: KeepdimArg): Tensor {
  return input("prod", x).prod(dim, keepdim);
}

/**
 * Running sum along `dim`, as torch.cumsum; see {@link Tensor.cumsum}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  return input("cumsum", x).cumsum(dim);
}

/**
 * 1 where some value over `dim` (all by default) is nonzero, as torch.any; see {@link Tensor.any}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function any(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("any", x).any(dim, keepdim);
}

/**
 * 1 where every value over `dim` (all by default) is nonzero, as torch.all; see {@link Tensor.all}.
 * @throws ShapeError on an invalid dim; DataError when x is not a Tensor.
 */
export function all(x: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return input("all", x).all(dim, keepdim);
}

/**
 * Whether |a − b| ≤ atol + rtol·|b| everywhere, as torch.allclose; see {@link Tensor.allclose}.
 * @throws ShapeError when the shapes do not broadcast; DataError on bad options or a non-Tensor argument.
 */
export function allclose(a: Tensor, b: Tensor, options?: AllcloseOptions): boolean {
  return input("allclose", a).allclose(b, options);
}

/**
 * Whether a and b have the same shape and values, as torch.equal; see {@link Tensor.equal}.
 * @throws DataError when an argument is not a Tensor.
 */
export function equal(a: Tensor, b: Tensor): boolean {
  return input("equal", a).equal(b);
}
