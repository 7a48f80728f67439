// Free functions of the conv ops, as torch.conv1d / torch.conv2d and torch.nn.functional's
// unfold and fold, with their keyword arguments as a last options object.
import { DataError, ShapeError, checkOptions, formatShape, kernels } from "@tapegrad/tensor";
import { conv2dOp, foldOp, sizeTuple, tensorArg, unfoldOp, type ConvGeometry, type SizeArg, type SlidingWindow } from "../ops/conv.js";
import type { Tensor } from "../tensor.js";

export type { SizeArg, SlidingWindow, FoldParams, ConvGeometry, ConvInputGradParams } from "../ops/conv.js";

/** Options of conv1d and conv2d, as torch.nn.functional.conv2d's keywords. */
export interface ConvOptions {
  /** Step between window positions (default 1). */
  stride?: SizeArg;
  /**
   * Implicit zeros on both sides (default 0); 'valid' is 0, and 'same' (stride 1 only)
   * pads so the output has the input's size, one more zero after than before where the
   * total is odd, as PyTorch does.
   */
  padding?: SizeArg | "valid" | "same";
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Split the channels into this many groups, each convolved with its own filters (default 1). */
  groups?: number;
}

/** Options of unfold and fold, as torch.nn.functional.unfold's keywords. */
export interface UnfoldOptions {
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Implicit zeros on both sides of each spatial dimension (default 0). */
  padding?: SizeArg;
  /** Step between window positions (default 1). */
  stride?: SizeArg;
}

/** A convolution's settings for the 2-D core, padding split into before and after. */
interface ConvSettings {
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  /** [top, bottom, left, right]. */
  readonly padding: readonly [number, number, number, number];
  readonly groups: number;
}

/**
 * The settings of a convolution over `dims` spatial dimensions (1 or 2) from its options,
 * lifted to 2-D (a 1-D convolution is a 2-D one over a single row).
 */
function convSettings(op: string, options: unknown, kernel: readonly number[]): ConvSettings {
  const dims = kernel.length;
  const o = checkOptions(op, options, ["stride", "padding", "dilation", "groups"]);
  const stride = sizeTuple(op, "stride", o.stride ?? 1, dims, 1);
  const dilation = sizeTuple(op, "dilation", o.dilation ?? 1, dims, 1);
  const groups = o.groups ?? 1;
  if (typeof groups !== "number" || !Number.isInteger(groups) || groups < 1) throw new DataError(`${op}: groups must be a positive integer, got ${String(groups)}`);
  let before: number[];
  let after: number[];
  if (o.padding === "valid") before = after = new Array<number>(dims).fill(0);
  else if (o.padding === "same") {
    if (stride.some((s) => s !== 1)) throw new DataError(`${op}: padding 'same' is not supported for strided convolutions (stride ${JSON.stringify(stride)})`);
    const total = kernel.map((k, d) => dilation[d]! * (k - 1));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, d) => t - before[d]!);
  } else before = after = sizeTuple(op, "padding", o.padding ?? 0, dims, 0);
  const lift = (values: number[], one: number): [number, number] => (dims === 1 ? [one, values[0]!] : [values[0]!, values[1]!]);
  const [top, left] = lift(before, 0);
  const [bottom, right] = lift(after, 0);
  return { stride: lift(stride, 1), dilation: lift(dilation, 1), padding: [top, bottom, left, right], groups };
}

/** `[a, b]` or `[a]` as a message shows it. */
const tuple = (values: readonly number[]) => `(${values.join(" x ")})`;

/**
 * The 2-D convolution on batched input `[N, C, H, W]` with weight `[O, C/G, kH, kW]`: the
 * conv2d op (per image, unfold then one GEMM per group; its backward GEMMs plus a fold),
 * after checking the shapes as PyTorch does.
 */
function convolve(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, settings: ConvSettings, spatialDims: number): Tensor {
  const [, c, h, w] = x.shape as [number, number, number, number];
  const [o, cg, kh, kw] = weight.shape as [number, number, number, number];
  const { stride, dilation, padding, groups } = settings;
  const shown = (shape: readonly number[]) => formatShape(spatialDims === 1 ? [...shape.slice(0, 2), shape[3]!] : shape);
  if (c !== cg * groups) {
    throw new ShapeError(`${op}: given groups=${groups}, weight ${shown(weight.shape)} expects input with ${cg * groups} channels, got input ${shown(x.shape)}`);
  }
  if (o % groups !== 0) throw new ShapeError(`${op}: out channels ${o} (weight ${shown(weight.shape)}) must be divisible by groups=${groups}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== o)) throw new ShapeError(`${op}: bias must be [${o}] for weight ${shown(weight.shape)}, got ${formatShape(bias.shape)}`);
  const [top, bottom, left, right] = padding;
  const oh = kernels.windowPositions(h, kh, dilation[0], stride[0], top, bottom);
  const ow = kernels.windowPositions(w, kw, dilation[1], stride[1], left, right);
  if (oh <= 0 || ow <= 0) {
    const padded = spatialDims === 1 ? [w + left + right] : [h + top + bottom, w + left + right];
    const dilated = spatialDims === 1 ? [dilation[1] * (kw - 1) + 1] : [dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1];
    throw new ShapeError(`${op}: padded input size per channel ${tuple(padded)} is smaller than the (dilated) kernel ${tuple(dilated)}, for input ${shown(x.shape)}`);
  }
  const geometry: ConvGeometry = { kernelSize: [kh, kw], dilation, stride, padding: [top, left], blocks: [oh, ow], groups };
  return conv2dOp(bias === null ? [x, weight] : [x, weight, bias], geometry);
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch), as torch.nn.functional.conv2d:
 * input `[N, C, H, W]` (or unbatched `[C, H, W]`), weight `[O, C/groups, kH, kW]`, bias `[O]`
 * → `[N, O, oH, oW]` with oH = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
 * Runs image by image as im2col plus one GEMM per group, forward and backward.
 * @throws ShapeError when the shapes do not fit each other or the kernel does not fit in
 *   the padded input; DataError on an unknown option or a malformed size.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  const op = "conv2d";
  const x = tensorArg(op, "input", input);
  const w = tensorArg(op, "weight", weight);
  const b = bias === undefined || bias === null ? null : tensorArg(op, "bias", bias);
  if (w.ndim !== 4) throw new ShapeError(`${op}: expected weight [O, C/groups, kH, kW], got ${formatShape(w.shape)}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${op}: expected input [N, C, H, W] or [C, H, W], got ${formatShape(x.shape)}`);
  const settings = convSettings(op, options, w.shape.slice(2));
  const unbatched = x.ndim === 3;
  const y = convolve(op, unbatched ? x.unsqueeze(0) : x, w, b, settings, 2);
  return unbatched ? y.squeeze(0) : y;
}

/**
 * 1-D convolution, as torch.nn.functional.conv1d: input `[N, C, L]` (or unbatched `[C, L]`),
 * weight `[O, C/groups, k]`, bias `[O]` → `[N, O, oL]`; a 2-D convolution over one row.
 * @throws ShapeError when the shapes do not fit each other or the kernel does not fit in
 *   the padded input; DataError on an unknown option or a malformed size.
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvOptions = {}): Tensor {
  const op = "conv1d";
  const x = tensorArg(op, "input", input);
  const w = tensorArg(op, "weight", weight);
  const b = bias === undefined || bias === null ? null : tensorArg(op, "bias", bias);
  if (w.ndim !== 3) throw new ShapeError(`${op}: expected weight [O, C/groups, k], got ${formatShape(w.shape)}`);
  if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${op}: expected input [N, C, L] or [C, L], got ${formatShape(x.shape)}`);
  const settings = convSettings(op, options, w.shape.slice(2));
  const unbatched = x.ndim === 2;
  const x4 = (unbatched ? x.unsqueeze(0) : x).unsqueeze(2);
  const y = convolve(op, x4, w.unsqueeze(2), b, settings, 1).squeeze(2);
  return unbatched ? y.squeeze(0) : y;
}

/** unfold's and fold's window from their arguments, for an image of spatial size [H, W]. */
function unfoldWindow(op: string, kernelSize: unknown, options: unknown, size: readonly [number, number]): SlidingWindow {
  const o = checkOptions(op, options, ["dilation", "padding", "stride"]);
  const [kh, kw] = sizeTuple(op, "kernelSize", kernelSize, 2, 1) as [number, number];
  const dilation = sizeTuple(op, "dilation", o.dilation ?? 1, 2, 1) as [number, number];
  const padding = sizeTuple(op, "padding", o.padding ?? 0, 2, 0) as [number, number];
  const stride = sizeTuple(op, "stride", o.stride ?? 1, 2, 1) as [number, number];
  const blocks: [number, number] = [
    kernels.windowPositions(size[0], kh, dilation[0], stride[0], padding[0], padding[0]),
    kernels.windowPositions(size[1], kw, dilation[1], stride[1], padding[1], padding[1]),
  ];
  if (blocks[0] <= 0 || blocks[1] <= 0) {
    throw new ShapeError(`${op}: kernel ${tuple([kh, kw])} with dilation ${tuple(dilation)} does not fit in the padded size ${tuple([size[0] + 2 * padding[0], size[1] + 2 * padding[1]])}`);
  }
  return { kernelSize: [kh, kw], dilation, stride, padding, blocks };
}

/**
 * im2col, as torch.nn.functional.unfold: the values under each position of a sliding
 * window, one column per position: `[N, C, H, W] → [N, C·kH·kW, L]` (unbatched
 * `[C, H, W] → [C·kH·kW, L]`), L the number of positions; row `(c·kH + i)·kW + j` holds
 * channel c at kernel tap (i, j). Its gradient is fold.
 * @throws ShapeError unless input is 3-D or 4-D with room for the kernel; DataError on an unknown option or a malformed size.
 */
export function unfold(input: Tensor, kernelSize: SizeArg, options: UnfoldOptions = {}): Tensor {
  const op = "unfold";
  const x = tensorArg(op, "input", input);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${op}: expected input [N, C, H, W] or [C, H, W], got ${formatShape(x.shape)}`);
  const window = unfoldWindow(op, kernelSize, options, [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!]);
  const unbatched = x.ndim === 3;
  const cols = unfoldOp([unbatched ? x.unsqueeze(0) : x], window);
  return unbatched ? cols.squeeze(0) : cols;
}

/**
 * col2im, as torch.nn.functional.fold: sums sliding-window columns back into an image of
 * spatial size `outputSize`, overlapping values added: `[N, C·kH·kW, L] → [N, C, H, W]`
 * (unbatched `[C·kH·kW, L] → [C, H, W]`), L the number of window positions in [H, W].
 * The adjoint of unfold (their composition multiplies each pixel by the number of windows covering it).
 * @throws ShapeError when the input's sizes do not match the kernel and the positions; DataError on an unknown option or a malformed size.
 */
export function fold(input: Tensor, outputSize: SizeArg, kernelSize: SizeArg, options: UnfoldOptions = {}): Tensor {
  const op = "fold";
  const cols = tensorArg(op, "input", input);
  const size = sizeTuple(op, "outputSize", outputSize, 2, 1) as [number, number];
  const window = unfoldWindow(op, kernelSize, options, size);
  const [kh, kw] = window.kernelSize;
  const positions = window.blocks[0] * window.blocks[1];
  if ((cols.ndim !== 2 && cols.ndim !== 3) || cols.shape[cols.ndim - 2]! % (kh * kw) !== 0 || cols.shape[cols.ndim - 1] !== positions) {
    throw new ShapeError(`${op}: expected input [N, C·${kh * kw}, ${positions}] or [C·${kh * kw}, ${positions}] for output size ${tuple(size)} and kernel ${tuple([kh, kw])}, got ${formatShape(cols.shape)}`);
  }
  const unbatched = cols.ndim === 2;
  const image = foldOp([unbatched ? cols.unsqueeze(0) : cols], { ...window, outputSize: size });
  return unbatched ? image.squeeze(0) : image;
}
