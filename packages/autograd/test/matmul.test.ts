import { describe, expect, it } from "vitest";
import { gradients, linear, linearRelu, manualSeed, randn, type Tensor } from "@tapegrad/autograd";

const bits = (t: Tensor | null) => (t === null ? null : Array.from(t.array.values()));

describe("linearRelu", () => {
  it("equals linear then relu, values and first and second derivatives, bit for bit", () => {
    for (const seed of [0, 1, 2, 3]) {
      manualSeed(seed);
      const x = randn(7, 5).requiresGrad_();
      const w = randn(6, 5).requiresGrad_();
      const b = randn(6).requiresGrad_();
      const weights = randn(7, 6);
      const loss = (y: Tensor) => y.mul(y).mul(weights).sum();
      const fused = linearRelu(x, w, b);
      const composite = linear(x, w, b).relu();
      expect(bits(fused)).toEqual(bits(composite));
      const first = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => gradients([loss(f(x, w, b))], [x, w, b], { createGraph: true });
      const gFused = first(linearRelu);
      const gComposite = first((xx, ww, bb) => linear(xx, ww, bb).relu());
      expect(gFused.map(bits)).toEqual(gComposite.map(bits));
      // second order: the gradient of Σ ∂x with respect to W
      const [wwFused] = gradients([gFused[0]!.sum()], [w]);
      const [wwComposite] = gradients([gComposite[0]!.sum()], [w]);
      expect(bits(wwFused!)).toEqual(bits(wwComposite!));
    }
  });

  it("gives a plain backward (its fused kernel) the composite's gradients bit for bit, large enough for the kernel, with and without a bias", () => {
    for (const [seed, withBias] of [[0, true], [1, false], [2, true]] as const) {
      manualSeed(seed);
      const leaves = () => [randn(40, 12).requiresGrad_(), randn(9, 12).requiresGrad_(), randn(9).requiresGrad_()] as const;
      const weights = randn(40, 9);
      const run = (f: (x: Tensor, w: Tensor, b?: Tensor) => Tensor) => {
        manualSeed(100 + seed);
        const [x, w, b] = leaves();
        f(x, w, withBias ? b : undefined).mul(weights).sum().backward();
        return [x.grad, w.grad, withBias ? b.grad : null].map(bits);
      };
      expect(run((x, w, b) => linearRelu(x, w, b))).toEqual(run((x, w, b) => linear(x, w, b).relu()));
    }
  });

  it("names itself in its errors", () => {
    expect(() => linearRelu(randn(2, 3), randn(4, 2))).toThrow("linearRelu: input [2,3] does not fit weight [4,2]");
  });
});
