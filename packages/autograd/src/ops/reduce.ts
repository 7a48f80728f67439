import { kernels, normalizeDims } from "@tapegrad/tensor";
import { defineOp } from "../op.js";
import type { Tensor } from "../tensor.js";
import { constant } from "./operand.js";

/** Which dimensions a reduction removes, already normalized, and whether it keeps them as size 1. */
export interface ReduceParams {
  readonly dims: readonly number[];
  readonly keepdim: boolean;
}

/** Reads user-facing `dim`/`keepdim` into ReduceParams for an input of `ndim` dimensions. */
export function reduceParams(dim: number | readonly number[] | undefined, keepdim: boolean, ndim: number, op: string): ReduceParams {
  return { dims: normalizeDims(dim, ndim, op), keepdim };
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
