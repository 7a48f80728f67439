import { describe, expect, it } from "vitest";
import { Generator, NDArray, Tensor, gradients, maxPool2d } from "@tapegrad/autograd";
import { kernels } from "@tapegrad/tensor";

// Max-pooling's backward runs one kernel pass when no graph is recorded and scatterAdd
// (whose VJP gives second derivatives) under createGraph. The two must give the same bits,
// overlapping windows included, where positions receive several gradients.

const bits = (t: Tensor) => Array.from(t.array.values(), (v) => (Object.is(v, -0) ? "-0" : v));

/** Values rounded to halves, so many windows hold equal maxima. */
function input(seed: number, shape: number[]): Tensor {
  const x = new Generator(seed).normalArray(shape);
  for (let i = 0; i < x.size; i++) x.data[i] = Math.round(x.data[i]! * 2) / 2;
  return new Tensor(x, { requiresGrad: true });
}

describe("maxPool2d's backward", () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["2×2", (x) => maxPool2d(x, 2)],
    ["3×3 stride 1 (overlapping)", (x) => maxPool2d(x, 3, { stride: 1 })],
    ["3×3 stride 2, padding 1, ceil mode", (x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    ["2×3 dilated", (x) => maxPool2d(x, [2, 3], { stride: [1, 2], padding: [1, 1], dilation: [2, 1] })],
  ];
  for (const [name, pool] of cases) {
    it(`gives scatterAdd's bits without a recorded graph: ${name}`, () => {
      const x = input(7, [2, 3, 9, 10]);
      const y = pool(x);
      // g requires grad, so that under createGraph the backward is recorded (scatterAdd).
      const g = new Tensor(new Generator(8).normalArray(y.shape), { requiresGrad: true });
      const [fast] = gradients(y, x, { gradOutputs: g, retainGraph: true });
      const [recorded] = gradients(y, x, { gradOutputs: g, createGraph: true });
      expect(recorded!.gradFn).not.toBeNull();
      expect(bits(fast!)).toEqual(bits(recorded!));
    });
  }

  it("refuses positions outside their plane or not integers, and indices of another shape", () => {
    const g = NDArray.from([[[[1, 2]]]]);
    expect(() => kernels.maxPool2dBackward(g, NDArray.from([[[[0, 4]]]]), [2, 2])).toThrow(/maxPool2dBackward: position 4 at 1 is not an integer in \[0, 4\)/);
    expect(() => kernels.maxPool2dBackward(g, NDArray.from([[[[0.5, 1]]]]), [2, 2])).toThrow(/position 0.5 at 0/);
    expect(() => kernels.maxPool2dBackward(g, NDArray.from([[[[0]]]]), [2, 2])).toThrow(/maxPool2dBackward: indices \[1,1,1,1\] must have the gradient.s shape \[1,1,1,2\]/);
  });
});
