import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Tensor, gradients, tensor } from "@tapegrad/autograd";
import { functional } from "@tapegrad/nn";

const { binaryCrossEntropy } = functional;

// Fused VJP kernels run during a plain backward; the differentiable composite runs when
// the backward is recorded (createGraph). Both must give the same bits, or higher-order
// gradients would silently differ from first-order ones.
const values = (min: number, max: number) =>
  fc.array(fc.double({ min, max, noNaN: true }), { minLength: 1, maxLength: 12 });

function bothPaths(build: (x: Tensor) => Tensor, xs: number[]): [number[], number[]] {
  const plain = tensor(xs, { requiresGrad: true });
  const [fused] = gradients(build(plain), [plain]);
  const recorded = tensor(xs, { requiresGrad: true });
  const [composite] = gradients(build(recorded), [recorded], { createGraph: true });
  return [fused!.toArray() as number[], composite!.toArray() as number[]];
}

const weighted = (y: Tensor, xs: number[]) => y.mul(tensor(xs.map((_, i) => 0.3 + i))).sum();

describe("fused VJPs equal their differentiable composites bit for bit", () => {
  it("sigmoid", () => {
    fc.assert(
      fc.property(values(-30, 30), (xs) => {
        const [a, b] = bothPaths((x) => weighted(x.sigmoid(), xs), xs);
        expect(a).toEqual(b);
      }),
    );
  });

  it("tanh", () => {
    fc.assert(
      fc.property(values(-20, 20), (xs) => {
        const [a, b] = bothPaths((x) => weighted(x.tanh(), xs), xs);
        expect(a).toEqual(b);
      }),
    );
  });

  it("binary cross-entropy, including probabilities at 0 and 1", () => {
    fc.assert(
      fc.property(values(0, 1), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 }), (ps, ys) => {
        const target = tensor(ys.slice(0, ps.length));
        const [a, b] = bothPaths((p) => binaryCrossEntropy(p, target, "sum").mul(1.7), ps);
        expect(a).toEqual(b);
        for (const v of a) expect(Number.isFinite(v)).toBe(true);
      }),
    );
  });

  it("the recorded gradient of sigmoid is itself differentiable", () => {
    const x = tensor([-1.5, 0.25, 2], { requiresGrad: true });
    const [g] = gradients(x.sigmoid().sum(), [x], { createGraph: true });
    const [gg] = gradients(g!.sum(), [x]);
    // d²σ/dx² = σ(1 − σ)(1 − 2σ)
    const s = [-1.5, 0.25, 2].map((v) => 1 / (1 + Math.exp(-v)));
    (gg!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(s[i]! * (1 - s[i]!) * (1 - 2 * s[i]!), 12));
  });
});
