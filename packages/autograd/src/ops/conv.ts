import { DataError, kernels } from "@tapegrad/tensor";
import { defineOp, savesOther, type Op } from "../op.js";
import { Tensor } from "../tensor.js";

// The conv ops. unfold (im2col) and fold (col2im) are each other's adjoint, so each one's
// VJP is the other. The convolution is three ops that close under taking VJPs, as
// PyTorch's convolution and convolution_backward: y = conv2d(x, W) + b, its input gradient
// ∂x = conv2dInputGrad(g, W) = fold(Wᵀ·g) and its weight gradient
// ∂W = conv2dWeightGrad(g, x) = Σₙ gₙ·unfold(xₙ)ᵀ. Each is bilinear, so the VJP of each is
// made of the other two (with the incoming gradient in place of one operand), and
// gradients of gradients come for free. Their kernels work image by image: unfold into
// scratch memory, GEMM, fold; at stride 1 the input gradient is computed as the transposed
// convolution instead of a fold (kernels/conv.ts says why).

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

/** A convolution's window and its number of channel groups. */
export type ConvGeometry = kernels.ConvGeometry;

/** conv2dInputGrad's parameters: the convolution's geometry and the input's spatial size [H, W]. */
export interface ConvInputGradParams extends ConvGeometry {
  readonly inputSize: readonly [number, number];
}

/** The geometry alone, without an input size. */
function geometryOf({ kernelSize, dilation, stride, padding, blocks, groups }: ConvGeometry): ConvGeometry {
  return { kernelSize, dilation, stride, padding, blocks, groups };
}

/** y = conv(x, W) + b: `[N, C, H, W]`, `[O, C/G, kH, kW]`, `[O]` → `[N, O, oH, oW]`. */
export const conv2dOp: Op<ConvGeometry> = defineOp<ConvGeometry>({
  name: "conv2d",
  rule: "∂x = conv2dInputGrad(g, W), ∂W = conv2dWeightGrad(g, x), ∂b = Σ_{n,y,x} g",
  save: (needsGrad) => savesOther(needsGrad),
  forward: ([x, w, b], geometry) => kernels.conv2d(x!, w!, b, geometry),
  vjp: (g, { inputs: [x, w], inputShapes: [shapeX], needsGrad, params }) => [
    needsGrad[0] ? conv2dInputGradOp([g, w!], { ...geometryOf(params), inputSize: [shapeX![2]!, shapeX![3]!] }) : null,
    needsGrad[1] ? conv2dWeightGradOp([g, x!], geometryOf(params)) : null,
    // Σ over the positions first (the last, contiguous dimension: no reordering copy), then the images.
    needsGrad[2] ? g.flatten(2).sum(2).sum(0) : null,
  ],
});

/** ∂x of a convolution, fold(Wᵀ·g): `[N, O, oH, oW]`, `[O, C/G, kH, kW]` → `[N, C, H, W]`. */
export const conv2dInputGradOp: Op<ConvInputGradParams> = defineOp<ConvInputGradParams>({
  name: "conv2dInputGrad",
  rule: "∂g = conv2d(h, W), ∂W = conv2dWeightGrad(g, h)",
  save: savesOther,
  forward: ([g, w], params) => kernels.conv2dInputGrad(g!, w!, params.inputSize, params),
  vjp: (h, { inputs: [g, w], needsGrad, params }) => [
    needsGrad[0] ? conv2dOp([h, w!], geometryOf(params)) : null,
    needsGrad[1] ? conv2dWeightGradOp([g!, h], geometryOf(params)) : null,
  ],
});

/** ∂W of a convolution, Σₙ gₙ·unfold(xₙ)ᵀ: `[N, O, oH, oW]`, `[N, C, H, W]` → `[O, C/G, kH, kW]`. */
export const conv2dWeightGradOp: Op<ConvGeometry> = defineOp<ConvGeometry>({
  name: "conv2dWeightGrad",
  rule: "∂g = conv2d(x, H), ∂x = conv2dInputGrad(g, H)",
  save: savesOther,
  forward: ([g, x], geometry) => kernels.conv2dWeightGrad(g!, x!, geometry),
  vjp: (h, { inputs: [g, x], inputShapes: [, shapeX], needsGrad, params }) => [
    needsGrad[0] ? conv2dOp([x!, h], params) : null,
    needsGrad[1] ? conv2dInputGradOp([g!, h], { ...params, inputSize: [shapeX![2]!, shapeX![3]!] }) : null,
  ],
});

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
