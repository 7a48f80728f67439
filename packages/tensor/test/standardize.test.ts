import { describe, expect, it } from "vitest";
import { Generator, kernels } from "@tapegrad/tensor";

// BatchNorm1d on [N, C] standardizes over dimension 0 alone: one value per (row, channel),
// which the kernels take on a path of their own. Its sums must be exactly a plain loop's
// over the rows in order; the reference below is written independently of the kernels.

function reference(x: Float64Array, g: Float64Array, rows: number, channels: number, eps: number) {
  const mean = new Float64Array(channels);
  const invstd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += x[i * channels + c]!;
    mean[c] = sum / rows;
    let squares = 0;
    for (let i = 0; i < rows; i++) squares += (x[i * channels + c]! - mean[c]!) ** 2;
    invstd[c] = 1 / Math.sqrt(squares / rows + eps);
  }
  const y = new Float64Array(rows * channels);
  const dx = new Float64Array(rows * channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let dot = 0;
    for (let i = 0; i < rows; i++) {
      sum += g[i * channels + c]!;
      dot += g[i * channels + c]! * (x[i * channels + c]! - mean[c]!);
    }
    const gradMean = sum / rows;
    const projection = (dot * invstd[c]! * invstd[c]!) / rows;
    for (let i = 0; i < rows; i++) {
      const at = i * channels + c;
      y[at] = (x[at]! - mean[c]!) * invstd[c]!;
      dx[at] = (g[at]! - gradMean - (x[at]! - mean[c]!) * projection) * invstd[c]!;
    }
  }
  return { mean, invstd, y, dx };
}

describe("standardize over the rows of [N, C] (BatchNorm1d's layout)", () => {
  it("equals a plain loop bit for bit: moments, values and the backward, contiguous and transposed", () => {
    const generator = new Generator(3);
    for (const [rows, channels] of [[32, 200], [2, 1], [7, 5], [1, 3]] as const) {
      for (const transposed of [false, true]) {
        const x = transposed ? generator.normalArray([channels, rows]).transpose(0, 1) : generator.normalArray([rows, channels]);
        const g = generator.normalArray([rows, channels]);
        const want = reference(x.contiguous().values(), g.values(), rows, channels, 1e-5);
        const moments = kernels.standardizeMoments(x, [0], 1e-5);
        expect(Array.from(moments.mean.values())).toEqual(Array.from(want.mean));
        expect(Array.from(moments.invstd.values())).toEqual(Array.from(want.invstd));
        expect(Array.from(kernels.standardize(x, [0], 1e-5).values())).toEqual(Array.from(want.y));
        expect(Array.from(kernels.standardizeBackward(g, x, [0], 1e-5).values())).toEqual(Array.from(want.dx));
      }
    }
  });
});
