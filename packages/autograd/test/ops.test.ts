import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NDArray } from "@tapegrad/tensor";
import { Tensor, binaryCrossEntropy, cat, gradcheck, grad, linear, stack, tensor, where } from "@tapegrad/autograd";

// Per op: the VJP agrees with central finite differences (gradcheck) on random shapes,
// broadcast operands, and transposed or narrowed inputs; and the adjoint identity
// ⟨u, VJP(v)⟩ = ⟨JVP_fd(u), v⟩ holds with an independently written finite-difference JVP.

const shapeArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 });

/** Values bounded away from 0 and ties, so kinks (relu, abs, max) are not sampled. */
function valuesFor(shape: number[], seed: number, { positive = false } = {}): Float64Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    const magnitude = 0.3 + 1.2 * u + i * 1e-3; // distinct values, ≥ 0.3 from 0
    out[i] = positive || (s & 1) === 0 ? magnitude : -magnitude;
  }
  return out;
}

/** A constant (no grad) tensor of `shape` with the test values. */
const constantOf = (shape: number[], seed: number): Tensor => tensor(valuesFor(shape, seed), { shape });

type Layout = "contiguous" | "transposed" | "narrowed";

/** A leaf tensor of `shape` whose memory layout is contiguous, transposed or narrowed. */
function leaf(shape: number[], seed: number, layout: Layout, options: { positive?: boolean } = {}): Tensor {
  const values = valuesFor(shape, seed, options);
  let array = new NDArray(values, shape);
  if (layout === "transposed" && shape.length >= 2) {
    const swapped = shape.slice();
    [swapped[0], swapped[swapped.length - 1]] = [swapped[swapped.length - 1]!, swapped[0]!];
    // A buffer laid out for the swapped shape, read through a transposed view.
    const base = new NDArray(new Float64Array(values.length), swapped);
    const view = base.transpose(0, shape.length - 1);
    const flat = new NDArray(values, shape);
    for (let i = 0; i < values.length; i++) {
      const index = unravel(i, shape);
      view.set(flat.get(...index), ...index);
    }
    array = view;
  } else if (layout === "narrowed" && shape.length >= 1) {
    const wider = shape.slice();
    wider[0] = shape[0]! + 2;
    const base = new NDArray(valuesFor(wider, seed + 7, options), wider);
    const view = base.narrow(0, 1, shape[0]!);
    const flat = new NDArray(values, shape);
    for (let i = 0; i < values.length; i++) {
      const index = unravel(i, shape);
      view.set(flat.get(...index), ...index);
    }
    array = view;
  }
  return new Tensor(array, { requiresGrad: true });
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}

const layoutArb = fc.constantFrom<Layout>("contiguous", "transposed", "narrowed");

const unaryCases: [string, (x: Tensor) => Tensor, boolean][] = [
  ["neg", (x) => x.neg(), false],
  ["exp", (x) => x.exp(), false],
  ["log", (x) => x.log(), true],
  ["log1p", (x) => x.log1p(), true],
  ["sqrt", (x) => x.sqrt(), true],
  ["abs", (x) => x.abs(), false],
  ["tanh", (x) => x.tanh(), false],
  ["sigmoid", (x) => x.sigmoid(), false],
  ["relu", (x) => x.relu(), false],
  ["sin", (x) => x.sin(), false],
  ["cos", (x) => x.cos(), false],
  ["pow 3", (x) => x.pow(3), false],
  ["pow -1.5", (x) => x.pow(-1.5), true],
  ["pow 0.5", (x) => x.pow(0.5), true],
  ["clamp", (x) => x.clamp(-0.9, 0.8), false],
  ["square", (x) => x.square(), false],
  ["softmax", (x) => x.softmax(-1), false],
  ["logSoftmax", (x) => x.logSoftmax(0), false],
];

describe("unary ops: VJP matches finite differences", () => {
  for (const [name, f, positive] of unaryCases) {
    it(name, () => {
      fc.assert(
        fc.property(shapeArb, fc.integer({ min: 1, max: 1e6 }), (shape, seed) => {
          if ((name === "softmax" || name === "logSoftmax") && shape.length === 0) return;
          const x = leaf(shape, seed, "contiguous", { positive });
          gradcheck((t) => f(t).mul(constantOf([...f(t).shape], seed + 1)).sum(), [x]);
          gradcheck(f, [x]);
        }),
        { numRuns: 25 },
      );
    });
  }
});

/** Two shapes that broadcast: drop leading dims of b and set some sizes to 1. */
const broadcastPair = fc
  .tuple(shapeArb, fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.integer({ min: 0, max: 3 }))
  .map(([shape, ones, drop]) => {
    const b = shape.map((s, i) => (ones[i] ? 1 : s)).slice(Math.min(drop, shape.length));
    return [shape, b] as const;
  });

const binaryCases: [string, (a: Tensor, b: Tensor) => Tensor, boolean][] = [
  ["add", (a, b) => a.add(b), false],
  ["sub", (a, b) => a.sub(b), false],
  ["mul", (a, b) => a.mul(b), false],
  ["div", (a, b) => a.div(b), false],
  ["maximum", (a, b) => a.maximum(b), false],
  ["minimum", (a, b) => a.minimum(b), false],
];

describe("binary ops with broadcasting: VJP matches finite differences", () => {
  for (const [name, f] of binaryCases) {
    it(name, () => {
      fc.assert(
        fc.property(broadcastPair, fc.integer({ min: 1, max: 1e6 }), fc.boolean(), ([sa, sb], seed, swap) => {
          const a = leaf([...sa], seed, "contiguous");
          const b = leaf([...sb], seed + 3, "contiguous");
          const [x, y] = swap ? [b, a] : [a, b];
          gradcheck(f, [x, y]);
          // Broadcast gradients have the operand's shape and equal the sum over broadcast axes.
          x.grad = null;
          y.grad = null;
          f(x, y).sum().backward();
          expect(x.grad!.shape).toEqual(x.shape);
          expect(y.grad!.shape).toEqual(y.shape);
        }),
        { numRuns: 25 },
      );
    });
  }

  it("number operands act as constants", () => {
    const x = tensor([1.5, -2, 3], { requiresGrad: true });
    gradcheck((t) => t.mul(3).add(2).sub(1).div(4), [x]);
    x.mul(3).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 3, 3]);
  });

  it("where routes the gradient by the condition", () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([4, 5, 6], { requiresGrad: true });
    where(tensor([1, 0, 1]), a, b).sum().backward();
    expect(a.grad!.toArray()).toEqual([1, 0, 1]);
    expect(b.grad!.toArray()).toEqual([0, 1, 0]);
    gradcheck((p, q) => where(tensor([1, 0, 1]), p, q).mul(p), [a, b]);
  });

  it("maximum splits ties evenly, as PyTorch", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([1, 3], { requiresGrad: true });
    a.maximum(b).sum().backward();
    expect(a.grad!.toArray()).toEqual([0.5, 0]);
    expect(b.grad!.toArray()).toEqual([0.5, 1]);
  });
});

describe("reductions: VJP matches finite differences for every dim set", () => {
  const dimsArb = (ndim: number) => fc.subarray(Array.from({ length: ndim }, (_, i) => i));
  const reductions: [string, (x: Tensor, dims: number[] | undefined, keep: boolean) => Tensor][] = [
    ["sum", (x, d, k) => x.sum(d, k)],
    ["mean", (x, d, k) => x.mean(d, k)],
    ["max", (x, d, k) => x.max(d, k)],
    ["min", (x, d, k) => x.min(d, k)],
    ["logsumexp", (x, d, k) => x.logsumexp(d, k)],
  ];
  for (const [name, f] of reductions) {
    it(name, () => {
      fc.assert(
        fc.property(
          shapeArb.chain((s) => fc.tuple(fc.constant(s), dimsArb(s.length), fc.boolean(), fc.boolean())),
          fc.integer({ min: 1, max: 1e6 }),
          ([shape, dims, keep, negative], seed) => {
            const x = leaf(shape, seed, "contiguous");
            const list = negative ? dims.map((d) => d - shape.length) : dims;
            gradcheck((t) => f(t, list.length ? list : undefined, keep), [x]);
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it("gradient of sum is ones of the input's shape", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    x.sum().backward();
    expect(x.grad!.toArray()).toEqual([[1, 1, 1], [1, 1, 1]]);
  });
});

describe("shape ops route gradients back", () => {
  const shapeCases: [string, (x: Tensor) => Tensor, number[]][] = [
    ["reshape", (x) => x.reshape(3, -1), [2, 3, 2]],
    ["transpose", (x) => x.transpose(0, 2), [2, 3, 2]],
    ["permute", (x) => x.permute(2, 0, 1), [2, 3, 2]],
    ["unsqueeze", (x) => x.unsqueeze(1), [2, 3]],
    ["squeeze", (x) => x.squeeze(), [2, 1, 3]],
    ["expand", (x) => x.expand(4, 2, 5, 3), [2, 1, 3]],
    ["flatten", (x) => x.flatten(), [2, 3, 2]],
    ["narrow", (x) => x.narrow(1, 1, 2), [2, 4]],
    ["clone", (x) => x.clone(), [2, 3]],
    ["transposed matmul", (x) => x.t().matmul(x), [3, 2]],
    ["linear (input)", (x) => linear(x, constantOf([4, 3], 8), constantOf([4], 9)), [2, 5, 3]],
    ["linear (weight)", (w) => linear(constantOf([6, 3], 10), w), [4, 3]],
    ["linear (bias)", (b) => linear(constantOf([6, 3], 10), constantOf([2, 3], 11), b), [2]],
    ["cat", (x) => cat([x, x.mul(2), x.narrow(0, 0, 1)], 0), [2, 3]],
    ["stack", (x) => stack([x, x.exp()], 1), [2, 3]],
  ];
  for (const [name, f, shape] of shapeCases) {
    it(name, () => {
      const x = leaf(shape, 11, "contiguous");
      const weights = constantOf([...f(x).shape], 5);
      gradcheck((t) => f(t).mul(weights).sum(), [x]);
      gradcheck(f, [x]);
    });
  }
});

describe("strided inputs", () => {
  it("ops on transposed and narrowed leaves give the same gradients as on contiguous copies", () => {
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), fc.integer({ min: 1, max: 1e6 }), layoutArb, (shape, seed, layout) => {
        const view = leaf([...shape], seed, layout);
        const copy = new Tensor(view.array.clone(), { requiresGrad: true });
        const f = (t: Tensor) => t.exp().mul(t.sigmoid()).matmul(t.t()).logsumexp(1).sum();
        f(view).backward();
        f(copy).backward();
        expect(view.grad!.toArray()).toEqual(copy.grad!.toArray());
      }),
      { numRuns: 30 },
    );
  });
});

describe("the adjoint identity ⟨u, VJP(v)⟩ = ⟨JVP(u), v⟩", () => {
  /** Directional derivative of f at x along u by central differences, independent of the engine. */
  function jvpFd(f: (x: Tensor) => Tensor, x: Float64Array, shape: number[], u: Float64Array, eps = 1e-6): Float64Array {
    const plus = Float64Array.from(x, (v, i) => v + eps * u[i]!);
    const minus = Float64Array.from(x, (v, i) => v - eps * u[i]!);
    const fp = f(tensor(plus, { shape })).toFloat64Array();
    const fm = f(tensor(minus, { shape })).toFloat64Array();
    return Float64Array.from(fp, (v, i) => (v - fm[i]!) / (2 * eps));
  }
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
  const fns: [string, (x: Tensor) => Tensor][] = [
    ["mlp-like", (x) => x.matmul(x.t()).tanh().mul(x.sum(1, true))],
    ["softmax", (x) => x.softmax(1).mul(x)],
    ["broadcast", (x) => x.add(x.mean(0)).sigmoid().div(x.exp().add(1))],
  ];
  for (const [name, f] of fns) {
    it(name, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 1e6 }), (m, n, seed) => {
          const shape = [m, n];
          const x = valuesFor(shape, seed);
          const u = valuesFor(shape, seed + 1);
          const xt = tensor(x.slice(), { shape, requiresGrad: true });
          const y = f(xt);
          const v = valuesFor([...y.shape], seed + 2);
          y.backward(tensor(v, { shape: [...y.shape] }));
          const left = dot(u, xt.grad!.toFloat64Array());
          const right = dot(jvpFd(f, x, shape, u), v);
          expect(Math.abs(left - right)).toBeLessThan(1e-6 * Math.max(1, Math.abs(right)));
        }),
        { numRuns: 30 },
      );
    });
  }
});

describe("linear", () => {
  it("equals x·Wᵀ + b written out of primitives", () => {
    const x = leaf([3, 4], 1, "transposed");
    const w = leaf([2, 4], 2, "contiguous");
    const b = leaf([2], 3, "contiguous");
    expect(linear(x, w, b).toArray()).toEqual(x.matmul(w.t()).add(b).toArray());
    gradcheck((p, q, r) => linear(p, q, r).tanh(), [new Tensor(x.array.clone(), { requiresGrad: true }), w, b]);
  });

  // Found by the op registry: the VJP reshaped with -1, which is ambiguous for 0 features, and threw.
  it("backward runs with zero output features or zero input features", () => {
    const x = leaf([2, 3], 1, "contiguous");
    const w = leaf([0, 3], 2, "contiguous");
    const b = leaf([0], 3, "contiguous");
    linear(x, w, b).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect([w.grad!.shape, b.grad!.shape]).toEqual([[0, 3], [0]]);
    const empty = leaf([2, 0], 4, "contiguous");
    const w2 = leaf([4, 0], 5, "contiguous");
    const b2 = leaf([4], 6, "contiguous");
    linear(empty, w2, b2).sum().backward();
    expect(b2.grad!.toArray()).toEqual([2, 2, 2, 2]);
    expect([empty.grad!.shape, w2.grad!.shape]).toEqual([[2, 0], [4, 0]]);
  });

  it("relu's VJP is linear in g, so its second derivative is 0 away from the kink", () => {
    const d2 = grad(grad((t: Tensor) => t.relu().mul(t).sum()));
    // (x·relu(x))'' = 2 for x > 0, 0 for x < 0.
    expect(d2(tensor([1.5])).toArray()).toEqual([2]);
    expect(d2(tensor([-1.5])).toArray()).toEqual([0]);
  });
});

describe("binaryCrossEntropy", () => {
  // Found by the op registry: the forward broadcasts x against y, the VJP called its
  // backward kernel in x's shape and threw a ShapeError.
  it("x broadcast against a larger y: the gradient of x sums over the broadcast rows", () => {
    const x = tensor([0.2, 0.7, 0.4], { requiresGrad: true });
    const y = tensor([[0, 1, 1], [1, 0, 0.5]], { requiresGrad: true });
    gradcheck((p, q) => binaryCrossEntropy([p, q], undefined), [x, y]);
    gradcheck((p) => binaryCrossEntropy([p, tensor(0.3)], undefined).mul(constantOf([2, 3], 4)), [tensor([[0.6, 0.1, 0.9]], { requiresGrad: true })]);
  });
});
