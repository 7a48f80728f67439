import { checkBoolean, checkOptions, kernels, normalizeDim, normalizeDims, type NDArray } from "@tapegrad/tensor";
import { defineOp } from "../op.js";
import { Tensor } from "../tensor.js";
import { constant } from "./operand.js";

/** Which dimensions a reduction removes, already normalized, and whether it keeps them as size 1. */
export interface ReduceParams {
  readonly dims: readonly number[];
  readonly keepdim: boolean;
}

/** keepdim as PyTorch takes it: positionally, or as the keyword `{ keepdim }`. */
export type KeepdimArg = boolean | { readonly keepdim?: boolean };

/**
 * Reads keepdim, refusing anything but a boolean: JavaScript would take any truthy value,
 * so `{ keepdim: false }` read as a flag would silently keep the dimension.
 * @throws DataError naming the op and the value.
 */
export function readKeepdim(op: string, arg: KeepdimArg | undefined): boolean {
  if (arg === undefined || typeof arg === "boolean") return arg === true;
  if (typeof arg !== "object" || arg === null || Array.isArray(arg)) return checkBoolean(op, "keepdim", arg, false);
  return checkBoolean(op, "keepdim", checkOptions(op, arg, ["keepdim"]).keepdim, false);
}

/** Reads user-facing `dim`/`keepdim` into ReduceParams for an input of `ndim` dimensions. */
export function reduceParams(dim: number | readonly number[] | undefined, keepdim: KeepdimArg | undefined, ndim: number, op: string): ReduceParams {
  return { dims: normalizeDims(dim, ndim, op), keepdim: readKeepdim(op, keepdim) };
}

/**
 * The gradient of a reduction's output seen in the input's rank: reduced dimensions put
 * back as size 1, so it broadcasts against the input.
 */
export function restoreDims(g: Tensor, inputShape: readonly number[], { dims, keepdim }: ReduceParams): Tensor {
  if (keepdim) return g;
  return g.reshape(inputShape.map((s, i) => (dims.includes(i) ? 1 : s)));
}

/** Σ over dims. */
export const sum = defineOp<ReduceParams>({
  name: "sum",
  rule: "∂x = expand(g)",
  save: () => ({}),
  forward: ([x], { dims, keepdim }) => kernels.sum(x!, dims, keepdim),
  vjp: (g, { inputShapes: [shape], params }) => [restoreDims(g, shape!, params).expand(shape!)],
});

/** Mean over dims. */
export const mean = defineOp<ReduceParams>({
  name: "mean",
  rule: "∂x = expand(g) / n",
  save: () => ({}),
  forward: ([x], { dims, keepdim }) => kernels.mean(x!, dims, keepdim),
  vjp: (g, { inputShapes: [shape], params }) => {
    const count = params.dims.reduce((n, d) => n * shape![d]!, 1);
    return [restoreDims(g, shape!, params).div(count).expand(shape!)];
  },
});

/**
 * max and min with a dimension or without. With one dim (`x.max(1)`, torch.max(x, dim)) the
 * gradient goes to the one index argmax/argmin returns; without (`x.max()`) it is shared
 * evenly among the ties, as PyTorch's max() does (and among NaNs when the result is NaN).
 */
export interface ExtremeParams extends ReduceParams {
  /** The dimension given, normalized; undefined for a reduction over everything. */
  readonly dim: number | undefined;
}

/** Reads `dim` (one number, or undefined for all) and keepdim of max/min. */
function extremeParams(dim: number | undefined, keepdim: KeepdimArg | undefined, ndim: number, op: string): ExtremeParams {
  const params = reduceParams(dim, keepdim, ndim, op);
  return { ...params, dim: dim === undefined ? undefined : normalizeDim(dim, ndim, op) };
}

/**
 * The share of the gradient each input element gets from a reduction to `best` (kept dims):
 * [x = best] / #ties per slice. With `nanTies`, a NaN result is shared among the NaNs
 * (PyTorch's max()/min()); without, a NaN result gives NaN shares, as PyTorch's amax.
 */
function tieShares(x: Tensor, best: Tensor, dims: readonly number[], nanTies: boolean): Tensor {
  const hits = nanTies ? kernels.zip(x.array, best.array, (v, b) => (b !== b ? +(v !== v) : +(v === b)), "max") : kernels.eq(x.array, best.array);
  return constant(kernels.div(hits, kernels.sum(hits, dims, true)));
}

function extreme(name: "max" | "min", value: typeof kernels.max, index: typeof kernels.argmax) {
  return defineOp<ExtremeParams>({
    name,
    rule: `∂x = expand(g)·[i = arg${name}] along dim; without dim ∂x = expand(g)·[x = y] / #ties`,
    save: (_, { dim }) => (dim === undefined ? { inputs: [0], output: true } : {}),
    forward: ([x], { dims, keepdim, dim }, context) => {
      // The index is found once, in the forward, so the gradient goes where arg${name} points.
      if (dim !== undefined && context.recording) context.keep(index(x!, dim, true));
      return value(x!, dims, keepdim);
    },
    vjp: (g, context) => {
      const { params, inputShapes } = context;
      const shape = inputShapes[0]!;
      const grad = restoreDims(g, shape, params);
      if (params.dim !== undefined) return [grad.mul(constant(kernels.selectionMask(context.kept as NDArray, shape, params.dim)))];
      const x = context.inputs[0]!;
      return [grad.mul(tieShares(x, restoreDims(context.output, shape, params), params.dims, true))];
    },
  });
}

/** Largest value over one dim (gradient to argmax's index) or over everything (shared among ties). */
export const max = extreme("max", kernels.max, kernels.argmax);
/** Smallest value over one dim (gradient to argmin's index) or over everything (shared among ties). */
export const min = extreme("min", kernels.min, kernels.argmin);

function sharedExtreme(name: "amax" | "amin", value: typeof kernels.max) {
  return defineOp<ReduceParams>({
    name,
    rule: "∂x = expand(g)·[x = y] / #ties",
    save: () => ({ inputs: [0], output: true }),
    forward: ([x], { dims, keepdim }) => value(x!, dims, keepdim, name),
    vjp: (g, { inputs: [x], output, params }) => [restoreDims(g, x!.shape, params).mul(tieShares(x!, restoreDims(output, x!.shape, params), params.dims, false))],
  });
}

/** Largest value over dims; ties share the gradient evenly, as torch.amax. */
export const amax = sharedExtreme("amax", kernels.max);
/** Smallest value over dims; ties share the gradient evenly, as torch.amin. */
export const amin = sharedExtreme("amin", kernels.min);

/** log Σ exp over dims, stable for large logits. */
export const logsumexp = defineOp<ReduceParams>({
  name: "logsumexp",
  rule: "∂x = g·exp(x − y)  (= g·softmax(x))",
  save: () => ({ inputs: [0], output: true }),
  forward: ([x], { dims, keepdim }) => kernels.logsumexp(x!, dims, keepdim),
  vjp: (g, { inputs: [x], output, params }) => {
    const y = restoreDims(output, x!.shape, params);
    return [restoreDims(g, x!.shape, params).mul(x!.sub(y).exp())];
  },
});

/** The reduce methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface ReduceMethods {
  /** Sum over `dim` (all dimensions by default). */
  sum(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /** Mean over `dim` (all dimensions by default). */
  mean(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /**
   * Largest value over `dim` (all by default), values only (indices come from argmax), as
   * torch.max. With one dim the gradient goes to the index argmax returns (the first of
   * ties, or the first NaN); without a dim, and with a list of dims (which reduces as
   * amax), ties share it evenly. NaN wins: a slice holding NaN gives NaN.
   * `[..., n, ...] → [..., ...]` (kept as 1 with keepdim).
   * @throws ShapeError when a reduced dimension is empty or a dim is out of range.
   */
  max(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /**
   * Smallest value over `dim` (all by default), values only (indices come from argmin), as
   * torch.min; gradient and NaN as for max.
   * @throws ShapeError when a reduced dimension is empty or a dim is out of range.
   */
  min(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /**
   * Largest value over `dim` (all by default), as torch.amax: ties share the gradient
   * evenly; a slice holding NaN gives NaN (and a NaN gradient).
   * @throws ShapeError when a reduced dimension is empty or a dim is out of range.
   */
  amax(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /**
   * Smallest value over `dim` (all by default), as torch.amin: ties share the gradient
   * evenly; a slice holding NaN gives NaN.
   * @throws ShapeError when a reduced dimension is empty or a dim is out of range.
   */
  amin(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /** log Σ exp over `dim` (all by default), stable for large values. */
  logsumexp(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /** log softmax along `dim`: x − logsumexp(x), stable for logits of ±1000. */
  logSoftmax(dim: number): Tensor;
  /** softmax along `dim`, computed as exp(logSoftmax) so it never overflows. */
  softmax(dim: number): Tensor;
}

Tensor.prototype.sum = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return sum([this], reduceParams(dim, keepdim, this.ndim, "sum"));
};

Tensor.prototype.mean = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return mean([this], reduceParams(dim, keepdim, this.ndim, "mean"));
};

Tensor.prototype.max = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  if (Array.isArray(dim)) return amax([this], reduceParams(dim, keepdim, this.ndim, "max"));
  return max([this], extremeParams(dim as number | undefined, keepdim, this.ndim, "max"));
};

Tensor.prototype.min = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  if (Array.isArray(dim)) return amin([this], reduceParams(dim, keepdim, this.ndim, "min"));
  return min([this], extremeParams(dim as number | undefined, keepdim, this.ndim, "min"));
};

Tensor.prototype.amax = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return amax([this], reduceParams(dim, keepdim, this.ndim, "amax"));
};

Tensor.prototype.amin = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return amin([this], reduceParams(dim, keepdim, this.ndim, "amin"));
};

Tensor.prototype.logsumexp = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return logsumexp([this], reduceParams(dim, keepdim, this.ndim, "logsumexp"));
};

Tensor.prototype.logSoftmax = function (this: Tensor, dim: number): Tensor {
  normalizeDim(dim, this.ndim, "logSoftmax");
  return this.sub(this.logsumexp(dim, true));
};

Tensor.prototype.softmax = function (this: Tensor, dim: number): Tensor {
  normalizeDim(dim, this.ndim, "softmax");
  return this.logSoftmax(dim).exp();
};
