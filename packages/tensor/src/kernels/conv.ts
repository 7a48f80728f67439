import { DataError, ShapeError, formatShape } from "../errors.js";
import { NDArray } from "../ndarray.js";
import { gemmStrided } from "./matmul.js";

// Kernels of the conv ops. im2col (unfold) and col2im (fold) walk one kernel tap (c, i, j)
// at a time and, for each output row, work out once which columns of the window fall
// inside the image, so the inner loop is a plain copy (or add) over a run of columns with
// zeros around it: no per-element bounds test, no closure. Any strides are read.
//
// The convolution kernels (conv2d and its two gradients) run image by image: unfold one
// image into a scratch buffer that stays in cache, one GEMM per group on it, and (for the
// input's gradient) fold the GEMM's result back. Unfolding the whole batch first would
// write and re-read C·kH·kW times the input through main memory (29 MB for a batch of 64
// 8-channel 28×28 images, 3×3): measured, that traffic and its page faults cost more
// than the GEMMs.

/**
 * Where a sliding window visits the last two dimensions of an image (rows, columns), as
 * torch.nn.functional.unfold describes it, plus how many positions it takes along each,
 * which fixes the padding after the last row and column (asymmetric for padding 'same'
 * with an even kernel).
 */
export interface SlidingWindow {
  /** [kernel rows, kernel columns]. */
  readonly kernelSize: readonly [number, number];
  /** Spacing between the kernel's taps, [rows, columns]. */
  readonly dilation: readonly [number, number];
  /** Step between window positions, [rows, columns]. */
  readonly stride: readonly [number, number];
  /** Implicit zeros before the first row and before the first column. */
  readonly padding: readonly [number, number];
  /** Window positions along the rows and along the columns: the output's spatial size. */
  readonly blocks: readonly [number, number];
}

/** A convolution's window and how many groups its channels are split into. */
export interface ConvGeometry extends SlidingWindow {
  readonly groups: number;
}

/**
 * How many positions a window takes along one dimension:
 * ⌊(size + before + after − dilation·(kernel − 1) − 1) / stride⌋ + 1, which is ≤ 0 when the
 * dilated kernel does not fit in the padded input.
 */
export function windowPositions(size: number, kernel: number, dilation: number, stride: number, before: number, after: number): number {
  return Math.floor((size + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
}

function checkWindow(op: string, window: SlidingWindow): void {
  const all = [...window.kernelSize, ...window.dilation, ...window.stride, ...window.padding, ...window.blocks];
  if (!all.every((v) => Number.isInteger(v))) throw new DataError(`${op}: window sizes must be integers, got ${JSON.stringify(window)}`);
  const positive = [...window.kernelSize, ...window.dilation, ...window.stride];
  if (positive.some((v) => v <= 0) || window.padding.some((v) => v < 0) || window.blocks.some((v) => v < 0)) {
    throw new DataError(`${op}: kernel size, dilation and stride must be positive, padding and blocks ≥ 0, got ${JSON.stringify(window)}`);
  }
}

/**
 * Unfolds one channel plane: writes its kH·kW rows of oH·oW values (row i·kW + j holding
 * tap (i, j) at every window position) into `out` from `at`. The plane starts at `plane`
 * in `src` with strides `strideH`, `strideW`.
 */
function unfoldPlane(src: Float64Array, plane: number, strideH: number, strideW: number, height: number, width: number, window: SlidingWindow, out: Float64Array, at: number): void {
  const [kh, kw] = window.kernelSize;
  const [dh, dw] = window.dilation;
  const [sh, sw] = window.stride;
  const [ph, pw] = window.padding;
  const [oh, ow] = window.blocks;
  const step = sw * strideW;
  for (let i = 0; i < kh; i++) {
    const rowOffset = i * dh - ph;
    for (let j = 0; j < kw; j++) {
      // Output columns q whose input column q·sw + columnOffset lies in [0, width): [start, end).
      const columnOffset = j * dw - pw;
      const start = columnOffset >= 0 ? 0 : Math.min(ow, Math.ceil(-columnOffset / sw));
      const end = Math.max(start, width - columnOffset > 0 ? Math.min(ow, Math.ceil((width - columnOffset) / sw)) : 0);
      for (let p = 0; p < oh; p++, at += ow) {
        const y = p * sh + rowOffset;
        if (y < 0 || y >= height) {
          for (let q = 0; q < ow; q++) out[at + q] = 0;
          continue;
        }
        let q = 0;
        for (; q < start; q++) out[at + q] = 0;
        let s = plane + y * strideH + (start * sw + columnOffset) * strideW;
        for (; q < end; q++, s += step) out[at + q] = src[s]!;
        for (; q < ow; q++) out[at + q] = 0;
      }
    }
  }
}

/**
 * Folds one channel's kH·kW rows back: adds each row's values (row r at `from + r·strideRow`,
 * values `strideL` apart) into the contiguous plane of `out` at `plane` where its window
 * covers it; values in the padding are dropped.
 */
function foldPlane(src: Float64Array, from: number, strideRow: number, strideL: number, height: number, width: number, window: SlidingWindow, out: Float64Array, plane: number): void {
  const [kh, kw] = window.kernelSize;
  const [dh, dw] = window.dilation;
  const [sh, sw] = window.stride;
  const [ph, pw] = window.padding;
  const [oh, ow] = window.blocks;
  for (let i = 0; i < kh; i++) {
    const rowOffset = i * dh - ph;
    for (let j = 0; j < kw; j++) {
      const columnOffset = j * dw - pw;
      const start = columnOffset >= 0 ? 0 : Math.min(ow, Math.ceil(-columnOffset / sw));
      const end = Math.max(start, width - columnOffset > 0 ? Math.min(ow, Math.ceil((width - columnOffset) / sw)) : 0);
      const row = from + (i * kw + j) * strideRow;
      for (let p = 0; p < oh; p++) {
        const y = p * sh + rowOffset;
        if (y < 0 || y >= height) continue;
        let s = row + (p * ow + start) * strideL;
        let t = plane + y * width + start * sw + columnOffset;
        for (let q = start; q < end; q++, s += strideL, t += sw) out[t]! += src[s]!;
      }
    }
  }
}

/**
 * im2col, as torch.nn.functional.unfold: every window position's values, one column per
 * position: `[N, C, H, W] → [N, C·kH·kW, oH·oW]`, row `(c·kH + i)·kW + j` holding input
 * channel c at kernel tap (i, j); positions in the padding read 0.
 * @throws ShapeError unless x is 4-D; DataError on a malformed window.
 */
export function unfold(x: NDArray, window: SlidingWindow): NDArray {
  if (x.ndim !== 4) throw new ShapeError(`unfold: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  checkWindow("unfold", window);
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const [kh, kw] = window.kernelSize;
  const positions = window.blocks[0] * window.blocks[1];
  const result = NDArray.empty([batch, channels * kh * kw, positions]);
  const out = result.data;
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  const rows = kh * kw * positions;
  for (let n = 0, at = result.offset; n < batch; n++) {
    for (let c = 0; c < channels; c++, at += rows) unfoldPlane(src, x.offset + n * strideN + c * strideC, strideH, strideW, height, width, window, out, at);
  }
  return result;
}

/**
 * col2im, as torch.nn.functional.fold: the adjoint of unfold, summing every column's values
 * back into the image at the positions its window covers (overlaps add up; values that
 * fall in the padding are dropped): `[N, C·kH·kW, oH·oW] → [N, C, H, W]` for
 * `outputSize` [H, W].
 * @throws ShapeError unless cols is 3-D with C·kH·kW rows and oH·oW columns; DataError on a malformed window.
 */
export function fold(cols: NDArray, outputSize: readonly [number, number], window: SlidingWindow): NDArray {
  checkWindow("fold", window);
  const [kh, kw] = window.kernelSize;
  const [oh, ow] = window.blocks;
  if (cols.ndim !== 3 || cols.shape[1]! % (kh * kw) !== 0 || cols.shape[2] !== oh * ow) {
    throw new ShapeError(`fold: expected input [N, C·${kh}·${kw}, ${oh}·${ow}], got ${formatShape(cols.shape)}`);
  }
  const [height, width] = outputSize;
  const [batch, rows] = cols.shape as [number, number];
  const channels = rows / (kh * kw);
  const result = NDArray.empty([batch, channels, height, width]);
  const out = result.data;
  out.fill(0, result.offset, result.offset + result.size);
  const src = cols.data;
  const [strideN, strideRow, strideL] = cols.strides as [number, number, number];
  const planeSize = height * width;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const from = cols.offset + n * strideN + c * kh * kw * strideRow;
      foldPlane(src, from, strideRow, strideL, height, width, window, out, result.offset + (n * channels + c) * planeSize);
    }
  }
  return result;
}

// Scratch memory of the convolution kernels, reused across calls (never a result): one
// image's columns, and one GEMM's product. Kernels run to completion one at a time.
let columnsScratch = new Float64Array(0);
let productScratch = new Float64Array(0);
function columnsOf(size: number): Float64Array {
  if (columnsScratch.length < size) columnsScratch = new Float64Array(size);
  return columnsScratch;
}
function productOf(size: number): Float64Array {
  if (productScratch.length < size) productScratch = new Float64Array(size);
  return productScratch;
}

/** The sizes of a convolution, checked: x `[N, C, H, W]`, weight `[O, C/G, kH, kW]`, output `[N, O, oH, oW]`. */
interface ConvSizes {
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly outChannels: number;
  /** Channels per group in and out. */
  readonly groupIn: number;
  readonly groupOut: number;
  /** Rows of a group's columns: (C/G)·kH·kW. */
  readonly taps: number;
  /** Window positions oH·oW. */
  readonly positions: number;
}

function convSizes(op: string, inputShape: readonly number[], weightShape: readonly number[], geometry: ConvGeometry): ConvSizes {
  checkWindow(op, geometry);
  const { groups } = geometry;
  const [kh, kw] = geometry.kernelSize;
  if (inputShape.length !== 4 || weightShape.length !== 4 || weightShape[2] !== kh || weightShape[3] !== kw || !Number.isInteger(groups) || groups <= 0) {
    throw new ShapeError(`${op}: expected input [N, C, H, W] and weight [O, C/groups, ${kh}, ${kw}], got ${formatShape(inputShape)} and ${formatShape(weightShape)}`);
  }
  const [batch, channels, height, width] = inputShape as [number, number, number, number];
  const [outChannels, groupIn] = weightShape as [number, number];
  if (channels !== groupIn * groups || outChannels % groups !== 0) {
    throw new ShapeError(`${op}: input ${formatShape(inputShape)} and weight ${formatShape(weightShape)} do not fit groups=${groups}`);
  }
  return { batch, channels, height, width, outChannels, groupIn, groupOut: outChannels / groups, taps: groupIn * kh * kw, positions: geometry.blocks[0] * geometry.blocks[1] };
}

/** x as contiguous memory when it is not already (a transposed weight). */
const dense = (x: NDArray): NDArray => (x.isContiguous() ? x : x.contiguous());

/**
 * A gradient `[N, O, oH, oW]` readable as one matrix `[O, oH·oW]` per image through its
 * strides: as it is when its last two dimensions merge (contiguous, or the all-zero strides
 * of a broadcast gradient such as sum's), else a contiguous copy.
 */
function imageMatrices(g: NDArray): NDArray {
  const [, , , ow] = g.shape as [number, number, number, number];
  return g.strides[2] === ow * g.strides[3]! ? g : g.contiguous();
}

/** Image n's rows o0.. of an imageMatrices result, as a GEMM operand [rows, oH·oW]. */
function imageRows(g: NDArray, n: number, o0: number) {
  return { data: g.data, offset: g.offset + n * g.strides[0]! + o0 * g.strides[1]!, rowStride: g.strides[1]!, colStride: g.strides[3]! };
}

/** The same rows transposed, [oH·oW, rows]. */
function imageRowsTransposed(g: NDArray, n: number, o0: number) {
  return { data: g.data, offset: g.offset + n * g.strides[0]! + o0 * g.strides[1]!, rowStride: g.strides[3]!, colStride: g.strides[1]! };
}

/**
 * 2-D convolution (cross-correlation), as torch.nn.functional.conv2d on batched input:
 * `[N, C, H, W]` with weight `[O, C/G, kH, kW]` (+ bias `[O]`) → `[N, O, oH, oW]`, G =
 * `geometry.groups`. Per image: unfold it, then per group the GEMM
 * W_g `[O/G, (C/G)·kH·kW]` · columns `[(C/G)·kH·kW, oH·oW]`, then the bias.
 * @throws ShapeError when the shapes do not fit each other and the window; DataError on a malformed window.
 */
export function conv2d(x: NDArray, weight: NDArray, bias: NDArray | undefined, geometry: ConvGeometry): NDArray {
  const s = convSizes("conv2d", x.shape, weight.shape, geometry);
  if (bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== s.outChannels)) throw new ShapeError(`conv2d: bias must be [${s.outChannels}], got ${formatShape(bias.shape)}`);
  const { batch, channels, height, width, outChannels, groupOut, taps, positions } = s;
  const result = NDArray.empty([batch, outChannels, geometry.blocks[0], geometry.blocks[1]]);
  const out = result.data;
  const w = dense(weight);
  const b = bias === undefined ? undefined : bias.values();
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  const planeTaps = geometry.kernelSize[0] * geometry.kernelSize[1] * positions;
  const columns = columnsOf(channels * planeTaps);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) unfoldPlane(src, x.offset + n * strideN + c * strideC, strideH, strideW, height, width, geometry, columns, c * planeTaps);
    for (let g = 0; g < geometry.groups; g++) {
      const filters = { data: w.data, offset: w.offset + g * groupOut * taps, rowStride: taps, colStride: 1 };
      const image = { data: columns, offset: g * taps * positions, rowStride: positions, colStride: 1 };
      gemmStrided(groupOut, positions, taps, filters, image, out, result.offset + (n * outChannels + g * groupOut) * positions);
    }
    if (b === undefined) continue;
    for (let o = 0; o < outChannels; o++) {
      const bo = b[o]!;
      const from = result.offset + (n * outChannels + o) * positions;
      for (let q = from; q < from + positions; q++) out[q]! += bo;
    }
  }
  return result;
}

/**
 * The gradient of conv2d with respect to its input: per image and group, the GEMM
 * W_gᵀ · g_g `[(C/G)·kH·kW, oH·oW]`, folded back into the image:
 * g `[N, O, oH, oW]`, weight `[O, C/G, kH, kW]` → `[N, C, H, W]` for `inputSize` [H, W].
 * Linear in g and in the weight.
 * @throws ShapeError when the shapes do not fit each other and the window; DataError on a malformed window.
 */
export function conv2dInputGrad(g: NDArray, weight: NDArray, inputSize: readonly [number, number], geometry: ConvGeometry): NDArray {
  const batch = g.shape[0] ?? 0;
  const [height, width] = inputSize;
  const s = convSizes("conv2dInputGrad", [batch, (weight.shape[1] ?? 0) * geometry.groups, height, width], weight.shape, geometry);
  if (g.ndim !== 4 || g.shape[1] !== s.outChannels || g.shape[2] !== geometry.blocks[0] || g.shape[3] !== geometry.blocks[1]) {
    throw new ShapeError(`conv2dInputGrad: expected a gradient [N, ${s.outChannels}, ${geometry.blocks.join(", ")}], got ${formatShape(g.shape)}`);
  }
  const { channels, groupIn, groupOut, taps, positions } = s;
  const result = NDArray.empty([batch, channels, height, width]);
  const out = result.data;
  out.fill(0, result.offset, result.offset + result.size);
  const w = dense(weight);
  const gg = imageMatrices(g);
  const product = productOf(taps * positions);
  const kernelTaps = geometry.kernelSize[0] * geometry.kernelSize[1];
  const planeSize = height * width;
  for (let n = 0; n < batch; n++) {
    for (let group = 0; group < geometry.groups; group++) {
      // W_gᵀ: W_g's strides swapped.
      const filtersT = { data: w.data, offset: w.offset + group * groupOut * taps, rowStride: 1, colStride: taps };
      gemmStrided(taps, positions, groupOut, filtersT, imageRows(gg, n, group * groupOut), product, 0);
      for (let c = 0; c < groupIn; c++) {
        foldPlane(product, c * kernelTaps * positions, positions, 1, height, width, geometry, out, result.offset + (n * channels + group * groupIn + c) * planeSize);
      }
    }
  }
  return result;
}

/**
 * The gradient of conv2d with respect to its weight: Σ over images of g_g · columns_gᵀ,
 * per group: g `[N, O, oH, oW]`, x `[N, C, H, W]` → `[O, C/G, kH, kW]`. Linear in g and in x.
 * Each image's term is computed transposed, columns_g · g_gᵀ, which reads the columns as
 * they lie (measured 2× faster than packing them transposed) and is added in transposed.
 * @throws ShapeError when the shapes do not fit each other and the window; DataError on a malformed window.
 */
export function conv2dWeightGrad(g: NDArray, x: NDArray, geometry: ConvGeometry): NDArray {
  const [kh, kw] = geometry.kernelSize;
  const outChannels = g.shape[1] ?? 0;
  const s = convSizes("conv2dWeightGrad", x.shape, [outChannels, (x.shape[1] ?? 0) / geometry.groups, kh, kw], geometry);
  if (g.ndim !== 4 || g.shape[0] !== s.batch || g.shape[2] !== geometry.blocks[0] || g.shape[3] !== geometry.blocks[1]) {
    throw new ShapeError(`conv2dWeightGrad: expected a gradient [${s.batch}, O, ${geometry.blocks.join(", ")}] for input ${formatShape(x.shape)}, got ${formatShape(g.shape)}`);
  }
  const { batch, channels, height, width, groupIn, groupOut, taps, positions } = s;
  const result = NDArray.empty([outChannels, groupIn, kh, kw]);
  const out = result.data;
  out.fill(0, result.offset, result.offset + result.size);
  const gg = imageMatrices(g);
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  const planeTaps = kh * kw * positions;
  const columns = columnsOf(channels * planeTaps);
  const product = productOf(taps * groupOut);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) unfoldPlane(src, x.offset + n * strideN + c * strideC, strideH, strideW, height, width, geometry, columns, c * planeTaps);
    for (let group = 0; group < geometry.groups; group++) {
      const groupColumns = { data: columns, offset: group * taps * positions, rowStride: positions, colStride: 1 };
      gemmStrided(taps, groupOut, positions, groupColumns, imageRowsTransposed(gg, n, group * groupOut), product, 0);
      // product is [taps, groupOut]: element (t, o) belongs at weight row o, tap t.
      const into = result.offset + group * groupOut * taps;
      for (let o = 0; o < groupOut; o++) {
        const row = into + o * taps;
        for (let t = 0, e = o; t < taps; t++, e += groupOut) out[row + t]! += product[e]!;
      }
    }
  }
  return result;
}
