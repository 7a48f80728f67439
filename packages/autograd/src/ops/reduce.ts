import { checkBoolean, checkOptions, kernels, normalizeDim, normalizeDims } from "@tapegrad/tensor";
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
function restoreDims(g: Tensor, inputShape: readonly number[], { dims, keepdim }: ReduceParams): Tensor {
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

/** Largest value over dims; ties share the gradient evenly (as torch.amax). */
export const max = defineOp<ReduceParams>({
  name: "max",
  rule: "∂x = expand(g)·[x = max] / #ties",
  save: () => ({ inputs: [0], output: true }),
  forward: ([x], { dims, keepdim }) => kernels.max(x!, dims, keepdim),
  vjp: (g, { inputs: [x], output, params }) => {
    const best = restoreDims(output, x!.shape, params);
    const hits = kernels.eq(x!.array, best.array);
    const share = kernels.div(hits, kernels.sum(hits, params.dims, true));
    return [restoreDims(g, x!.shape, params).mul(constant(share))];
  },
});

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
   * Largest value over `dim` (all by default); ties share the gradient.
   * @throws ShapeError when a reduced dimension is empty.
   */
  max(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /** Smallest value over `dim` (all by default), as −max(−x). */
  min(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
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
  return max([this], reduceParams(dim, keepdim, this.ndim, "max"));
};

Tensor.prototype.min = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return this.neg().max(dim, readKeepdim("min", keepdim)).neg();
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
