import { Generator, tensor } from "@tapegrad/autograd";
import { describe, expect, it } from "vitest";
import { conv2dBackwardByHand, maxPool2dBackwardByHand } from "../src/index.js";

const random = (n: number, generator: Generator) => Array.from({ length: n }, () => generator.random() * 2 - 1);

/** A stride-1 unpadded cross-correlation by its definition, flat arrays in row-major order. */
function conv(a: number[], w: number[], b: number[], [N, C, H, W]: number[], [O, , kH, kW]: number[]): number[] {
  const oH = H! - kH! + 1;
  const oW = W! - kW! + 1;
  const out: number[] = [];
  for (let n = 0; n < N!; n++)
    for (let o = 0; o < O!; o++)
      for (let y = 0; y < oH; y++)
        for (let x = 0; x < oW; x++) {
          let s = b[o]!;
          for (let c = 0; c < C!; c++) for (let i = 0; i < kH!; i++) for (let j = 0; j < kW!; j++) s += w[((o * C! + c) * kH! + i) * kW! + j]! * a[((n * C! + c) * H! + y + i) * W! + x + j]!;
          out.push(s);
        }
  return out;
}

/** Central differences of f at every element of v. */
function numericGradient(f: (v: number[]) => number, v: number[], h = 1e-6): number[] {
  return v.map((_, k) => {
    const up = [...v];
    const down = [...v];
    up[k]! += h;
    down[k]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

describe("conv2dBackwardByHand", () => {
  it("gives the derivatives of Σ G ⊙ conv(A, W, b) in A, W and b, by central differences", () => {
    // A non-square kernel and unequal sizes everywhere, so that a swapped index shows.
    const aShape = [2, 3, 5, 6];
    const wShape = [4, 3, 2, 3];
    const generator = new Generator(7);
    const a = random(2 * 3 * 5 * 6, generator);
    const w = random(4 * 3 * 2 * 3, generator);
    const b = random(4, generator);
    const g = random(2 * 4 * 4 * 4, generator);
    const loss = (a_: number[], w_: number[], b_: number[]) => conv(a_, w_, b_, aShape, wShape).reduce((s, z, k) => s + z * g[k]!, 0);
    const byHand = conv2dBackwardByHand(tensor(Float64Array.from(g), { shape: [2, 4, 4, 4] }), tensor(Float64Array.from(a), { shape: aShape }), tensor(Float64Array.from(w), { shape: wShape }));
    expect(byHand.weight.shape).toEqual(wShape);
    expect(byHand.input.shape).toEqual(aShape);
    const close = (actual: Float64Array, expected: number[]) => actual.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 8));
    close(byHand.weight.toFloat64Array(), numericGradient((v) => loss(a, v, b), w));
    close(byHand.bias.toFloat64Array(), numericGradient((v) => loss(a, w, v), b));
    close(byHand.input.toFloat64Array(), numericGradient((v) => loss(v, w, b), a));
  });
});

describe("maxPool2dBackwardByHand", () => {
  it("sends each window's gradient to its maximum, by central differences away from ties", () => {
    const generator = new Generator(3);
    const a = random(2 * 2 * 4 * 6, generator);
    const g = random(2 * 2 * 2 * 3, generator);
    const pool = (v: number[]) => {
      let s = 0;
      for (let plane = 0; plane < 4; plane++)
        for (let y = 0; y < 2; y++)
          for (let x = 0; x < 3; x++) {
            let m = -Infinity;
            for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) m = Math.max(m, v[(plane * 4 + 2 * y + i) * 6 + 2 * x + j]!);
            s += m * g[(plane * 2 + y) * 3 + x]!;
          }
      return s;
    };
    const byHand = maxPool2dBackwardByHand(tensor(Float64Array.from(g), { shape: [2, 2, 2, 3] }), tensor(Float64Array.from(a), { shape: [2, 2, 4, 6] }), 2);
    const numeric = numericGradient(pool, a);
    byHand.toFloat64Array().forEach((v, k) => expect(v).toBeCloseTo(numeric[k]!, 8));
  });

  it("gives a tied window's gradient to its first maximum in row-major order", () => {
    const byHand = maxPool2dBackwardByHand(tensor([[[[5]]]]), tensor([[[[0, 1], [1, 1]]]]), 2);
    expect(byHand.toArray()).toEqual([[[[0, 5], [0, 0]]]]);
  });
});
