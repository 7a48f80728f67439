import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as tg from "@tapegrad/autograd";
import { DataError, ShapeError, Tensor, gradients, tensor, zeros } from "@tapegrad/autograd";

// The reductions family beyond what the op registry (gradcheck) and the PyTorch fixtures
// (torch-ops/reductions.ts) show: bad input, properties against independent formulas,
// non-finite results (JSON fixtures cannot hold them; the expected values below were
// printed by PyTorch 1.13 in float64), and second derivatives of prod with zeros.

const EPS = Number.EPSILON;
const flat = (t: Tensor): number[] => Array.from(t.toFloat64Array());
/** Equal as numbers, with NaN equal to NaN and 0 equal to −0 (PyTorch prints signed zeros the fixtures do not care about). */
const same = (actual: readonly number[], expected: readonly number[]) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(v, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(e)) expect(v, `element ${i}`).toBe(e);
    else expect(Math.abs(v - e), `element ${i}: ${v} vs ${e}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e)));
  });
};
/** The gradient of Σ f(x) for a leaf with these values. */
function gradOf(values: number[][] | number[] | number, f: (x: Tensor) => Tensor): { value: number[]; grad: number[] } {
  const x = tensor(values, { requiresGrad: true });
  const y = f(x);
  const [g] = gradients(y.sum(), [x]);
  return { value: flat(y), grad: flat(g!) };
}

describe("bad input: errors name the op and the bad value, and nothing is written", () => {
  const x = () => tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const cases: [string, (t: Tensor) => unknown, typeof DataError | typeof ShapeError, RegExp][] = [
    ["var dim out of range", (t) => t.var(2), ShapeError, /^var: dimension 2 is out of range for a 2-d array/],
    ["var fractional correction", (t) => t.var(1, { correction: 0.5 }), DataError, /^var: correction must be an integer, got 0\.5/],
    ["var correction as a string", (t) => t.var(1, { correction: "1" as unknown as number }), DataError, /^var: correction must be an integer, got "1"/],
    ["var snake_case option", (t) => t.var(1, { keep_dim: true } as never), DataError, /^var: unknown option "keep_dim"; did you mean "keepdim"\?/],
    ["var unbiased option", (t) => t.var(1, { unbiased: false } as never), DataError, /^var: unknown option "unbiased"; expected one of "correction", "keepdim"/],
    ["var positional unbiased", (t) => t.var(1, false as never), DataError, /^var: the second argument is an options object \{ correction, keepdim \}, got false .*\{ correction: 0 \}/],
    ["std keepdim not a boolean", (t) => t.std(0, { keepdim: 1 as unknown as boolean }), DataError, /^std: keepdim must be true or false, got 1/],
    ["norm p as a string", (t) => t.norm("fro" as unknown as number), DataError, /^norm: p must be a number \(2, 1, Infinity, …\), got "fro"/],
    ["norm p NaN", (t) => t.norm(Number.NaN), DataError, /^norm: p must be a number .*got NaN/],
    ["norm dim repeated", (t) => t.norm(2, [1, -1]), ShapeError, /^norm: dimension -1 appears more than once in \[1,-1\]/],
    ["prod with a list of dims (torch.prod takes one)", (t) => t.prod([0, 1] as unknown as number), ShapeError, /^prod: dimension must be an integer, got/],
    ["prod dim out of range", (t) => t.prod(-3), ShapeError, /^prod: dimension -3 is out of range for a 2-d array \(expected in \[-2, 1\]\)/],
    ["cumsum without a dim", (t) => (t.cumsum as (dim?: number) => Tensor)(), ShapeError, /^cumsum: dimension must be an integer, got undefined/],
    ["cumsum dim out of range", (t) => t.cumsum(2), ShapeError, /^cumsum: dimension 2 is out of range/],
    ["max over an empty dim", () => zeros([2, 0]).max(1), ShapeError, /^max: cannot reduce over an empty dimension of \[2,0\]/],
    ["max() of an empty tensor", () => zeros([0, 2]).max(), ShapeError, /^max: cannot reduce over an empty dimension of \[0,2\]/],
    ["min keepdim as a string", (t) => t.min(1, "true" as unknown as boolean), DataError, /^min: keepdim must be true or false, got "true"/],
    ["amax dim out of range", (t) => t.amax(5), ShapeError, /^amax: dimension 5 is out of range/],
    ["amin over an empty dim", () => zeros([3, 0]).amin(-1), ShapeError, /^amin: cannot reduce over an empty dimension of \[3,0\]/],
    ["argmin over an empty dim", () => zeros([2, 0]).argmin(1), ShapeError, /^argmin: cannot take argmin of an empty dimension in \[2,0\]/],
    ["any dim out of range", (t) => t.any(-3), ShapeError, /^any: dimension -3 is out of range/],
    ["all keepdim option misspelt", (t) => t.all(0, { keepDim: true } as never), DataError, /^all: unknown option "keepDim"; did you mean "keepdim"\?/],
    ["allclose negative rtol", (t) => t.allclose(t, { rtol: -1 }), DataError, /^allclose: rtol must be a number ≥ 0, got -1/],
    ["allclose snake_case option", (t) => t.allclose(t, { equal_nan: true } as never), DataError, /^allclose: unknown option "equal_nan"; did you mean "equalNan"\?/],
    ["allclose shapes that do not broadcast", (t) => t.allclose(zeros([2])), ShapeError, /^allclose: cannot broadcast \[2,3\] with \[2\]/],
    ["allclose with a number", (t) => t.allclose(1 as unknown as Tensor), DataError, /^allclose: other must be a Tensor, got number/],
    ["equal with an array", (t) => t.equal([1, 2, 3] as unknown as Tensor), DataError, /^equal: other must be a Tensor, got an array/],
    ["free var of a number", () => (tg as unknown as { var: (x: unknown) => Tensor }).var(3), DataError, /^var: expected a Tensor as the first argument, got number/],
    ["free prod of an array", () => tg.prod([1, 2] as unknown as Tensor), DataError, /^prod: expected a Tensor as the first argument, got an array/],
  ];
  for (const [label, f, type, message] of cases) {
    it(label, () => {
      const t = x();
      const before = flat(t);
      let thrown: unknown;
      try {
        f(t);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(type);
      expect((thrown as Error).message).toMatch(message);
      expect(flat(t)).toEqual(before);
      expect(t.grad).toBeNull();
    });
  }
});

describe("properties (fast-check, fixed seed in vitest.setup.ts)", () => {
  const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 });
  const valuesOf = (shape: number[], lo: number, hi: number) => fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) });
  const withValues = (lo: number, hi: number) => shapeArb.chain((shape) => fc.tuple(fc.constant(shape), valuesOf(shape, lo, hi), fc.nat({ max: shape.length - 1 })));

  it("cumsum's last element along dim equals sum over dim", () => {
    fc.assert(
      fc.property(withValues(-100, 100), ([shape, values, dim]) => {
        const x = tensor(Float64Array.from(values), { shape });
        const last = x.cumsum(dim).narrow(dim, shape[dim]! - 1, 1).squeeze(dim);
        const total = x.sum(dim);
        const scale = x.abs().sum(dim);
        // Both are sums of the same n values in different orders: each differs from the exact
        // sum by at most (n − 1)·ε·Σ|xᵢ| (recursive summation), so they differ by twice that.
        const n = shape[dim]!;
        const a = flat(last);
        const b = flat(total);
        flat(scale).forEach((s, i) => expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(2 * (n - 1) * EPS * s));
      }),
    );
  });

  it("var equals (mean of squares − square of mean)·n/(n − c)", () => {
    fc.assert(
      fc.property(withValues(-10, 10), fc.integer({ min: 0, max: 2 }), ([shape, values, dim], correction) => {
        const n = shape[dim]!;
        fc.pre(n - correction > 0);
        const x = tensor(Float64Array.from(values), { shape });
        const actual = flat(x.var(dim, { correction }));
        // The naive formula, in plain loops over the slices of dim.
        const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
        const outer = values.length / n;
        for (let o = 0; o < outer; o++) {
          const before = Math.floor(o / strides[dim]!);
          const after = o % strides[dim]!;
          let s = 0;
          let s2 = 0;
          for (let k = 0; k < n; k++) {
            const v = values[(before * n + k) * strides[dim]! + after]!;
            s += v;
            s2 += v * v;
          }
          const meanOfSquares = s2 / n;
          const expected = (meanOfSquares - (s / n) ** 2) * (n / (n - correction));
          // The naive formula cancels: its two terms, each at most meanOfSquares, carry
          // relative errors of about n·ε, so the difference is off by up to ~2n·ε·meanOfSquares;
          // scaled by n/(n − c) and doubled for the rounding of the reference itself. Squares
          // of tiny values underflow: each of those ~4(n + 2) roundings may also lose up to
          // the subnormal spacing Number.MIN_VALUE in absolute terms.
          const tolerance = 4 * (n + 2) * (EPS * meanOfSquares + Number.MIN_VALUE) * (n / (n - correction));
          expect(Math.abs(actual[o]! - expected), `slice ${o}`).toBeLessThanOrEqual(tolerance);
        }
      }),
    );
  });

  it("prod equals exp(Σ log x) for positive inputs", () => {
    fc.assert(
      fc.property(withValues(0.1, 10), ([shape, values, dim]) => {
        const x = tensor(Float64Array.from(values), { shape });
        const product = flat(x.prod(dim));
        const logs = x.log();
        const viaLogs = flat(logs.sum(dim).exp());
        const scale = flat(logs.abs().sum(dim));
        const n = shape[dim]!;
        // Each log is off by ~ε relatively (≤ ε·|log xᵢ| + tiny), their sum by n·ε·Σ|log xᵢ|,
        // and exp turns an absolute error δ into a relative one; the direct product rounds n
        // times. So |a − b| ≤ 4(n + 1)·ε·(1 + Σ|log xᵢ|)·|b|.
        product.forEach((p, i) => expect(Math.abs(p - viaLogs[i]!)).toBeLessThanOrEqual(4 * (n + 1) * EPS * (1 + scale[i]!) * viaLogs[i]!));
      }),
    );
  });

  it("prod's gradient is the product of the others, with zeros placed anywhere in the slice", () => {
    const slice = fc.array(fc.oneof(fc.constant(0), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(slice, (values) => {
        const x = tensor(values, { requiresGrad: true });
        x.prod().backward();
        const expected = values.map((_, i) => values.reduce((p, v, j) => (j === i ? p : p * v), 1));
        same(flat(x.grad!), expected);
      }),
    );
  });
});

describe("prod: second derivatives with zeros in a slice", () => {
  /** ∂²Πx/∂xₖ∂xᵢ = Π_{j∉{i,k}} xⱼ for i ≠ k, 0 on the diagonal: the Hessian written out. */
  const hessian = (v: number[]) => v.map((_, k) => v.map((_, i) => (i === k ? 0 : v.reduce((p, x, j) => (j === i || j === k ? p : p * x), 1))));
  for (const values of [
    [1.5, -2, 0.5, 3],
    [1.5, 0, 0.5, 3],
    [1.5, 0, 0, 3],
    [0, 0, 0, 3],
  ]) {
    it(`[${values.join(", ")}]`, () => {
      const w = [0.3, -1.2, 0.7, 2];
      const x = tensor(values, { requiresGrad: true });
      const [g] = gradients(x.prod(), [x], { createGraph: true });
      const [hw] = gradients(g!.mul(tensor(w)).sum(), [x]);
      same(flat(hw!), hessian(values).map((row) => row.reduce((s, h, i) => s + h * w[i]!, 0)));
    });
  }

  it("along a dim of a matrix, second order through prodBackward's own VJP", () => {
    const values = [
      [2, 0, -1],
      [0, 0, 4],
    ];
    const x = tensor(values, { requiresGrad: true });
    const [g] = gradients(x.prod(1), [x], { gradOutputs: [tensor([1.5, -0.5])], createGraph: true });
    const [hw] = gradients(g!.sum(), [x]);
    // Row r: 1.5 or −0.5 times Σᵢ H[k][i] (the weights of g.sum() are all 1).
    const expected = values.flatMap((row, r) => hessian(row).map((h) => (r === 0 ? 1.5 : -0.5) * h.reduce((a, b) => a + b, 0)));
    same(flat(hw!), expected);
  });
});

describe("var and std when n − correction ≤ 0 (PyTorch 1.13's values)", () => {
  const rows = [
    [1, 2, 4],
    [3, 3, 3],
  ];
  it("var with n = correction: ∞ (NaN for equal values), gradient ±∞ (NaN where x = mean)", () => {
    const { value, grad } = gradOf(rows, (x) => x.var(1, { correction: 3 }));
    same(value, [Infinity, NaN]);
    same(grad, [-Infinity, -Infinity, Infinity, NaN, NaN, NaN]);
  });
  it("var with n < correction: the same values, and PyTorch's finite gradient 2(x − mean)/(n − c)", () => {
    const { value, grad } = gradOf(rows, (x) => x.var(1, { correction: 4 }));
    same(value, [Infinity, NaN]);
    same(grad, [2.666666666666667, 0.666666666666667, -3.333333333333333, 0, 0, 0]);
  });
  it("std with n = correction and n < correction", () => {
    same(gradOf(rows, (x) => x.std(1, { correction: 3 })).grad, [NaN, NaN, NaN, NaN, NaN, NaN]);
    const { value, grad } = gradOf(rows, (x) => x.std(1, { correction: 4 }));
    same(value, [Infinity, NaN]);
    same(grad, [0, 0, 0, NaN, NaN, NaN]);
  });
  it("one value: var is NaN with the default correction, 0 with correction 0", () => {
    same(gradOf([2], (x) => x.var(0)).grad, [NaN]);
    const { value, grad } = gradOf(2, (x) => x.var(undefined, { correction: 0 }));
    same(value, [0]);
    same(grad, [0]);
  });
  it("std at zero spread has gradient 0, not NaN", () => {
    const { value, grad } = gradOf([[3, 3, 3]], (x) => x.std(1));
    same(value, [0]);
    same(grad, [0, 0, 0]);
  });
  it("equal values whose mean rounds away from them: PyTorch's tiny spread and its gradient", () => {
    // Σ = 0.30000000000000004, so mean − 0.1 = 1.39e-17 in PyTorch as here.
    const { value, grad } = gradOf([[0.1, 0.1, 0.1]], (x) => x.std(1));
    same(value, [1.6996749443881478e-17]);
    same(grad, [-0.4082482904638631, -0.4082482904638631, -0.4082482904638631]);
    const v = gradOf([[0.1, 0.1, 0.1]], (x) => x.var(1));
    expect(v.value[0]! / 2.8888949165808538e-34).toBeCloseTo(1, 12);
    v.grad.forEach((g) => expect(g / -1.3877787807814457e-17).toBeCloseTo(1, 12));
  });
  it("an empty reduction gives NaN", () => {
    same(flat(zeros([0, 3]).var(0)), [NaN, NaN, NaN]);
    same(flat(zeros([2, 0]).std(1, { correction: 0 })), [NaN, NaN]);
  });
});

describe("NaN in max, min, amax and argmax (PyTorch 1.13's values)", () => {
  const row = [[1, NaN, 3, NaN]];
  it("max(dim) and min(dim) give NaN and send the gradient to the first NaN, where argmax/argmin point", () => {
    for (const f of [(x: Tensor) => x.max(1), (x: Tensor) => x.min(1)]) {
      const { value, grad } = gradOf(row, f);
      same(value, [NaN]);
      same(grad, [0, 1, 0, 0]);
    }
    expect(tensor(row).argmax(1).toArray()).toEqual([1]);
    expect(tensor(row).argmin(1).toArray()).toEqual([1]);
  });
  it("max() shares the gradient among the NaNs", () => {
    same(gradOf(row, (x) => x.max()).grad, [0, 0.5, 0, 0.5]);
    same(gradOf(row, (x) => x.min()).grad, [0, 0.5, 0, 0.5]);
  });
  it("amax gives a NaN gradient to the whole slice", () => {
    const { value, grad } = gradOf(row, (x) => x.amax(1));
    same(value, [NaN]);
    same(grad, [NaN, NaN, NaN, NaN]);
  });
  it("norm(∞) with NaN is NaN, and the gradient is 0 (sign(NaN) = 0 in PyTorch)", () => {
    const { value, grad } = gradOf([1, NaN, -3], (x) => x.norm(Infinity));
    same(value, [NaN]);
    same(grad, [0, 0, 0]);
  });
});

describe("semantics the fixtures cannot show", () => {
  it("max and min with one dim send the whole gradient to the first of many ties", () => {
    const { grad } = gradOf(zeros([100]).toArray() as number[], (x) => x.max(0));
    expect(grad.indexOf(1)).toBe(0);
    expect(grad.reduce((a, b) => a + b, 0)).toBe(1);
  });
  it("max with a list of dims reduces as amax (ties share the gradient)", () => {
    same(gradOf([[1, 3, 3]], (x) => x.max([1])).grad, [0, 0.5, 0.5]);
    same(gradOf([[1, 3, 3]], (x) => x.max(1)).grad, [0, 1, 0]);
  });
  it("argmax without a dim indexes the flattened tensor; keepdim keeps every dim as 1", () => {
    const x = tensor([
      [1, 5, 5],
      [7, 0, 7],
    ]);
    expect(x.argmax().item()).toBe(3);
    expect(x.argmax(undefined, true).shape).toEqual([1, 1]);
    expect(x.argmin(undefined, { keepdim: true }).toArray()).toEqual([[4]]);
    expect(tensor(2).argmax(undefined, true).shape).toEqual([]);
  });
  it("norm(0) counts nonzero values and has no gradient: .grad stays null, as in PyTorch", () => {
    const x = tensor([1, 0, -2], { requiresGrad: true });
    const y = x.norm(0);
    expect(y.item()).toBe(2);
    y.backward();
    expect(x.grad).toBeNull();
  });
  it("empty reductions: norm 0 for every p, prod 1, any 0, all 1; cumsum keeps the shape", () => {
    for (const p of [0, 1, 2, 3, 0.5, -1, Infinity, -Infinity]) expect(flat(zeros([2, 0]).norm(p, 1)), `p = ${p}`).toEqual([0, 0]);
    expect(flat(zeros([2, 0]).prod(1))).toEqual([1, 1]);
    expect(flat(zeros([2, 0]).any(1))).toEqual([0, 0]);
    expect(flat(zeros([2, 0]).all(1))).toEqual([1, 1]);
    expect(zeros([0, 3]).cumsum(1).shape).toEqual([0, 3]);
  });
  it("any and all count NaN as nonzero, and never require grad", () => {
    const x = tensor([[0, NaN], [0, 0]], { requiresGrad: true });
    expect(x.any(1).toArray()).toEqual([1, 0]);
    expect(tensor([[1, NaN], [0, 1]]).all(1).toArray()).toEqual([1, 0]);
    expect(x.any().requiresGrad).toBe(false);
  });
  it("allclose broadcasts and follows torch.allclose on infinities, NaN and the asymmetric tolerance", () => {
    expect(tg.allclose(tensor([1, 1, 1]), tg.ones([2, 3]))).toBe(true);
    expect(tensor([1, Infinity]).allclose(tensor([1, Infinity]))).toBe(true);
    expect(tensor([Infinity]).allclose(tensor([-Infinity]))).toBe(false);
    expect(tensor([Infinity]).allclose(tensor([1e308]))).toBe(false);
    expect(tensor([NaN]).allclose(tensor([NaN]))).toBe(false);
    expect(tensor([NaN]).allclose(tensor([NaN]), { equalNan: true })).toBe(true);
    expect(tensor([1]).allclose(tensor([1 + 1e-5]))).toBe(true);
    expect(tensor([1 + 1e-5]).allclose(tensor([1]))).toBe(true);
    expect(tensor([1 + 2e-5]).allclose(tensor([1]))).toBe(false);
    // |a − b| ≤ atol + rtol·|b| scales by |b| only: 0.105 ≤ 0.1·1.105, but not ≤ 0.1·1.
    expect(tensor([1]).allclose(tensor([1.105]), { rtol: 0.1, atol: 0 })).toBe(true);
    expect(tensor([1.105]).allclose(tensor([1]), { rtol: 0.1, atol: 0 })).toBe(false);
    expect(tensor([0]).allclose(tensor([1e-8]))).toBe(true);
    expect(tensor([0]).allclose(tensor([1e-3]), { atol: 1e-2 })).toBe(true);
    expect(tensor([1]).allclose(tensor([1.05]), { rtol: 0.1 })).toBe(true);
  });
  it("equal needs the same shape and values: NaN equals nothing, 0 equals −0", () => {
    expect(tg.equal(tensor([1, 1, 1]), tg.ones([1, 3]))).toBe(false);
    expect(tg.equal(tensor([1, 1, 1]), tg.ones([3]))).toBe(true);
    expect(tensor([NaN]).equal(tensor([NaN]))).toBe(false);
    expect(tensor([0]).equal(tensor([-0]))).toBe(true);
    expect(zeros([0, 2]).equal(zeros([0, 3]))).toBe(false);
    expect(tensor([[1, 2], [3, 4]]).t().equal(tensor([[1, 3], [2, 4]]))).toBe(true);
  });
  it("the free functions take the tensor first and agree with the methods", () => {
    const x = tensor([
      [1, -2, 3],
      [0.5, 4, -1],
    ]);
    const variance = (tg as unknown as { var: (x: Tensor, dim?: number, options?: { correction?: number }) => Tensor }).var;
    const pairs: [Tensor, Tensor][] = [
      [variance(x, 1, { correction: 0 }), x.var(1, { correction: 0 })],
      [tg.std(x, 0), x.std(0)],
      [tg.norm(x, 3, 1, true), x.norm(3, 1, true)],
      [tg.prod(x, -1), x.prod(-1)],
      [tg.cumsum(x, 0), x.cumsum(0)],
      [tg.amax(x, 0), x.amax(0)],
      [tg.amin(x), x.amin()],
      [tg.argmax(x, 1), x.argmax(1)],
      [tg.argmin(x), x.argmin()],
      [tg.any(x.gt(3), 1), x.gt(3).any(1)],
      [tg.all(x, 0), x.all(0)],
      [tg.sum(x, 1, true), x.sum(1, true)],
      [tg.mean(x), x.mean()],
      [tg.max(x, 1), x.max(1)],
      [tg.min(x, 0, { keepdim: true }), x.min(0, { keepdim: true })],
      [tg.logsumexp(x, 1), x.logsumexp(1)],
      [tg.softmax(x, 1), x.softmax(1)],
      [tg.logSoftmax(x, 0), x.logSoftmax(0)],
    ];
    for (const [free, method] of pairs) {
      expect(free.shape).toEqual(method.shape);
      expect(flat(free)).toEqual(flat(method));
    }
  });
});
