import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError, kernels } from "@tapegrad/tensor";
import { Tensor, gradients, tensor } from "@tapegrad/autograd";

// Activations: bad options, stability at ±1000, the gradient at the kinks, gradients written
// into memory the engine owns, and identities between them checked on random inputs. Values
// and gradients against PyTorch live in the fixtures (torch-ops/elementwise.ts).

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const phi = (v: number) => Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
const Phi = (v: number) => 0.5 * (1 + kernels.erfScalar(v / Math.SQRT2));

/** The gradient of Σ f(x)·w, with a chain (·w) before the activation's VJP so that it may write into the gradient's memory. */
function gradOf(f: (x: Tensor) => Tensor, values: number[], w?: number[]): number[] {
  const x = tensor(values, { requiresGrad: true });
  const weights = tensor(w ?? values.map(() => 1));
  f(x).mul(weights).sum().backward();
  return x.grad!.toArray() as number[];
}

describe("bad options name the op and the option", () => {
  const x = tensor([1, 2]);

  it("softplus: unknown keys (with a suggestion), β of 0 or a string, a NaN threshold", () => {
    expect(() => x.softplus({ treshold: 5 } as never)).toThrow(DataError);
    expect(() => x.softplus({ treshold: 5 } as never)).toThrow(/softplus: unknown option "treshold"; did you mean "threshold"\?/);
    expect(() => x.softplus({ beta: 0 })).toThrow(/softplus: beta must be a finite non-zero number, got 0/);
    expect(() => x.softplus({ beta: "2" as never })).toThrow(/softplus: beta must be .*, got "2"/);
    expect(() => x.softplus({ threshold: Number.NaN })).toThrow(/softplus: threshold must be a number, got NaN/);
    expect(() => x.softplus(3 as never)).toThrow(/softplus: options must be an object/);
  });

  it("gelu: approximate must be 'none' or 'tanh'; unknown keys are refused", () => {
    expect(() => x.gelu({ approximate: "exact" as never })).toThrow(/gelu: approximate must be "none" or "tanh", got "exact"/);
    expect(() => x.gelu({ approximate: true as never })).toThrow(/gelu: approximate must be "none" or "tanh", got true/);
    expect(() => x.gelu({ approximated: "tanh" } as never)).toThrow(/gelu: unknown option "approximated"; did you mean "approximate"\?/);
    expect(x.gelu({}).toArray()).toEqual(x.gelu({ approximate: "none" }).toArray());
  });

  it("leakyRelu and elu: the parameter must be a finite number", () => {
    expect(() => x.leakyRelu("0.1" as never)).toThrow(/leakyRelu: negativeSlope must be a finite number, got "0.1"/);
    expect(() => x.leakyRelu(Number.NaN)).toThrow(/leakyRelu: negativeSlope/);
    expect(() => x.elu(Infinity)).toThrow(/elu: alpha must be a finite number, got Infinity/);
    expect(() => x.elu({ alpha: 2 } as never)).toThrow(/elu: alpha must be a finite number/);
  });

  it("a refused call records nothing and leaves the input as it was", () => {
    const y = tensor([1, -2], { requiresGrad: true });
    expect(() => y.softplus({ beta: 0 })).toThrow();
    expect(y.toArray()).toEqual([1, -2]);
    expect(y.grad).toBeNull();
  });
});

describe("defaults as PyTorch's", () => {
  it("softplus β = 1, threshold = 20; leakyRelu slope 0.01; elu α = 1; gelu exact", () => {
    const x = tensor([-2, -0.5, 0.5, 20.5]);
    expect(x.softplus().toArray()).toEqual(x.softplus({ beta: 1, threshold: 20 }).toArray());
    expect(x.softplus().toArray()).toEqual([Math.log1p(Math.exp(-2)), Math.log1p(Math.exp(-0.5)), Math.log1p(Math.exp(0.5)), 20.5]);
    expect(x.leakyRelu().toArray()).toEqual([-0.02, -0.005, 0.5, 20.5]);
    expect(x.elu().toArray()).toEqual([Math.expm1(-2), Math.expm1(-0.5), 0.5, 20.5]);
    (x.gelu().toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo([-2, -0.5, 0.5, 20.5][i]! * Phi([-2, -0.5, 0.5, 20.5][i]!), 14));
  });
});

describe("stable for ±1000: finite values and gradients", () => {
  const extremes = [-1000, -700, -50, 50, 700, 1000];
  const cases: [string, (x: Tensor) => Tensor, (v: number) => number, (v: number) => number][] = [
    ["softplus", (x) => x.softplus(), (v) => (v > 20 ? v : Math.log1p(Math.exp(v))), (v) => (v > 20 ? 1 : sigmoid(v))],
    ["logSigmoid", (x) => x.logSigmoid(), (v) => -(v < 0 ? -v + Math.log1p(Math.exp(v)) : Math.log1p(Math.exp(-v))), (v) => sigmoid(-v)],
    ["silu", (x) => x.silu(), (v) => v * sigmoid(v), (v) => sigmoid(v) * (1 + v * (1 - sigmoid(v)))],
    ["gelu", (x) => x.gelu(), (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0)],
    ["gelu tanh", (x) => x.gelu({ approximate: "tanh" }), (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0)],
    ["elu", (x) => x.elu(), (v) => (v > 0 ? v : Math.expm1(v)), (v) => (v > 0 ? 1 : Math.exp(v))],
  ];
  for (const [name, f, value, slope] of cases) {
    it(name, () => {
      const x = tensor(extremes, { requiresGrad: true });
      const y = f(x);
      const values = y.toArray() as number[];
      values.forEach((v, i) => {
        expect(Number.isFinite(v), `${name}(${extremes[i]}) = ${v}`).toBe(true);
        expect(v).toBeCloseTo(value(extremes[i]!), 10);
      });
      y.sum().backward();
      (x.grad!.toArray() as number[]).forEach((g, i) => {
        expect(Number.isFinite(g), `${name}′(${extremes[i]}) = ${g}`).toBe(true);
        expect(g).toBeCloseTo(slope(extremes[i]!), 12);
      });
    });
  }

  it("second derivatives stay finite at ±1000 too", () => {
    for (const f of [(x: Tensor) => x.softplus(), (x: Tensor) => x.logSigmoid(), (x: Tensor) => x.silu(), (x: Tensor) => x.gelu(), (x: Tensor) => x.elu()]) {
      const x = tensor(extremes, { requiresGrad: true });
      const [first] = gradients(f(x).sum(), [x], { createGraph: true });
      const [second] = gradients(first!.sum(), [x]);
      for (const v of second!.toArray() as number[]) expect(Number.isFinite(v)).toBe(true);
    }
  });
});

describe("kinks: the gradient at 0 is the one PyTorch gives (checked with torch 1.13)", () => {
  it("leakyRelu takes the negative side's slope at ±0; NaN passes g·slope", () => {
    expect(gradOf((x) => x.leakyRelu(0.2), [0, -0, 1, -1], [3, 3, 3, 3])).toEqual([0.6000000000000001, 0.6000000000000001, 3, 0.6000000000000001]);
    expect(gradOf((x) => x.leakyRelu(0.1), [Number.NaN])).toEqual([0.1]);
  });

  it("elu takes the negative side's slope α·e⁰ = α at ±0; NaN passes g", () => {
    expect(gradOf((x) => x.elu(2), [0, -0, 1, -1])).toEqual([2, 2, 1, 2 * Math.exp(-1)]);
    expect(gradOf((x) => x.elu(2), [Number.NaN])).toEqual([1]);
  });

  it("softplus switches to x itself strictly above the threshold, in value and gradient", () => {
    const x = tensor([10, 10.000000001, 9.999999999], { requiresGrad: true });
    const y = x.softplus({ beta: 2, threshold: 20 });
    expect(y.toArray()).toEqual([Math.log1p(Math.exp(20)) / 2, 10.000000001, Math.log1p(Math.exp(19.999999998)) / 2]);
    y.sum().backward();
    const g = x.grad!.toArray() as number[];
    expect(g[0]).toBe(1 / (1 + Math.exp(-20)));
    expect(g[1]).toBe(1);
  });
});

describe("gradients by their formulas, with the VJP writing into memory the engine owns", () => {
  const xs = [-3, -1.2, -0.4, 0.3, 0.9, 2.5];
  const w = [0.5, -1, 2, 1.5, -0.25, 3];
  const cases: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ["softplus β=2", (x) => x.softplus({ beta: 2, threshold: 3 }), (v) => (2 * v > 3 ? 1 : sigmoid(2 * v))],
    ["gelu", (x) => x.gelu(), (v) => Phi(v) + v * phi(v)],
    [
      "gelu tanh",
      (x) => x.gelu({ approximate: "tanh" }),
      (v) => {
        const k = Math.sqrt(2 / Math.PI);
        const t = Math.tanh(k * (v + 0.044715 * v ** 3));
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v);
      },
    ],
    ["leakyRelu", (x) => x.leakyRelu(0.3), (v) => (v > 0 ? 1 : 0.3)],
    ["elu", (x) => x.elu(0.6), (v) => (v > 0 ? 1 : 0.6 * Math.exp(v))],
    ["silu", (x) => x.silu(), (v) => sigmoid(v) * (1 + v * (1 - sigmoid(v)))],
    ["logSigmoid", (x) => x.logSigmoid(), (v) => 1 - sigmoid(v)],
  ];
  for (const [name, f, derivative] of cases) {
    it(name, () => {
      // exp() after the activation: its VJP hands the activation's VJP a gradient born in this backward.
      const grads = gradOf((x) => f(x).exp(), xs, w);
      const values = f(tensor(xs)).toArray() as number[];
      grads.forEach((g, i) => expect(g).toBeCloseTo(w[i]! * Math.exp(values[i]!) * derivative(xs[i]!), 12));
    });
  }
});

describe("identities on random inputs", () => {
  const valuesArb = fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 20 });

  it("softplus(x) − softplus(−x) = x (no threshold), and logSigmoid(x) = −softplus(−x)", () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        const x = tensor(values);
        const far = { threshold: Infinity };
        const difference = x.softplus(far).sub(x.neg().softplus(far)).toArray() as number[];
        difference.forEach((d, i) => expect(Math.abs(d - values[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(values[i]!))));
        const logSigmoid = x.logSigmoid().toArray() as number[];
        const viaSoftplus = x.neg().softplus(far).neg().toArray() as number[];
        logSigmoid.forEach((v, i) => expect(Math.abs(v - viaSoftplus[i]!)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(v))));
      }),
    );
  });

  it("silu(x) = x·σ(x), gelu(x) = x·Φ(x), and the tanh form within 1e-3 of the exact one", () => {
    fc.assert(
      fc.property(valuesArb, (values) => {
        const x = tensor(values);
        const silu = x.silu().toArray() as number[];
        const product = x.mul(x.sigmoid()).toArray() as number[];
        silu.forEach((v, i) => expect(Math.abs(v - product[i]!)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(v))));
        const exact = x.gelu().toArray() as number[];
        const tanh = x.gelu({ approximate: "tanh" }).toArray() as number[];
        exact.forEach((v, i) => {
          expect(Math.abs(v - values[i]! * Phi(values[i]!))).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(v)));
          expect(Math.abs(v - tanh[i]!)).toBeLessThanOrEqual(1e-3);
        });
      }),
    );
  });

  it("leakyRelu with slope 0 is relu, and elu matches its formula", () => {
    fc.assert(
      fc.property(valuesArb, fc.double({ min: 0.1, max: 3, noNaN: true }), (values, alpha) => {
        const x = tensor(values);
        expect(x.leakyRelu(0).toArray()).toEqual((x.relu().toArray() as number[]).map((v, i) => (values[i]! > 0 ? v : 0 * values[i]!)));
        (x.elu(alpha).toArray() as number[]).forEach((v, i) => expect(v).toBe(values[i]! > 0 ? values[i]! : alpha * Math.expm1(values[i]!)));
      }),
    );
  });
});

describe("GELU keeps Φ(x) from its forward for the backward", () => {
  it("gives the gradient the error function would, bit for bit, on contiguous and transposed inputs", () => {
    const values = Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.7) * 4 - (i % 5 === 0 ? 7 : 0));
    for (const transposed of [false, true]) {
      const leaf = tensor(values, { requiresGrad: true });
      const base = leaf.reshape(6, 8);
      const x = transposed ? base.transpose(0, 1) : base;
      const w = tensor(values.map((v) => v * 0.5 + 1)).reshape(x.shape[0]!, x.shape[1]!);
      x.gelu().mul(w).sum().backward();
      // The kernel's own backward, from x alone (the error function evaluated again).
      const expected = kernels.geluBackward(w.array, x.array.contiguous(), "none");
      const grad = leaf.grad!.reshape(6, 8);
      const got = transposed ? grad.transpose(0, 1) : grad;
      expect(Array.from(got.contiguous().array.values())).toEqual(Array.from(expected.values()));
    }
  });

  it("keeps second derivatives right (the kept Φ is a constant of the backward op)", () => {
    const x = tensor([-1.5, -0.2, 0.3, 2.1], { requiresGrad: true });
    const [dx] = gradients(x.gelu().sum(), [x], { createGraph: true });
    const [d2x] = gradients(dx!.sum(), [x]);
    const expected = x.toArray() as number[];
    (d2x!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(phi(expected[i]!) * (2 - expected[i]! ** 2), 14));
  });
});
