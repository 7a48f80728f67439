import { DataError, kernels } from "@tapegrad/tensor";
import { defineOp, type Op } from "../op.js";
import { Tensor } from "../tensor.js";

// The conv ops: im2col (unfold) and col2im (fold), each other's adjoint, so each one's VJP
// is the other and gradients of gradients come for free. A convolution is composed from
// them in functions/conv.ts: unfold, then one GEMM per image against the weight (the
// matmul op), then the bias; its backward is the matmul's GEMMs plus a fold.

/** Where a sliding window visits an image's last two dimensions (see kernels.unfold). */
export type SlidingWindow = kernels.SlidingWindow;

/** fold's parameters: the window and the spatial size [H, W] of the image it sums into. */
export interface FoldParams extends SlidingWindow {
  readonly outputSize: readonly [number, number];
}

/** im2col: `[N, C, H, W] → [N, C·kH·kW, oH·oW]`, each column one window position's values. */
export const unfoldOp: Op<SlidingWindow> = defineOp<SlidingWindow>({
  name: "unfold",
  rule: "∂x = fold(g)",
  save: () => ({}),
  forward: ([x], window) => kernels.unfold(x!, window),
  vjp: (g, { inputShapes: [shape], params }) => [foldOp([g], { ...params, outputSize: [shape![2]!, shape![3]!] })],
});

/** col2im: `[N, C·kH·kW, oH·oW] → [N, C, H, W]`, each column's values summed back where its window lies. */
export const foldOp: Op<FoldParams> = defineOp<FoldParams>({
  name: "fold",
  rule: "∂cols = unfold(g)",
  save: () => ({}),
  forward: ([cols], params) => kernels.fold(cols!, params.outputSize, params),
  vjp: (g, { params }) => [unfoldOp([g], windowOf(params))],
});

/** The window alone, without fold's output size. */
function windowOf({ kernelSize, dilation, stride, padding, blocks }: SlidingWindow): SlidingWindow {
  return { kernelSize, dilation, stride, padding, blocks };
}

/** A size given as one number for every spatial dimension, or one per dimension, as PyTorch's `_pair`/`_single`. */
export type SizeArg = number | readonly number[];

/**
 * A size option as a tuple of `dims` integers: a number repeats, an array must have
 * `dims` entries. `min` is the smallest value allowed (1 for kernel sizes and strides,
 * 0 for padding).
 * @throws DataError naming the op and the option for anything else.
 */
export function sizeTuple(op: string, name: string, value: unknown, dims: number, min: number): number[] {
  const values = typeof value === "number" ? new Array<number>(dims).fill(value) : Array.isArray(value) && value.length === dims ? (value as number[]) : null;
  if (values === null || !values.every((v) => typeof v === "number" && Number.isInteger(v) && v >= min)) {
    const what = min === 0 ? "a non-negative integer" : "a positive integer";
    throw new DataError(`${op}: ${name} must be ${what} or ${dims === 1 ? "an array of one" : `an array of ${dims}`}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return values.slice();
}

/** A tensor argument checked: the op names it when it is missing or not a Tensor. */
export function tensorArg(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new DataError(`${op}: ${name} must be a Tensor, got ${value === null ? "null" : typeof value}`);
  return value;
}
