import { DataError, ShapeError, formatShape } from "../errors.js";
import { NDArray } from "../ndarray.js";
import type { SlidingWindow } from "./conv.js";
import { compiledLoopsEnabled } from "./compile.js";
import { maxPoolWasm } from "./fastgemm/wasm.js";

// Kernels of the pooling ops, over the last two dimensions of [N, C, H, W] inputs of any
// strides. Each window's bounds are clipped to the image once per output row and column,
// as PyTorch's CPU kernels do, so the inner loops run over the valid taps only.

function planes(op: string, x: NDArray): [number, number, number, number] {
  if (x.ndim !== 4) throw new ShapeError(`${op}: expected input [N, C, H, W], got ${formatShape(x.shape)}`);
  return x.shape as [number, number, number, number];
}

/** Max-pooling's result: the maxima and, for each, the flat position y·W + x of the tap it came from within its plane. */
export interface MaxPoolResult {
  readonly values: NDArray;
  /** Positions as float64 integers, of the values' shape (PyTorch's `return_indices`). */
  readonly indices: NDArray;
}

/** Outputs from which the WebAssembly pass pays for copying the input in. */
const SIMD_FROM = 256;

/**
 * Whether maxPool2d's WebAssembly pass takes this case: contiguous planes (each image
 * row after row, images one after another), no padding or dilation, every window inside
 * the image, and at least two windows a row. The pass reads each tap branch-free, where
 * the loop below mispredicts about every other tap (digits' first pooling, [32, 8, 24,
 * 24]: 1.1 ms).
 */
function plainWindows(x: NDArray, window: SlidingWindow): boolean {
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  const [kh, kw] = window.kernelSize;
  const [sh, sw] = window.stride;
  const [oh, ow] = window.blocks;
  const contiguousPlanes = strideW === 1 && strideH === width && (channels === 1 || strideC === height * width) && (batch === 1 || strideN === channels * height * width);
  return (
    compiledLoopsEnabled() &&
    contiguousPlanes &&
    window.padding[0] === 0 &&
    window.padding[1] === 0 &&
    window.dilation[0] === 1 &&
    window.dilation[1] === 1 &&
    ow >= 2 &&
    (oh - 1) * sh + kh <= height &&
    (ow - 1) * sw + kw <= width
  );
}

/**
 * The maximum of each window, as torch.nn.functional.max_pool2d on `[N, C, H, W]`
 * (`→ [N, C, oH, oW]` for `window.blocks` = [oH, oW]), with its position. Padding counts as
 * −∞; among equal maxima the first tap in row-major order wins, and a NaN wins over any
 * number (the last NaN, as PyTorch's `val > max || isnan(val)` test leaves it). A window
 * with no tap inside the image (only possible for malformed windows) gives −∞ at its first
 * position, as PyTorch does.
 * @throws ShapeError unless x is 4-D.
 */
export function maxPool2d(x: NDArray, window: SlidingWindow): MaxPoolResult {
  const [batch, channels, height, width] = planes("maxPool2d", x);
  const [kh, kw] = window.kernelSize;
  const [dh, dw] = window.dilation;
  const [sh, sw] = window.stride;
  const [ph, pw] = window.padding;
  const [oh, ow] = window.blocks;
  const values = NDArray.empty([batch, channels, oh, ow]);
  const indices = NDArray.empty([batch, channels, oh, ow]);
  const out = values.data;
  const where = indices.data;
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  if (plainWindows(x, window) && batch * channels * oh * ow >= SIMD_FROM && maxPoolWasm(src, x.offset, batch * channels, height, width, kh, kw, sh, sw, oh, ow, out, where)) {
    return { values, indices };
  }
  let at = 0;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const plane = x.offset + n * strideN + c * strideC;
      for (let p = 0; p < oh; p++) {
        let y0 = p * sh - ph;
        const y1 = Math.min(y0 + (kh - 1) * dh + 1, height);
        while (y0 < 0) y0 += dh;
        for (let q = 0; q < ow; q++, at++) {
          let x0 = q * sw - pw;
          const x1 = Math.min(x0 + (kw - 1) * dw + 1, width);
          while (x0 < 0) x0 += dw;
          let best = -Infinity;
          let bestAt = y0 * width + x0;
          for (let y = y0; y < y1; y += dh) {
            const row = plane + y * strideH;
            for (let xx = x0; xx < x1; xx += dw) {
              const v = src[row + xx * strideW]!;
              if (v > best || v !== v) {
                best = v;
                bestAt = y * width + xx;
              }
            }
          }
          out[at] = best;
          where[at] = bestAt;
        }
      }
    }
  }
  return { values, indices };
}

/**
 * Max-pooling's backward, `[N, C, oH, oW] → [N, C, H, W]` for an `inputSize` of H×W,
 * each gradient added at the position its window's maximum came from (`indices`, as maxPool2d
 * returned them), into zeros, window after window in row-major order, which is the order
 * (and so the sums, where windows overlap) of scatterAdd over the same positions.
 * @throws ShapeError unless g and indices are 4-D of the same shape; DataError for a
 * position that is not an integer inside its H×W plane.
 */
export function maxPool2dBackward(g: NDArray, indices: NDArray, inputSize: readonly [number, number]): NDArray {
  const [batch, channels, oh, ow] = planes("maxPool2dBackward", g);
  if (indices.ndim !== 4 || indices.shape.some((s, i) => s !== g.shape[i])) {
    throw new ShapeError(`maxPool2dBackward: indices ${formatShape(indices.shape)} must have the gradient's shape ${formatShape(g.shape)}`);
  }
  const [height, width] = inputSize;
  const result = NDArray.empty([batch, channels, height, width]);
  const out = result.data;
  const grads = g.values();
  const where = indices.values();
  const planeSize = height * width;
  const count = oh * ow;
  for (let plane = 0, at = 0; plane < batch * channels; plane++) {
    const base = plane * planeSize;
    for (let k = 0; k < count; k++, at++) {
      const p = where[at]!;
      if (!((p | 0) === p && p >= 0 && p < planeSize)) {
        throw new DataError(`maxPool2dBackward: position ${p} at ${at} is not an integer in [0, ${planeSize}) for ${height}×${width} planes`);
      }
      out[base + p] += grads[at]!;
    }
  }
  return result;
}

/** How average pooling counts a window, as torch.nn.functional.avg_pool2d's keywords. */
export interface AvgPoolOptions {
  /** Divide by the whole window, padding included (true), or by its taps inside the image. */
  readonly countIncludePad: boolean;
  /** Divide every sum by this instead. */
  readonly divisorOverride: number | null;
}

/**
 * Visits every window of average pooling as PyTorch's CPU kernel bounds it: the window is
 * clipped to the padded image (ceil mode's last window may run past it) to count its size,
 * then to the image to find its taps. Calls `visit(at, y0, y1, x0, x1, divisor)` with the
 * output position and the taps' half-open bounds; an empty window has y0 ≥ y1 or x0 ≥ x1.
 */
function forEachAverageWindow(
  height: number,
  width: number,
  window: SlidingWindow,
  options: AvgPoolOptions,
  visit: (at: number, y0: number, y1: number, x0: number, x1: number, divisor: number) => void,
): void {
  const [kh, kw] = window.kernelSize;
  const [sh, sw] = window.stride;
  const [ph, pw] = window.padding;
  const [oh, ow] = window.blocks;
  for (let p = 0, at = 0; p < oh; p++) {
    const top = p * sh - ph;
    const bottom = Math.min(top + kh, height + ph);
    const y0 = Math.max(top, 0);
    const y1 = Math.min(bottom, height);
    for (let q = 0; q < ow; q++, at++) {
      const left = q * sw - pw;
      const right = Math.min(left + kw, width + pw);
      const x0 = Math.max(left, 0);
      const x1 = Math.min(right, width);
      const divisor = options.divisorOverride ?? (options.countIncludePad ? (bottom - top) * (right - left) : (y1 - y0) * (x1 - x0));
      visit(at, y0, y1, x0, x1, divisor);
    }
  }
}

/**
 * The mean of each window, as torch.nn.functional.avg_pool2d on `[N, C, H, W]`
 * (`→ [N, C, oH, oW]`): each window's sum divided by its size with or without the
 * padding, or by `divisorOverride`; a window entirely in the padding gives 0.
 * @throws ShapeError unless x is 4-D.
 */
export function avgPool2d(x: NDArray, window: SlidingWindow, options: AvgPoolOptions): NDArray {
  const [batch, channels, height, width] = planes("avgPool2d", x);
  const [oh, ow] = window.blocks;
  const result = NDArray.empty([batch, channels, oh, ow]);
  const out = result.data;
  const src = x.data;
  const [strideN, strideC, strideH, strideW] = x.strides as [number, number, number, number];
  // The windows' bounds, worked out once for every plane.
  const count = oh * ow;
  const bounds = new Int32Array(4 * count);
  const divisors = new Float64Array(count);
  forEachAverageWindow(height, width, window, options, (at, y0, y1, x0, x1, divisor) => {
    bounds.set([y0, y1, x0, x1], 4 * at);
    divisors[at] = divisor;
  });
  for (let n = 0, at = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const plane = x.offset + n * strideN + c * strideC;
      for (let k = 0; k < count; k++, at++) {
        const y0 = bounds[4 * k]!;
        const y1 = bounds[4 * k + 1]!;
        const x0 = bounds[4 * k + 2]!;
        const x1 = bounds[4 * k + 3]!;
        if (y0 >= y1 || x0 >= x1) {
          out[at] = 0;
          continue;
        }
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          const row = plane + y * strideH;
          for (let xx = x0; xx < x1; xx++) sum += src[row + xx * strideW]!;
        }
        out[at] = sum / divisors[k]!;
      }
    }
  }
  return result;
}

/**
 * The adjoint of avgPool2d: each output gradient divided by its window's divisor and
 * added to every tap of the window: `[N, C, oH, oW] → [N, C, H, W]` for `inputSize` [H, W].
 * @throws ShapeError unless g is 4-D with window.blocks as its last two sizes.
 */
export function avgPool2dBackward(g: NDArray, inputSize: readonly [number, number], window: SlidingWindow, options: AvgPoolOptions): NDArray {
  const [batch, channels, oh, ow] = planes("avgPool2dBackward", g);
  if (oh !== window.blocks[0] || ow !== window.blocks[1]) {
    throw new ShapeError(`avgPool2dBackward: expected a gradient [N, C, ${window.blocks.join(", ")}], got ${formatShape(g.shape)}`);
  }
  const [height, width] = inputSize;
  const result = NDArray.empty([batch, channels, height, width]);
  const out = result.data;
  out.fill(0);
  const src = g.data;
  const [strideN, strideC, strideH, strideW] = g.strides as [number, number, number, number];
  const count = oh * ow;
  const bounds = new Int32Array(4 * count);
  const divisors = new Float64Array(count);
  forEachAverageWindow(height, width, window, options, (at, y0, y1, x0, x1, divisor) => {
    bounds.set([y0, y1, x0, x1], 4 * at);
    divisors[at] = divisor;
  });
  const planeSize = height * width;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const from = g.offset + n * strideN + c * strideC;
      const plane = (n * channels + c) * planeSize;
      for (let k = 0; k < count; k++) {
        const y0 = bounds[4 * k]!;
        const y1 = bounds[4 * k + 1]!;
        const x0 = bounds[4 * k + 2]!;
        const x1 = bounds[4 * k + 3]!;
        const share = src[from + Math.floor(k / ow) * strideH + (k % ow) * strideW]! / divisors[k]!;
        for (let y = y0; y < y1; y++) {
          const row = plane + y * width;
          for (let xx = x0; xx < x1; xx++) out[row + xx]! += share;
        }
      }
    }
  }
  return result;
}
