// Free functions of the pooling ops, as torch.nn.functional's max_pool1d/2d and
// avg_pool1d/2d, with their keyword arguments as a last options object.
import { DataError, ShapeError, checkBoolean, checkOptions, formatShape, kernels } from "@tapegrad/tensor";
import { sizeTuple, tensorArg, type SizeArg, type SlidingWindow } from "../ops/conv.js";
import { avgPool2dOp, maxPool2dOp } from "../ops/pooling.js";
import type { ValuesAndIndices } from "../ops/sorting.js";
import { Tensor } from "../tensor.js";

/** Options of maxPool1d and maxPool2d, as torch.nn.functional.max_pool2d's keywords. */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit −∞ on both sides, at most half the kernel size (default 0). */
  padding?: SizeArg;
  /** Spacing between the window's taps (default 1). */
  dilation?: SizeArg;
  /** Round the output size up instead of down, so a last partial window counts (default false). */
  ceilMode?: boolean;
  /** Also return the flat position of each maximum within its plane (default false). */
  returnIndices?: boolean;
}

/** Options of avgPool1d and avgPool2d, as torch.nn.functional.avg_pool2d's keywords. */
export interface AvgPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit zeros on both sides, at most half the kernel size (default 0). */
  padding?: SizeArg;
  /** Round the output size up instead of down, so a last partial window counts (default false). */
  ceilMode?: boolean;
  /** Count the padding's zeros in each window's size (default true). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead of its size (2-D only, default none). */
  divisorOverride?: number | null;
}

/**
 * Output size of pooling along one dimension, as PyTorch's pooling_output_shape: rounded
 * down, or up with ceilMode, except that the last window must start inside the input or
 * its left padding.
 */
function pooledSize(size: number, kernel: number, padding: number, stride: number, dilation: number, ceilMode: boolean): number {
  let out = Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padding) out--;
  return out;
}

/** The window of a pooling op over `dims` spatial dimensions (1 or 2), lifted to 2-D, checked as PyTorch checks it. */
function poolWindow(op: string, x: Tensor, dims: number, kernelSize: unknown, o: Record<string, unknown>, withDilation: boolean): SlidingWindow {
  const kernel = sizeTuple(op, "kernelSize", kernelSize, dims, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : sizeTuple(op, "stride", o.stride, dims, 1);
  const padding = sizeTuple(op, "padding", o.padding ?? 0, dims, 0);
  const dilation = withDilation ? sizeTuple(op, "dilation", o.dilation ?? 1, dims, 1) : new Array<number>(dims).fill(1);
  const ceilMode = checkBoolean(op, "ceilMode", o.ceilMode, false);
  if (padding.some((p, d) => p > kernel[d]! / 2)) {
    throw new DataError(`${op}: padding must be at most half the kernel size, got padding ${JSON.stringify(padding)} for kernel ${JSON.stringify(kernel)}`);
  }
  const spatial = x.shape.slice(x.ndim - dims);
  const blocks = spatial.map((size, d) => pooledSize(size, kernel[d]!, padding[d]!, stride[d]!, dilation[d]!, ceilMode));
  if (blocks.some((b) => b <= 0)) {
    throw new ShapeError(`${op}: input ${formatShape(x.shape)} gives an output size of ${formatShape(blocks)}, which is too small, for kernel ${JSON.stringify(kernel)}`);
  }
  const lift = (values: readonly number[], one: number): [number, number] => (dims === 1 ? [one, values[0]!] : [values[0]!, values[1]!]);
  return { kernelSize: lift(kernel, 1), stride: lift(stride, 1), padding: lift(padding, 0), dilation: lift(dilation, 1), blocks: lift(blocks, 1) };
}

/**
 * The input as [N, C, H, W] for a pooling op over `dims` spatial dimensions, and the
 * function that gives the result the input's layout back (unbatched, or 1-D).
 */
function asImages(op: string, input: unknown, dims: number): { x: Tensor; images: Tensor; restore: (y: Tensor) => Tensor } {
  const x = tensorArg(op, "input", input);
  const names = dims === 1 ? "[N, C, L] or [C, L]" : "[N, C, H, W] or [C, H, W]";
  if ((x.ndim !== dims + 1 && x.ndim !== dims + 2) || x.shape.slice(x.ndim - dims - 1).some((s) => s === 0)) {
    throw new ShapeError(`${op}: expected input ${names} with non-zero channels and sizes, got ${formatShape(x.shape)}`);
  }
  const unbatched = x.ndim === dims + 1;
  let images = unbatched ? x.unsqueeze(0) : x;
  if (dims === 1) images = images.unsqueeze(2);
  const restore = (y: Tensor) => {
    const z = dims === 1 ? y.squeeze(2) : y;
    return unbatched ? z.squeeze(0) : z;
  };
  return { x, images, restore };
}

function maxPool(op: string, dims: number, input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions): Tensor | ValuesAndIndices {
  const o = checkOptions(op, options, ["stride", "padding", "dilation", "ceilMode", "returnIndices"]);
  const returnIndices = checkBoolean(op, "returnIndices", o.returnIndices, false);
  const { x, images, restore } = asImages(op, input, dims);
  const window = poolWindow(op, x, dims, kernelSize, o, true);
  const values = restore(maxPool2dOp([images], window));
  if (!returnIndices) return values;
  // The positions again, from the kernel alone: only when asked for, so the op keeps one result.
  const indices = restore(new Tensor(kernels.maxPool2d(images.array, window).indices));
  return { values, indices };
}

/**
 * The maximum over each window, as torch.nn.functional.max_pool2d: `[N, C, H, W] → [N, C, oH, oW]`
 * (or unbatched `[C, H, W] → [C, oH, oW]`), oH = ⌊(H + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1
 * (⌈⌉ with ceilMode). Padding counts as −∞; the gradient goes to the first maximum of each
 * window. With `returnIndices`, returns `{ values, indices }`, indices the flat positions
 * y·W + x of the maxima within their planes.
 * @throws ShapeError for an input of the wrong rank or too small for the window; DataError
 *   on an unknown option, a malformed size, or padding over half the kernel.
 */
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions & { returnIndices: true }): ValuesAndIndices;
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions = {}): Tensor | ValuesAndIndices {
  return maxPool("maxPool2d", 2, input, kernelSize, options);
}

/**
 * The maximum over each window along the last dimension, as torch.nn.functional.max_pool1d:
 * `[N, C, L] → [N, C, oL]` (or unbatched `[C, L] → [C, oL]`); see maxPool2d.
 * @throws ShapeError for an input of the wrong rank or too small for the window; DataError
 *   on an unknown option, a malformed size, or padding over half the kernel.
 */
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions & { returnIndices: true }): ValuesAndIndices;
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options?: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, kernelSize: SizeArg, options: MaxPoolOptions = {}): Tensor | ValuesAndIndices {
  return maxPool("maxPool1d", 1, input, kernelSize, options);
}

function avgPool(op: string, dims: number, input: Tensor, kernelSize: SizeArg, options: AvgPoolOptions): Tensor {
  const o = checkOptions(op, options, ["stride", "padding", "ceilMode", "countIncludePad", ...(dims === 2 ? ["divisorOverride"] : [])]);
  const countIncludePad = checkBoolean(op, "countIncludePad", o.countIncludePad, true);
  const divisor = o.divisorOverride ?? null;
  if (divisor !== null && (typeof divisor !== "number" || !Number.isInteger(divisor) || divisor === 0)) {
    throw new DataError(`${op}: divisorOverride must be a non-zero integer, got ${JSON.stringify(divisor)}`);
  }
  const { x, images, restore } = asImages(op, input, dims);
  const window = poolWindow(op, x, dims, kernelSize, o, false);
  return restore(avgPool2dOp([images], { ...window, countIncludePad, divisorOverride: divisor as number | null }));
}

/**
 * The mean over each window, as torch.nn.functional.avg_pool2d: `[N, C, H, W] → [N, C, oH, oW]`
 * (or unbatched `[C, H, W] → [C, oH, oW]`). Each window's sum is divided by its size with the
 * padding (countIncludePad, the default) or without, or by divisorOverride.
 * @throws ShapeError for an input of the wrong rank or too small for the window; DataError
 *   on an unknown option, a malformed size, or padding over half the kernel.
 */
export function avgPool2d(input: Tensor, kernelSize: SizeArg, options: AvgPoolOptions = {}): Tensor {
  return avgPool("avgPool2d", 2, input, kernelSize, options);
}

/**
 * The mean over each window along the last dimension, as torch.nn.functional.avg_pool1d:
 * `[N, C, L] → [N, C, oL]` (or unbatched `[C, L] → [C, oL]`); see avgPool2d (no divisorOverride, as in PyTorch).
 * @throws ShapeError for an input of the wrong rank or too small for the window; DataError
 *   on an unknown option, a malformed size, or padding over half the kernel.
 */
export function avgPool1d(input: Tensor, kernelSize: SizeArg, options: Omit<AvgPoolOptions, "divisorOverride"> = {}): Tensor {
  return avgPool("avgPool1d", 1, input, kernelSize, options);
}
