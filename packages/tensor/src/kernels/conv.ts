import { DataError, ShapeError, formatShape } from "../errors.js";
import { NDArray } from "../ndarray.js";

// Kernels of the conv ops: im2col (unfold) and col2im (fold), the two halves that turn a
// convolution into a GEMM. Both walk one kernel offset (c, i, j) at a time and, for each
// output row, work out once which columns of the window fall inside the image, so the
// inner loop is a plain copy (or add) over a run of columns with zeros around it: no
// per-element bounds test, no closure. Any strides are read; results are contiguous.

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

/**
 * How many positions a window takes along one dimension:
 * ⌊(size + before + after − dilation·(kernel − 1) − 1) / stride⌋ + 1, which is ≤ 0 when the
 * dilated kernel does not fit in the padded input.
 */
export function windowPositions(size: number, kernel: number, dilation: number, stride: number, before: number, after: number): number {
  return Math.floor((size + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** ⌈a / b⌉ for b > 0. */
const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * The output columns q whose input column q·stride + offset lies in [0, width): a range
 * [start, end), so the caller copies one run and writes zeros around it.
 */
function validColumns(offset: number, stride: number, width: number, blocks: number): [number, number] {
  const start = offset >= 0 ? 0 : Math.min(blocks, ceilDiv(-offset, stride));
  const end = width - offset > 0 ? Math.min(blocks, ceilDiv(width - offset, stride)) : 0;
  return [start, Math.max(start, end)];
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
  const [dh, dw] = window.dilation;
  const [sh, sw] = window.stride;
  const [ph, pw] = window.padding;
  const [oh, ow] = window.blocks;
  const result = NDArray.empty([batch, channels * kh * kw, oh * ow]);
  const out = result.data;
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  const step = sw * strideW;
  let at = result.offset;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const plane = x.offset + n * strideN + c * strideC;
      for (let i = 0; i < kh; i++) {
        const rowOffset = i * dh - ph;
        for (let j = 0; j < kw; j++) {
          const columnOffset = j * dw - pw;
          const [start, end] = validColumns(columnOffset, sw, width, ow);
          for (let p = 0; p < oh; p++) {
            const y = p * sh + rowOffset;
            if (y < 0 || y >= height) {
              out.fill(0, at, at + ow);
              at += ow;
              continue;
            }
            let q = 0;
            for (; q < start; q++) out[at + q] = 0;
            let s = plane + y * strideH + (start * sw + columnOffset) * strideW;
            for (; q < end; q++, s += step) out[at + q] = src[s]!;
            for (; q < ow; q++) out[at + q] = 0;
            at += ow;
          }
        }
      }
    }
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
  const [dh, dw] = window.dilation;
  const [sh, sw] = window.stride;
  const [ph, pw] = window.padding;
  const result = NDArray.empty([batch, channels, height, width]);
  const out = result.data;
  out.fill(0, result.offset, result.offset + result.size);
  const src = cols.data;
  const [strideN, strideRow, strideL] = cols.strides as [number, number, number];
  const planeSize = height * width;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const plane = result.offset + (n * channels + c) * planeSize;
      for (let i = 0; i < kh; i++) {
        const rowOffset = i * dh - ph;
        for (let j = 0; j < kw; j++) {
          const columnOffset = j * dw - pw;
          const [start, end] = validColumns(columnOffset, sw, width, ow);
          const row = cols.offset + n * strideN + ((c * kh + i) * kw + j) * strideRow;
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
  }
  return result;
}
