import { DataError, ShapeError, formatShape } from "../errors.js";
import { NDArray } from "../ndarray.js";
import { gemmWorkspace, type GemmWorkspace } from "./gemm-workspace.js";

// Kernels of the conv ops. im2col (unfold) and col2im (fold) walk one kernel tap (c, i, j)
// at a time and, for each output row, work out once which columns of the window fall
// inside the image, so the inner loop is a plain copy (or add) over a run of columns with
// zeros around it: no per-element bounds test, no closure. Any strides are read.
//
// The convolution kernels (conv2d and its two gradients) run image by image: unfold one
// image into scratch memory that stays in cache, one GEMM per group on it, and (for the
// input's gradient) fold the GEMM's result back. That scratch is a GemmWorkspace: the GEMM
// kernel's own memory wherever the product runs on WebAssembly, so the columns are written
// once, where the kernel reads them, and the product is read where the kernel wrote it
// (unfolding into a JavaScript array that the GEMM then copied in, and copying its product
// out, made the digits convnet's training step 1.2× as long). Unfolding the whole batch
// first would write and re-read C·kH·kW times the input through main memory (29 MB for a
// batch of 64 8-channel 28×28 images, 3×3): measured, that traffic and its page faults
// cost more than the GEMMs. Stride-1 convolutions (most of them) go further, on the wide
// grid (see WideGrid): unfolding becomes one memmove per channel and tap.

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

// The padded plane foldWide sums one channel in, reused across calls (never a result).
// Kernels run to completion one at a time.
let foldScratch = new Float64Array(0);
function foldPlaneOf(size: number): Float64Array {
  if (foldScratch.length < size) foldScratch = new Float64Array(size);
  return foldScratch;
}

/**
 * The wide grid of a stride-1 convolution: each input plane is copied once into a zero-
 * padded plane `paddedWidth` = oW + dW·(kW − 1) wide, and outputs are computed at every
 * column of that width, the last dW·(kW − 1) of each row being discarded. Then tap (i, j)'s
 * row of the columns is one contiguous run of the padded plane, from i·dH·paddedWidth + j·dW,
 * copied with one memmove instead of value by value, and folding it back is one
 * branch-free loop; the GEMMs grow by paddedWidth / oW (7% for 28×28, 3×3). Each padded
 * plane keeps dW·(kW − 1) zeros of slack after it for the last tap's overrun. The
 * discarded columns read real pixels (wrapped from the next row); the weight gradient
 * multiplies them by the zeros the gradient has there, so only a non-finite input (0·∞)
 * can reach a result through them.
 */
interface WideGrid {
  readonly width: number;
  readonly planeStride: number;
  /** Columns of the wide grid, oH·paddedWidth. */
  readonly positions: number;
}

/** The wide grid of a convolution, or null when it has a stride or its window leaves part of the image unread. */
function wideGrid(height: number, width: number, window: SlidingWindow): WideGrid | null {
  const [kh, kw] = window.kernelSize;
  const [dh, dw] = window.dilation;
  const [oh, ow] = window.blocks;
  if (window.stride[0] !== 1 || window.stride[1] !== 1) return null;
  const paddedHeight = oh + dh * (kh - 1);
  const paddedWidth = ow + dw * (kw - 1);
  if (paddedHeight < window.padding[0] + height || paddedWidth < window.padding[1] + width) return null;
  return { width: paddedWidth, planeStride: paddedHeight * paddedWidth + dw * (kw - 1), positions: oh * paddedWidth };
}

/** Copies image n's channels into the padded planes from `planesAt` in `work` (their borders stay as they are: zero). */
function loadPlanes(x: NDArray, n: number, grid: WideGrid, window: SlidingWindow, work: Float64Array, planesAt: number): void {
  const [, channels, height, width] = x.shape as [number, number, number, number];
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  const src = x.data;
  const interior = planesAt + window.padding[0] * grid.width + window.padding[1];
  for (let c = 0; c < channels; c++) {
    const plane = x.offset + n * strideN + c * strideC;
    for (let y = 0; y < height; y++) {
      const to = c * grid.planeStride + interior + y * grid.width;
      const from = plane + y * strideH;
      for (let q = 0; q < width; q++) work[to + q] = src[from + q * strideW]!;
    }
  }
}

/** Unfolds the padded planes at `planesAt` in a workspace into its columns at `columnsAt`: one memmove per channel and tap. */
function unfoldWide(channels: number, grid: WideGrid, window: SlidingWindow, space: GemmWorkspace, planesAt: number, columnsAt: number): void {
  const [kh, kw] = window.kernelSize;
  const [dh, dw] = window.dilation;
  const length = grid.positions;
  for (let c = 0, at = columnsAt; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, at += length) {
        const from = planesAt + c * grid.planeStride + i * dh * grid.width + j * dw;
        space.copy(at, from, length);
      }
    }
  }
}

/** Writes image n's gradient `[O, oH, oW]` onto the wide grid `[O, oH·paddedWidth]` at `at` in `wide` (the extra columns stay zero). */
function loadWideGradient(g: NDArray, n: number, grid: WideGrid, wide: Float64Array, at: number): void {
  const [, outChannels, oh, ow] = g.shape as [number, number, number, number];
  const [strideN, strideC, strideH, strideW] = g.strides as [number, number, number, number];
  const src = g.data;
  for (let o = 0; o < outChannels; o++) {
    for (let p = 0; p < oh; p++) {
      const to = at + o * grid.positions + p * grid.width;
      const from = g.offset + n * strideN + o * strideC + p * strideH;
      for (let q = 0; q < ow; q++) wide[to + q] = src[from + q * strideW]!;
    }
  }
}

/** Writes image n's gradient `[O, oH, oW]` as contiguous rows `[O, oH·oW]` at `at` in `memory`, whatever its strides. */
function loadImageGradient(g: NDArray, n: number, memory: Float64Array, at: number): void {
  const [, outChannels, oh, ow] = g.shape as [number, number, number, number];
  const [strideN, strideC, strideH, strideW] = g.strides as [number, number, number, number];
  const src = g.data;
  const image = g.offset + n * strideN;
  if (strideW === 1 && strideH === ow && strideC === oh * ow) {
    memory.set(src.subarray(image, image + outChannels * oh * ow), at);
    return;
  }
  for (let o = 0, to = at; o < outChannels; o++) {
    for (let p = 0; p < oh; p++) {
      const from = image + o * strideC + p * strideH;
      for (let q = 0; q < ow; q++) memory[to++] = src[from + q * strideW]!;
    }
  }
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
 * 2-D convolution (cross-correlation), as torch.nn.functional.conv2d on batched input:
 * `[N, C, H, W]` with weight `[O, C/G, kH, kW]` (+ bias `[O]`) → `[N, O, oH, oW]`, G =
 * `geometry.groups`. Per image: unfold it, then per group the GEMM
 * W_g `[O/G, (C/G)·kH·kW]` · columns `[(C/G)·kH·kW, oH·oW]`, then the bias.
 * @throws ShapeError when the shapes do not fit each other and the window; DataError on a malformed window.
 */
export function conv2d(x: NDArray, weight: NDArray, bias: NDArray | undefined, geometry: ConvGeometry): NDArray {
  const s = convSizes("conv2d", x.shape, weight.shape, geometry);
  if (bias !== undefined && (bias.ndim !== 1 || bias.shape[0] !== s.outChannels)) throw new ShapeError(`conv2d: bias must be [${s.outChannels}], got ${formatShape(bias.shape)}`);
  const { batch, channels, height, width, outChannels, groupOut, taps } = s;
  const [oh, ow] = geometry.blocks;
  const result = NDArray.empty([batch, outChannels, oh, ow]);
  const out = result.data;
  const w = dense(weight);
  const b = bias === undefined ? undefined : bias.values();
  const grid = wideGrid(height, width, geometry);
  // Columns per channel, and where they start (after the padded planes on the wide grid).
  const positions = grid === null ? s.positions : grid.positions;
  const planes = grid === null ? 0 : channels * grid.planeStride;
  const kernelTaps = geometry.kernelSize[0] * geometry.kernelSize[1];
  // Regions: the filters (A), the padded planes and then the columns (B), one product (C).
  const product = { m: groupOut, n: positions, k: taps, a: { rowStride: taps, colStride: 1 }, b: { rowStride: positions, colStride: 1 } };
  const space = gemmWorkspace([outChannels * taps, planes + channels * kernelTaps * positions, groupOut * positions], [product]);
  const { memory } = space;
  const [filtersAt, planesAt, productAt] = space.regions as [number, number, number];
  const columnsAt = planesAt + planes;
  memory.set(w.data.subarray(w.offset, w.offset + outChannels * taps), filtersAt);
  memory.fill(0, planesAt, columnsAt);
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  const rowWidth = grid === null ? ow : grid.width;
  for (let n = 0; n < batch; n++) {
    if (grid === null) {
      for (let c = 0; c < channels; c++) unfoldPlane(src, x.offset + n * strideN + c * strideC, strideH, strideW, height, width, geometry, memory, columnsAt + c * kernelTaps * positions);
    } else {
      loadPlanes(x, n, grid, geometry, memory, planesAt);
      unfoldWide(channels, grid, geometry, space, planesAt, columnsAt);
    }
    for (let g = 0; g < geometry.groups; g++) {
      const filters = { offset: filtersAt + g * groupOut * taps, rowStride: taps, colStride: 1 };
      const image = { offset: columnsAt + g * taps * positions, rowStride: positions, colStride: 1 };
      space.gemm(groupOut, positions, taps, filters, image, productAt);
      // The product's rows, cropped from the wide grid, plus the bias.
      for (let o = 0; o < groupOut; o++) {
        const channel = g * groupOut + o;
        const bo = b === undefined ? 0 : b[channel]!;
        for (let p = 0; p < oh; p++) {
          const to = result.offset + ((n * outChannels + channel) * oh + p) * ow;
          const from = productAt + o * positions + p * rowWidth;
          if (b === undefined) for (let q = 0; q < ow; q++) out[to + q] = memory[from + q]!;
          else for (let q = 0; q < ow; q++) out[to + q] = memory[from + q]! + bo;
        }
      }
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
  const transposed = transposedConvolution(weight, inputSize, geometry);
  if (transposed !== null) return conv2d(g, transposed.weight, undefined, transposed.geometry);
  const { channels, outChannels, groupIn, groupOut, taps } = s;
  const result = NDArray.empty([batch, channels, height, width]);
  const out = result.data;
  out.fill(0, result.offset, result.offset + result.size);
  const w = dense(weight);
  const grid = wideGrid(height, width, geometry);
  const positions = grid === null ? s.positions : grid.positions;
  const kernelTaps = geometry.kernelSize[0] * geometry.kernelSize[1];
  const planeSize = height * width;
  // Regions: the filters (A, read transposed), the image's gradient (B), one product (C).
  const product = { m: taps, n: positions, k: groupOut, a: { rowStride: 1, colStride: taps }, b: { rowStride: positions, colStride: 1 } };
  const space = gemmWorkspace([outChannels * taps, outChannels * positions, taps * positions], [product]);
  const { memory } = space;
  const [filtersAt, gradsAt, productAt] = space.regions as [number, number, number];
  memory.set(w.data.subarray(w.offset, w.offset + outChannels * taps), filtersAt);
  if (grid !== null) memory.fill(0, gradsAt, gradsAt + outChannels * positions);
  const work = grid === null ? null : foldPlaneOf(grid.planeStride);
  for (let n = 0; n < batch; n++) {
    if (grid === null) loadImageGradient(g, n, memory, gradsAt);
    else loadWideGradient(g, n, grid, memory, gradsAt);
    for (let group = 0; group < geometry.groups; group++) {
      // W_gᵀ: W_g's strides swapped.
      const filtersT = { offset: filtersAt + group * groupOut * taps, rowStride: 1, colStride: taps };
      const grads = { offset: gradsAt + group * groupOut * positions, rowStride: positions, colStride: 1 };
      space.gemm(taps, positions, groupOut, filtersT, grads, productAt);
      for (let c = 0; c < groupIn; c++) {
        const into = result.offset + (n * channels + group * groupIn + c) * planeSize;
        const from = productAt + c * kernelTaps * positions;
        if (grid === null) foldPlane(memory, from, positions, 1, height, width, geometry, out, into);
        else foldWide(memory, from, grid, geometry, work!, height, width, out, into);
      }
    }
  }
  return result;
}

/**
 * A stride-1 convolution's input gradient as a convolution of the gradient itself, the
 * transposed convolution: ∂x[c, y, x] = Σ_{o,i,j} g[o, y + i·dH − p′H, x + j·dW − p′W]·W[o, c, kH−1−i, kW−1−j]
 * with p′ = d·(k − 1) − p: the weight flipped and its channel axes swapped,
 * `[C, O/G, kH, kW]`. That unfolds g on the wide grid (memcpys) instead of folding
 * C·kH·kW rows back value by value. Null where the padding on either side exceeds the
 * dilated kernel (p′ < 0) or there is a stride: the caller folds then.
 */
function transposedConvolution(weight: NDArray, inputSize: readonly [number, number], geometry: ConvGeometry): { weight: NDArray; geometry: ConvGeometry } | null {
  const [kh, kw] = geometry.kernelSize;
  const [dh, dw] = geometry.dilation;
  const [ph, pw] = geometry.padding;
  const [oh, ow] = geometry.blocks;
  if (geometry.stride[0] !== 1 || geometry.stride[1] !== 1) return null;
  const before: [number, number] = [dh * (kh - 1) - ph, dw * (kw - 1) - pw];
  // Padding after the last row and column: whatever gives the blocks (stride 1).
  const after = [oh + dh * (kh - 1) - inputSize[0] - ph, ow + dw * (kw - 1) - inputSize[1] - pw];
  if (before[0] < 0 || before[1] < 0 || after[0]! > dh * (kh - 1) || after[1]! > dw * (kw - 1)) return null;
  const [outChannels, groupIn] = weight.shape as [number, number];
  const groups = geometry.groups;
  const groupOut = outChannels / groups;
  const flipped = NDArray.empty([groupIn * groups, groupOut, kh, kw]);
  const to = flipped.data;
  const from = weight.data;
  const [s0, s1, s2, s3] = weight.strides as [number, number, number, number];
  let at = flipped.offset;
  for (let group = 0; group < groups; group++) {
    for (let c = 0; c < groupIn; c++) {
      for (let o = 0; o < groupOut; o++) {
        const base = weight.offset + (group * groupOut + o) * s0 + c * s1;
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) to[at++] = from[base + (kh - 1 - i) * s2 + (kw - 1 - j) * s3]!;
      }
    }
  }
  return { weight: flipped, geometry: { kernelSize: [kh, kw], dilation: [dh, dw], stride: [1, 1], padding: before, blocks: [inputSize[0], inputSize[1]], groups } };
}

/**
 * Folds one channel's kH·kW rows of the wide grid (at `from` in `product`) into a padded
 * plane at the start of `work`, one branch-free loop per tap, and crops the plane's
 * interior into `out` at `into` ([H, W], contiguous). The extra columns of each row are
 * zeroed first: they hold Wᵀ·0, which is not 0 for a weight that is not finite.
 */
function foldWide(product: Float64Array, from: number, grid: WideGrid, window: SlidingWindow, work: Float64Array, height: number, width: number, out: Float64Array, into: number): void {
  const [kh, kw] = window.kernelSize;
  const [dh, dw] = window.dilation;
  const [oh, ow] = window.blocks;
  const length = grid.positions;
  const rowWidth = grid.width;
  work.fill(0, 0, grid.planeStride);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const row = from + (i * kw + j) * length;
      for (let p = 0; p < oh; p++) for (let q = p * rowWidth + ow; q < (p + 1) * rowWidth; q++) product[row + q] = 0;
      const at = i * dh * rowWidth + j * dw;
      for (let t = 0; t < length; t++) work[at + t]! += product[row + t]!;
    }
  }
  const interior = window.padding[0] * rowWidth + window.padding[1];
  for (let y = 0; y < height; y++) {
    const to = into + y * width;
    const at = interior + y * rowWidth;
    for (let q = 0; q < width; q++) out[to + q] = work[at + q]!;
  }
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
  const { batch, channels, height, width, groupIn, groupOut, taps } = s;
  const result = NDArray.empty([outChannels, groupIn, kh, kw]);
  const out = result.data;
  out.fill(0, result.offset, result.offset + result.size);
  const grid = wideGrid(height, width, geometry);
  const positions = grid === null ? s.positions : grid.positions;
  const planes = grid === null ? 0 : channels * grid.planeStride;
  // Regions: the padded planes and then the columns (A), the image's gradient (B, read
  // transposed), one product (C).
  const product = { m: taps, n: groupOut, k: positions, a: { rowStride: positions, colStride: 1 }, b: { rowStride: 1, colStride: positions } };
  const space = gemmWorkspace([planes + channels * kh * kw * positions, outChannels * positions, taps * groupOut], [product]);
  const { memory } = space;
  const [planesAt, gradsAt, productAt] = space.regions as [number, number, number];
  const columnsAt = planesAt + planes;
  memory.fill(0, planesAt, columnsAt);
  if (grid !== null) memory.fill(0, gradsAt, gradsAt + outChannels * positions);
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  for (let n = 0; n < batch; n++) {
    if (grid === null) {
      for (let c = 0; c < channels; c++) unfoldPlane(src, x.offset + n * strideN + c * strideC, strideH, strideW, height, width, geometry, memory, columnsAt + c * kh * kw * positions);
      loadImageGradient(g, n, memory, gradsAt);
    } else {
      loadPlanes(x, n, grid, geometry, memory, planesAt);
      unfoldWide(channels, grid, geometry, space, planesAt, columnsAt);
      loadWideGradient(g, n, grid, memory, gradsAt);
    }
    for (let group = 0; group < geometry.groups; group++) {
      const groupColumns = { offset: columnsAt + group * taps * positions, rowStride: positions, colStride: 1 };
      const gradsT = { offset: gradsAt + group * groupOut * positions, rowStride: 1, colStride: positions };
      space.gemm(taps, groupOut, positions, groupColumns, gradsT, productAt);
      // The product is [taps, groupOut]: element (t, o) belongs at weight row o, tap t.
      const into = result.offset + group * groupOut * taps;
      for (let o = 0; o < groupOut; o++) {
        const row = into + o * taps;
        for (let t = 0, e = productAt + o; t < taps; t++, e += groupOut) out[row + t]! += memory[e]!;
      }
    }
  }
  return result;
}
