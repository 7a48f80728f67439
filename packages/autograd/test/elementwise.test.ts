import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { NDArray, kernels } from "@tapegrad/tensor";
import * as autograd from "@tapegrad/autograd";
import { Tensor, add, clamp, exp, gradients, matmul, maximum, pow, tensor } from "@tapegrad/autograd";

// Semantics of the new elementwise ops that the PyTorch fixtures cannot show on their own:
// erf's accuracy against independent references, rounding ties, sign's zeros and NaN,
// compiled loops against their callbacks, and the free functions.

interface StoredCase {
  inputs: { values: number[] }[];
  outputs: { values: number[] }[];
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/torch-ops-elementwise.json", import.meta.url), "utf8")).cases as Record<string, StoredCase>;

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

describe("erf", () => {
  it("agrees with PyTorch to 1e-15 relative (not just absolute) at every fixture point, tiny and tail included", () => {
    const { inputs, outputs } = fixtures.erf_points!;
    const xs = inputs[0]!.values;
    expect(xs).toContain(1e-300);
    expect(xs).toContain(-27);
    const ys = tensor(xs).erf().toArray() as number[];
    ys.forEach((y, i) => {
      const expected = outputs[0]!.values[i]!;
      const relative = expected === 0 ? Math.abs(y) : Math.abs(y - expected) / Math.abs(expected);
      expect(relative, `erf(${xs[i]}) = ${y}, PyTorch ${expected}`).toBeLessThanOrEqual(1e-15);
    });
  });

  it("matches 200-bit references (mpmath) to an ulp or two", () => {
    const references: [number, number][] = [
      [1e-300, 1.1283791670955126e-300],
      [1e-8, 1.1283791670955126e-8],
      [0.5, 0.5204998778130465],
      [0.84375, 0.7672256612323416],
      [1.25, 0.9229001282564583],
      [2.857, 0.9999466417399131],
      [4, 0.9999999845827421],
      [6, 1],
      [-0.3, -0.32862675945912745],
      [-2, -0.9953222650189527],
    ];
    for (const [x, expected] of references) {
      expect(Math.abs(kernels.erfScalar(x) - expected) / Math.abs(expected), `erf(${x})`).toBeLessThanOrEqual(3e-16);
    }
  });

  it("is odd, bounded by 1 and exactly ±1 from |x| ≥ 6; NaN stays NaN", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const y = kernels.erfScalar(x);
        expect(Object.is(kernels.erfScalar(-x), -y)).toBe(true);
        expect(Math.abs(y)).toBeLessThanOrEqual(1);
        if (Math.abs(x) >= 6) expect(y).toBe(Math.sign(x));
      }),
    );
    expect(kernels.erfScalar(Number.NaN)).toBeNaN();
    expect(kernels.erfScalar(Infinity)).toBe(1);
    expect(Object.is(kernels.erfScalar(-0), -0)).toBe(true);
  });

  it("is increasing across fdlibm's interval boundaries (no step where one approximation hands over to the next)", () => {
    for (const edge of [0.84375, 1.25, 2.8571434020996094, 6, 3.725290298461914e-9]) {
      let below = edge;
      for (let k = 0; k < 4; k++) below -= Number.EPSILON * edge;
      let previous = kernels.erfScalar(below);
      for (let k = 0; k < 8; k++) {
        below += Number.EPSILON * edge;
        const next = kernels.erfScalar(below);
        expect(next, `erf around ${edge}`).toBeGreaterThanOrEqual(previous);
        previous = next;
      }
    }
  });

  it("has central differences matching its derivative 2/√π·e^(−x²) over [−7, 7]", () => {
    const h = 1e-5;
    for (let x = -7; x <= 7; x += 0.013) {
      const difference = (kernels.erfScalar(x + h) - kernels.erfScalar(x - h)) / (2 * h);
      // Truncation h²·|f‴|/6 < 1e-10, rounding 1e-16/h = 1e-11.
      expect(Math.abs(difference - TWO_OVER_SQRT_PI * Math.exp(-x * x)), `x = ${x}`).toBeLessThanOrEqual(2e-10);
    }
  });

  it("has the gradient 2/√π·e^(−x²)·g", () => {
    const x = tensor([-3, -0.5, 0, 0.7, 2], { requiresGrad: true });
    const w = tensor([1, -2, 0.5, 3, 4]);
    x.erf().mul(w).sum().backward();
    const expected = [-3, -0.5, 0, 0.7, 2].map((v, i) => TWO_OVER_SQRT_PI * Math.exp(-v * v) * [1, -2, 0.5, 3, 4][i]!);
    (x.grad!.toArray() as number[]).forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 15));
  });
});

describe("rounding", () => {
  it("round sends ties to the even neighbour, keeps −0 and large and infinite values, as torch.round", () => {
    const cases: [number, number][] = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [3.5, 4],
      [-0.5, -0],
      [-1.5, -2],
      [-2.5, -2],
      [-0.4, -0],
      [0.49999999999999994, 0],
      [2.4999999999999996, 2],
      [4503599627370497, 4503599627370497],
      [-1e300, -1e300],
      [Infinity, Infinity],
    ];
    const out = tensor(cases.map(([x]) => x)).round().toArray() as number[];
    out.forEach((y, i) => expect(Object.is(y, cases[i]![1]), `round(${cases[i]![0]}) = ${y}`).toBe(true));
    expect(tensor([Number.NaN]).round().item()).toBeNaN();
  });

  it("floor and ceil as Math's, −0 included", () => {
    const xs = [-1.5, -0.5, -0, 0, 0.5, 1.5, 7];
    expect((tensor(xs).floor().toArray() as number[]).map((v, i) => Object.is(v, Math.floor(xs[i]!)))).toEqual(xs.map(() => true));
    expect((tensor(xs).ceil().toArray() as number[]).map((v, i) => Object.is(v, Math.ceil(xs[i]!)))).toEqual(xs.map(() => true));
  });

  it("floor, ceil and round give outputs without grad, even of inputs that require it", () => {
    const x = tensor([0.3, 1.7], { requiresGrad: true });
    for (const y of [x.floor(), x.ceil(), x.round()]) {
      expect(y.requiresGrad).toBe(false);
      expect(y.gradFn).toBeNull();
    }
    // In an expression the rounded factor is a constant: d/dx (round(x)·x) = round(x).
    x.round().mul(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 2]);
  });
});

describe("sign", () => {
  it("is −1, 0 or 1, with +0 for −0 and for NaN (as torch.sign), and a zero gradient", () => {
    const x = tensor([-3, -1e-300, -0, 0, Number.NaN, 2, Infinity, -Infinity], { requiresGrad: true });
    const y = x.sign();
    expect((y.toArray() as number[]).map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual([-1, -1, 0, 0, 0, 1, 1, -1]);
    expect(y.requiresGrad).toBe(true);
    y.mul(tensor([Infinity, 1, 1, 1, 1, 1, 1, 1])).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("abs's gradient uses the same sign: 0 at ±0 and NaN, as PyTorch", () => {
    const x = tensor([-0, 0, Number.NaN, -2], { requiresGrad: true });
    x.abs().sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0, 0, -1]);
  });
});

describe("reciprocal, rsqrt, expm1", () => {
  it("values and gradients by their formulas", () => {
    const x = tensor([0.25, 1, 4], { requiresGrad: true });
    expect(x.reciprocal().toArray()).toEqual([4, 1, 0.25]);
    expect(x.rsqrt().toArray()).toEqual([2, 1, 0.5]);
    const grads = gradients(x.reciprocal().add(x.rsqrt()).sum(), [x])[0]!.toArray() as number[];
    // −1/x² − ½·x^(−3/2)
    [0.25, 1, 4].forEach((v, i) => expect(grads[i]).toBeCloseTo(-1 / (v * v) - 0.5 * v ** -1.5, 12));
  });

  it("expm1 keeps full precision near 0, where exp(x) − 1 loses it", () => {
    expect(tensor([1e-12]).expm1().item()).toBe(Math.expm1(1e-12));
    expect(tensor([1e-12]).expm1().item()).not.toBe(Math.exp(1e-12) - 1);
  });

  it("edges: 1/±0 = ±∞, rsqrt(0) = ∞, rsqrt of a negative is NaN", () => {
    expect(tensor([0, -0]).reciprocal().toArray()).toEqual([Infinity, -Infinity]);
    expect(tensor([0]).rsqrt().item()).toBe(Infinity);
    expect(tensor([-1]).rsqrt().item()).toBeNaN();
  });
});

describe("compiled loops equal their callbacks bit for bit (new kernels)", () => {
  afterEach(() => kernels.setCompiledLoops(true));
  const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-310, -1e-310, 0.5, -0.5, 1.5, -2.5, 1, -1, 1e308, -1e308, 800, -800];
  const valueArb = fc.oneof(fc.constantFrom(...special), fc.double());
  const bits = (a: NDArray) => Array.from(new BigUint64Array(Float64Array.from(a.values()).buffer), (b) => b.toString(16));
  const canonical = (s: string) => (s.startsWith("7ff8") || s.startsWith("fff8") ? "nan" : s);

  function bothWays(run: () => NDArray): [string[], string[]] {
    const compiled = bits(run()).map(canonical);
    kernels.setCompiledLoops(false);
    try {
      return [compiled, bits(run()).map(canonical)];
    } finally {
      kernels.setCompiledLoops(true);
    }
  }

  it.each(["reciprocal", "rsqrt", "expm1", "floor", "ceil", "round", "sign", "silu", "logSigmoid"] as const)("%s", (name) => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 40 }), (values) => {
        const x = new NDArray(Float64Array.from(values), [values.length]);
        const [a, b] = bothWays(() => (kernels[name] as (x: NDArray) => NDArray)(x));
        expect(a).toEqual(b);
      }),
      { numRuns: 60 },
    );
  });

  it.each(["siluBackward", "logSigmoidBackward"] as const)("%s", (name) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(valueArb, valueArb), { minLength: 1, maxLength: 40 }), (pairs) => {
        const g = new NDArray(Float64Array.from(pairs.map(([v]) => v)), [pairs.length]);
        const x = new NDArray(Float64Array.from(pairs.map(([, v]) => v)), [pairs.length]);
        const [a, b] = bothWays(() => kernels[name](g, x));
        expect(a).toEqual(b);
      }),
      { numRuns: 60 },
    );
  });
});

describe("free functions", () => {
  it("are the methods: the same values, and a number accepted where the methods take one", () => {
    const a = tensor([[1, -2], [0.5, 3]]);
    const b = tensor([[0.5, 1], [-1, 2]]);
    expect(add(a, 2).toArray()).toEqual(a.add(2).toArray());
    expect(maximum(a, b).toArray()).toEqual(a.maximum(b).toArray());
    expect(matmul(a, b).toArray()).toEqual(a.matmul(b).toArray());
    expect(pow(a, 3).toArray()).toEqual(a.pow(3).toArray());
    expect(clamp(a, undefined, 1).toArray()).toEqual(a.clamp(undefined, 1).toArray());
    expect(exp(a).toArray()).toEqual(a.exp().toArray());
  });

  it("exist for every torch.<name> elementwise op, and not for the activations torch has only in nn.functional", () => {
    const names = ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "abs", "neg", "sign", "reciprocal", "square", "sin", "cos", "tanh", "sigmoid", "relu", "erf", "floor", "ceil", "round", "clamp", "pow", "add", "sub", "mul", "div", "maximum", "minimum", "matmul"];
    for (const name of names) expect(typeof (autograd as Record<string, unknown>)[name], name).toBe("function");
    for (const name of ["softplus", "gelu", "leakyRelu", "elu", "silu", "logSigmoid"]) expect((autograd as Record<string, unknown>)[name], name).toBeUndefined();
  });

  it("record the same ops as the methods (the graph names them alike)", () => {
    const x = tensor([0.2, 0.4], { requiresGrad: true });
    expect(autograd.erf(x).gradFn!.name).toBe("erf");
    expect(autograd.rsqrt(x).gradFn!.name).toBe("rsqrt");
    expect(autograd.square(x).gradFn!.name).toBe("pow");
    expect(x.erf() instanceof Tensor).toBe(true);
  });
});
