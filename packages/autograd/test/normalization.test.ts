import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DataError, ShapeError, Tensor, gradients, standardize, tensor } from "@tapegrad/autograd";

// standardize is one op with a fused forward and backward (ops/normalization.ts). Here it
// is checked against the composite it replaces, (x − mean)·(mean((x − mean)²) + eps)^−½,
// in values and in first and second derivatives, on the layouts batch and layer norm use.

const composite = (x: Tensor, dims: number[], eps: number) => {
  const centered = x.sub(x.mean(dims, true));
  return centered.mul(centered.square().mean(dims, true).add(eps).rsqrt());
};

/** Largest |a − b| over the largest |b|: the entries are differences of terms as large as the largest. */
function relativeGap(a: Tensor, b: Tensor): number {
  const av = a.toFloat64Array();
  const bv = b.toFloat64Array();
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  let scale = 0;
  bv.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(av[i]! - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return worst / Math.max(scale, 1e-300);
}

const layouts: readonly { shape: number[]; dims: number[] }[] = [
  { shape: [5, 4], dims: [1] },
  { shape: [6, 3], dims: [0] },
  { shape: [3, 2, 2, 3], dims: [0, 2, 3] },
  { shape: [2, 3, 4], dims: [1] },
  { shape: [2, 3, 2], dims: [1, 2] },
];

describe("standardize against its composite", () => {
  it("values, gradients and second derivatives agree to 1e-12 of the largest entry", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...layouts),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.constantFrom(1e-5, 0.1),
        fc.double({ min: -3, max: 3, noNaN: true }),
        ({ shape, dims }, seed, eps, shift) => {
          // Values from a small LCG, shifted: a mean far from 0 is where cancellation shows.
          let state = seed;
          const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2;
          const size = shape.reduce((a, b) => a * b, 1);
          const data = Array.from({ length: size }, () => next() + shift);
          const w = tensor(Array.from({ length: size }, next), { shape });
          const v = tensor(Array.from({ length: size }, next), { shape });
          const results = [(x: Tensor) => standardize(x, dims, { eps }), (x: Tensor) => composite(x, dims, eps)].map((f) => {
            const x = tensor(data, { shape, requiresGrad: true });
            const y = f(x);
            const [g] = gradients(y.pow(3).mul(w).sum(), [x], { createGraph: true });
            const [gg] = gradients(g!.mul(v).sum(), [x]);
            return [y, g!, gg!];
          });
          for (let k = 0; k < 3; k++) expect(relativeGap(results[0]![k]!, results[1]![k]!), ["value", "gradient", "second derivative"][k]).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a plain and a recorded backward give the same bits (both run standardizeBackward's kernel)", () => {
    const data = Array.from({ length: 24 }, (_, i) => Math.sin(i * 1.7) * 3 + 1);
    const w = tensor(Array.from({ length: 24 }, (_, i) => Math.cos(i)), { shape: [2, 3, 4] });
    const grad = (createGraph: boolean) => {
      const x = tensor(data, { shape: [2, 3, 4], requiresGrad: true });
      return Array.from(gradients(standardize(x, [0, 2]).mul(w).sum(), [x], { createGraph })[0]!.toFloat64Array());
    };
    expect(grad(true)).toEqual(grad(false));
  });

  it("each slice has mean 0 and variance var/(var + eps), an independent check", () => {
    const x = tensor([[1, 2, 3, 10], [4, 4, 4, 4], [-1, 0, 1, 0]]);
    const rows = standardize(x, 1, { eps: 0.5 }).toArray() as number[][];
    const input = x.toArray() as number[][];
    rows.forEach((row, r) => {
      const xs = input[r]!;
      const mean = xs.reduce((a, b) => a + b, 0) / 4;
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      row.forEach((v, j) => expect(v).toBeCloseTo((xs[j]! - mean) / Math.sqrt(variance + 0.5), 14));
    });
    expect(rows[1]).toEqual([0, 0, 0, 0]);
  });

  it("refuses bad arguments, naming the op", () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => standardize([1, 2] as never, 0)).toThrow("standardize: expected a Tensor as the first argument, got object");
    expect(() => standardize(x, undefined as never)).toThrow(/standardize: expected the dims to standardize over/);
    expect(() => standardize(x, 2)).toThrow(ShapeError);
    expect(() => standardize(x, [1, -1])).toThrow(/standardize: dimension -1 appears more than once/);
    expect(() => standardize(x, 1, { eps: -1 })).toThrow("standardize: eps must be a finite number ≥ 0, got -1");
    expect(() => standardize(x, 1, { epsilon: 1 } as never)).toThrow(DataError);
  });
});
