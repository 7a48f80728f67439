import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError, Generator, NDArray, ShapeError, TapegradError, broadcastShapes, kernels, manualSeed, rand, randn } from "@tapegrad/tensor";

// Every view against the same op on a contiguous copy, every kernel against a naive
// index-by-index reference that reads element [i…] as data[offset + Σ i_k·strides_k].

/** Reads every element of any strided array, in row-major order, the slow obvious way. */
function naiveValues(a: NDArray): number[] {
  const out: number[] = [];
  const index = new Array<number>(a.ndim).fill(0);
  for (let n = 0; n < a.size; n++) {
    let p = a.offset;
    for (let d = 0; d < a.ndim; d++) p += index[d]! * a.strides[d]!;
    out.push(a.data[p]!);
    for (let d = a.ndim - 1; d >= 0; d--) {
      if (++index[d]! < a.shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

const naiveGet = (a: NDArray, index: number[]): number => a.data[a.offset + index.reduce((s, v, d) => s + v * a.strides[d]!, 0)]!;

function* indices(shape: readonly number[]): IterableIterator<number[]> {
  const size = shape.reduce((a, b) => a * b, 1);
  const index = new Array<number>(shape.length).fill(0);
  for (let n = 0; n < size; n++) {
    yield index.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });
const positiveShapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

/** A random array of `shape` seen through a random layout: permuted, narrowed with an offset, or plain. */
const stridedArb = (shapeGen = shapeArb) =>
  fc.tuple(shapeGen, fc.integer({ min: 0, max: 1e9 }), fc.constantFrom("plain", "permuted", "narrowed", "expanded")).map(([shape, seed, layout]) => {
    const g = new Generator(seed);
    if (layout === "permuted" && shape.length >= 2) {
      const order = g.permutation(shape.length);
      const inverse = new Array<number>(order.length);
      order.forEach((d, i) => (inverse[d] = i));
      const baseShape = inverse.map((d) => shape[d]!);
      // view.shape[i] = base.shape[order[i]] = shape[i]
      return g.normalArray(baseShape).permute(order);
    }
    if (layout === "narrowed" && shape.length >= 1) {
      const wide = shape.map((s, i) => (i === 0 ? s + 3 : s + 1));
      let a = g.normalArray(wide).narrow(0, 2, shape[0]!);
      for (let d = 1; d < shape.length; d++) a = a.narrow(d, 1, shape[d]!);
      return a;
    }
    if (layout === "expanded" && shape.length >= 1) {
      const small = shape.map((s, i) => (i % 2 === 0 ? 1 : s));
      return g.normalArray(small).expand(shape);
    }
    return g.normalArray(shape);
  });

/** A transposed view whose shape is `shape`: data laid out for the reversed shape. */
const transposedArb = positiveShapeArb.chain((shape) =>
  fc.integer({ min: 0, max: 1e9 }).map((seed) => {
    const reversed = [...shape].reverse();
    return new Generator(seed).normalArray(reversed).permute(reversed.map((_, i) => reversed.length - 1 - i));
  }),
);

describe("views equal the same op on a contiguous copy and share the buffer", () => {
  it("transpose, permute, narrow, unsqueeze, squeeze, flatten", () => {
    fc.assert(
      fc.property(fc.oneof(stridedArb(positiveShapeArb), transposedArb), fc.integer({ min: 0, max: 1e9 }), (a, seed) => {
        const g = new Generator(seed);
        const copy = NDArray.from(Float64Array.from(naiveValues(a)), a.shape);
        const d0 = g.integer(0, a.ndim);
        const d1 = g.integer(0, a.ndim);
        const order = g.permutation(a.ndim);
        const start = g.integer(0, a.shape[d0]!);
        const length = g.integer(0, a.shape[d0]! - start + 1);
        const views: [string, (x: NDArray) => NDArray][] = [
          ["transpose", (x) => x.transpose(d0, d1)],
          ["permute", (x) => x.permute(order)],
          ["narrow", (x) => x.narrow(d0, start, length)],
          ["unsqueeze", (x) => x.unsqueeze(d0)],
          ["squeeze", (x) => x.squeeze()],
          ["expand", (x) => x.unsqueeze(0).expand([3, ...x.shape])],
        ];
        for (const [, f] of views) {
          const view = f(a);
          expect(view.data).toBe(a.data);
          expect(naiveValues(view)).toEqual(naiveValues(f(copy)));
        }
        // Element by element: transpose swaps indices.
        const t = a.transpose(d0, d1);
        for (const index of indices(t.shape)) {
          const source = index.slice();
          [source[d0], source[d1]] = [source[d1]!, source[d0]!];
          expect(naiveGet(t, index)).toBe(naiveGet(a, source));
        }
      }),
      { numRuns: 150 },
    );
  });

  it("reshape is a view when the layout allows, round trips, and copies only when it must", () => {
    fc.assert(
      fc.property(stridedArb(), fc.integer({ min: 0, max: 1e9 }), (a, seed) => {
        const values = naiveValues(a);
        // A random factorisation of the size as the target shape.
        const g = new Generator(seed);
        const target: number[] = [];
        let rest = a.size;
        while (rest > 1 && target.length < 4) {
          const divisors = Array.from({ length: rest }, (_, i) => i + 1).filter((d) => rest % d === 0);
          const d = divisors[g.integer(0, divisors.length)]!;
          target.push(d);
          rest /= d;
        }
        target.push(rest);
        const r = a.reshape(target);
        expect(naiveValues(r)).toEqual(values);
        expect(naiveValues(r.reshape(a.shape))).toEqual(values);
        if (a.isContiguous()) expect(r.data).toBe(a.data);
        const inferred = a.size > 0 ? a.reshape([-1]) : a.reshape([0]);
        expect(inferred.shape).toEqual([a.size]);
      }),
      { numRuns: 150 },
    );
    const t = NDArray.from([[1, 2, 3], [4, 5, 6]]).transpose(0, 1);
    expect(t.reshape([6]).data).not.toBe(t.data);
    expect(t.reshape([3, 2, 1]).data).toBe(t.data); // adding a size-1 dim needs no copy
    expect(() => t.view([6])).toThrow(/view: .* cannot be viewed as \[6\]; use reshape/);
  });
});

describe("broadcastShapes", () => {
  /** The rule written independently: pad with 1s on the left, then per axis equal or 1. */
  function reference(a: number[], b: number[]): number[] | null {
    const n = Math.max(a.length, b.length);
    const pa = [...new Array<number>(n - a.length).fill(1), ...a];
    const pb = [...new Array<number>(n - b.length).fill(1), ...b];
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      if (pa[i] === pb[i] || pb[i] === 1) out.push(pa[i]!);
      else if (pa[i] === 1) out.push(pb[i]!);
      else return null;
    }
    return out;
  }
  it("matches the reference rule and throws ShapeError naming both shapes otherwise", () => {
    const small = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });
    fc.assert(
      fc.property(small, small, (a, b) => {
        const expected = reference(a, b);
        if (expected) expect(broadcastShapes(a, b)).toEqual(expected);
        else expect(() => broadcastShapes(a, b, "add")).toThrow(new ShapeError(`add: cannot broadcast [${a.join(",")}] with [${b.join(",")}]`));
      }),
      { numRuns: 300 },
    );
  });
});

describe("kernels equal a naive reference on strided and broadcast inputs", () => {
  const binary: [string, (a: NDArray, b: NDArray) => NDArray, (x: number, y: number) => number][] = [
    ["add", kernels.add, (x, y) => x + y],
    ["sub", kernels.sub, (x, y) => x - y],
    ["mul", kernels.mul, (x, y) => x * y],
    ["div", kernels.div, (x, y) => x / y],
    ["maximum", kernels.maximum, Math.max],
    ["minimum", kernels.minimum, Math.min],
    ["gt", kernels.gt, (x, y) => +(x > y)],
    ["le", kernels.le, (x, y) => +(x <= y)],
    ["eq", kernels.eq, (x, y) => +(x === y)],
  ];
  it.each(binary)("%s", (_, kernel, f) => {
    fc.assert(
      fc.property(stridedArb(), fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 3 }), (a, seed, mode) => {
        const g = new Generator(seed);
        // b broadcasts against a: trailing dims, some set to 1.
        const bShape = a.shape.slice(mode % 2).map((s) => (g.random() < 0.4 ? 1 : s));
        const b = mode === 3 ? g.normalArray([...bShape].reverse()).permute([...bShape].map((_, i) => bShape.length - 1 - i)) : g.normalArray(bShape);
        const out = kernel(a, b);
        const shape = broadcastShapes(a.shape, b.shape);
        expect(out.shape).toEqual(shape);
        const expected = [...indices(shape)].map((index) => {
          const at = (x: NDArray) => naiveGet(x, index.slice(index.length - x.ndim).map((v, d) => (x.shape[d] === 1 ? 0 : v)));
          return f(at(a), at(b));
        });
        expect(naiveValues(out)).toEqual(expected);
      }),
      { numRuns: 80 },
    );
  });

  const unary: [string, (a: NDArray) => NDArray, (x: number) => number][] = [
    ["neg", kernels.neg, (x) => -x],
    ["exp", kernels.exp, Math.exp],
    ["abs", kernels.abs, Math.abs],
    ["tanh", kernels.tanh, Math.tanh],
    ["relu", kernels.relu, (x) => Math.max(x, 0)],
    ["sigmoid", kernels.sigmoidKernel, (x) => 1 / (1 + Math.exp(-x))],
  ];
  it.each(unary)("%s", (_, kernel, f) => {
    fc.assert(
      fc.property(stridedArb(), (a) => {
        const got = naiveValues(kernel(a));
        naiveValues(a).forEach((v, i) => expect(got[i]).toBeCloseTo(f(v), 14));
      }),
      { numRuns: 60 },
    );
  });

  it("reductions over any set of axes, negative dims and keepdim", () => {
    fc.assert(
      fc.property(stridedArb(positiveShapeArb), fc.integer({ min: 0, max: 1e9 }), fc.boolean(), (a, seed, keepdim) => {
        const g = new Generator(seed);
        const picked = [...Array(a.ndim).keys()].filter(() => g.random() < 0.5);
        // No dims given means every dim, as in PyTorch.
        const dims = picked.length ? picked : [...Array(a.ndim).keys()];
        const given = dims.map((d) => (g.random() < 0.5 ? d - a.ndim : d));
        const outShape = a.shape.flatMap((s, d) => (dims.includes(d) ? (keepdim ? [1] : []) : [s]));
        const groups = new Map<string, number[]>();
        for (const index of indices(a.shape)) {
          const key = index.filter((_, d) => !dims.includes(d)).join(",");
          groups.set(key, [...(groups.get(key) ?? []), naiveGet(a, index)]);
        }
        const arg = picked.length ? given : undefined;
        const sum = kernels.sum(a, arg, keepdim);
        const max = kernels.max(a, arg, keepdim);
        const lse = kernels.logsumexp(a, arg, keepdim);
        const mean = kernels.mean(a, arg, keepdim);
        const expectedShape = outShape;
        for (const r of [sum, max, lse, mean]) expect(r.shape).toEqual(expectedShape);
        const values = [...groups.values()];
        const near = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y));
        naiveValues(sum).forEach((v, i) => expect(near(v, values[i]!.reduce((s, x) => s + x, 0))).toBe(true));
        naiveValues(mean).forEach((v, i) => expect(near(v, values[i]!.reduce((s, x) => s + x, 0) / values[i]!.length)).toBe(true));
        naiveValues(max).forEach((v, i) => expect(v).toBe(Math.max(...values[i]!)));
        naiveValues(lse).forEach((v, i) => expect(near(v, Math.log(values[i]!.reduce((s, x) => s + Math.exp(x), 0)))).toBe(true));
      }),
      { numRuns: 120 },
    );
  });

  it("argmax along a dim and flattened, first index on ties", () => {
    const a = NDArray.from([[1, 5, 5], [7, 0, 7]]);
    expect(kernels.argmax(a, 1).toArray()).toEqual([1, 0]);
    expect(kernels.argmax(a).item()).toBe(3);
    expect(kernels.argmax(a.transpose(0, 1), 0, true).toArray()).toEqual([[1, 0]]); // columns [1,5,5] and [7,0,7]
    expect(kernels.argmin(a, 0).toArray()).toEqual([0, 1, 0]);
  });

  it("matmul: 1-D, 2-D and batched with broadcast batch dims, transposed operands read in place", () => {
    const naiveMatmul = (a: NDArray, b: NDArray): number[] => {
      const [m, k] = a.shape as [number, number];
      const n = b.shape[1]!;
      const out: number[] = [];
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.push(Array.from({ length: k }, (_, p) => naiveGet(a, [i, p]) * naiveGet(b, [p, j])).reduce((s, v) => s + v, 0));
      return out;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.boolean(), fc.integer(), (m, k, n, ta, tb, seed) => {
        const g = new Generator(seed);
        const a = ta ? g.normalArray([k, m]).transpose(0, 1) : g.normalArray([m, k]);
        const b = tb ? g.normalArray([n, k]).transpose(0, 1) : g.normalArray([k, n]);
        const c = kernels.matmul(a, b);
        expect(c.shape).toEqual([m, n]);
        naiveValues(c).forEach((v, i) => expect(v).toBeCloseTo(naiveMatmul(a, b)[i]!, 12));
      }),
      { numRuns: 100 },
    );
    const g = new Generator(1);
    const batched = kernels.matmul(g.normalArray([2, 1, 3, 4]), g.normalArray([5, 4, 2]));
    expect(batched.shape).toEqual([2, 5, 3, 2]);
    const v = NDArray.from([1, 2, 3]);
    const M = NDArray.from([[1, 0], [0, 1], [1, 1]]);
    expect(kernels.matmul(v, v).shape).toEqual([]);
    expect(kernels.matmul(v, v).item()).toBe(14);
    expect(kernels.matmul(v, M).toArray()).toEqual([4, 5]);
    expect(kernels.matmul(M.transpose(0, 1), v).toArray()).toEqual([4, 5]);
    expect(() => kernels.matmul(M, M)).toThrow(/matmul: \[3,2\] @ \[3,2\]: inner sizes 2 and 3 differ/);
  });

  it("cat, stack, where and softmax", () => {
    const a = NDArray.from([[1, 2], [3, 4]]);
    const b = NDArray.from([[5, 6]]);
    expect(kernels.cat([a, b], 0).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(kernels.cat([a.transpose(0, 1), a], 1).toArray()).toEqual([[1, 3, 1, 2], [2, 4, 3, 4]]);
    expect(kernels.stack([a, a], 2).shape).toEqual([2, 2, 2]);
    expect(() => kernels.cat([a, NDArray.from([[1, 2, 3]])], 0)).toThrow(/cat: shapes \[2,2\], \[1,3\] differ outside dimension 0/);
    expect(kernels.where(NDArray.from([1, 0, 1]), NDArray.from([1, 2, 3]), NDArray.from(9)).toArray()).toEqual([1, 9, 3]);
    const s = kernels.softmax(NDArray.from([[1000, 0, -1000], [1, 1, 1]]), 1).toArray() as number[][];
    expect(s[0]).toEqual([1, expect.closeTo(0, 300), 0]);
    s[1]!.forEach((v) => expect(v).toBeCloseTo(1 / 3, 15));
    expect(kernels.logsumexp(NDArray.from([1000, 1000])).item()).toBeCloseTo(1000 + Math.log(2), 12);
    expect(kernels.logsumexp(NDArray.from([-1000, -1000])).item()).toBeCloseTo(-1000 + Math.log(2), 12);
    expect(kernels.sigmoidKernel(NDArray.from([-1000, 1000])).toArray()).toEqual([0, 1]);
  });

  it("NaN propagates through max and maximum as in PyTorch", () => {
    expect(kernels.max(NDArray.from([1, NaN, 3])).item()).toBeNaN();
    expect(kernels.maximum(NDArray.from([NaN, 1]), NDArray.from([0, NaN])).toArray()).toEqual([NaN, NaN]);
    expect(kernels.argmax(NDArray.from([1, NaN, 3])).item()).toBe(1);
  });
});

describe("zero-size dimensions", () => {
  it("reduce, multiply and broadcast", () => {
    const empty = NDArray.zeros([0, 3]);
    expect(kernels.sum(empty).item()).toBe(0);
    expect(kernels.sum(empty, 0).toArray()).toEqual([0, 0, 0]);
    expect(kernels.matmul(empty, NDArray.ones([3, 2])).shape).toEqual([0, 2]);
    expect(kernels.matmul(NDArray.ones([2, 0]), NDArray.ones([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(kernels.add(empty, NDArray.from([1, 2, 3])).shape).toEqual([0, 3]);
    expect(kernels.mean(empty).item()).toBeNaN();
    expect(kernels.logsumexp(empty, 0).toArray()).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(() => kernels.max(empty, 0)).toThrow(/max: cannot reduce over an empty dimension of \[0,3\]/);
  });
});

describe("random numbers", () => {
  it("the same seed gives the same stream; manualSeed resets the default generator", () => {
    expect(new Generator(5).uniform([10]).toArray()).toEqual(new Generator(5).uniform([10]).toArray());
    expect(new Generator(5).uniform([10]).toArray()).not.toEqual(new Generator(6).uniform([10]).toArray());
    manualSeed(3);
    const first = rand([4]).toArray();
    manualSeed(3);
    expect(rand([4]).toArray()).toEqual(first);
    expect(randn([3], { seed: 1 }).toArray()).toEqual(randn([3], { seed: 1 }).toArray());
  });

  it("uniform lies in [0, 1); normal has mean 0 and std 1 within their standard errors", () => {
    const n = 100_000;
    const u = rand([n], { seed: 9 }).values();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = randn([n], { seed: 9 }).values();
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    // Standard errors: 1/√n for the mean, √(2/n) for the variance; allow 4 of each.
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it("permutation is a permutation", () => {
    const p = new Generator(2).permutation(50);
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });
});

describe("errors are clear and thrown before any allocation", () => {
  const cases: [string, () => unknown, typeof TapegradError, RegExp][] = [
    ["non-integer size", () => NDArray.zeros([2.5]), ShapeError, /full: every size must be a non-negative integer, got 2.5 in \[2.5\]/],
    ["negative size", () => NDArray.zeros([2, -1]), ShapeError, /got -1/],
    ["NaN size", () => NDArray.ones([NaN]), ShapeError, /got NaN/],
    ["too large", () => NDArray.zeros([2 ** 20, 2 ** 20]), ShapeError, /holds 1099511627776 elements, more than/],
    ["ragged", () => NDArray.from([[1, 2], [3]] as never), DataError, /ragged nested array: expected length 2 at \[1\], got length 1/],
    ["non-numeric", () => NDArray.from([[1, "2"]] as never), DataError, /expected a number at \[0\]\[1\], got "2"/],
    ["wrong data length", () => NDArray.from(new Float64Array(5), [2, 3]), DataError, /5 values cannot fill shape \[2,3\] \(6 elements\)/],
    ["strides outside buffer", () => new NDArray(new Float64Array(4), [2, 2], [3, 1]), ShapeError, /reads outside a buffer of 4/],
    ["reshape size", () => NDArray.zeros([2, 3]).reshape([4]), ShapeError, /cannot reshape \[2,3\] \(6 elements\) to \[4\] \(4 elements\)/],
    ["two -1", () => NDArray.zeros([2, 3]).reshape([-1, -1]), ShapeError, /only one dimension can be -1/],
    ["transpose dim", () => NDArray.zeros([2, 3]).transpose(0, 2), ShapeError, /transpose: dimension 2 is out of range for a 2-d array/],
    ["permute repeat", () => NDArray.zeros([2, 3]).permute([0, 0]), ShapeError, /permute: dimension 0 repeats in \[0,0\]/],
    ["narrow range", () => NDArray.zeros([2, 3]).narrow(1, 2, 2), ShapeError, /narrow: start 2 and length 2 do not fit dimension 1 of size 3/],
    ["expand non-1", () => NDArray.zeros([2, 3]).expand([4, 3]), ShapeError, /expand: cannot expand \[2,3\] to \[4,3\]/],
    ["sum dim", () => kernels.sum(NDArray.zeros([2]), 1), ShapeError, /sum: dimension 1 is out of range/],
    ["broadcast", () => kernels.add(NDArray.zeros([3, 4]), NDArray.zeros([5])), ShapeError, /add: cannot broadcast \[3,4\] with \[5\]/],
    ["seed", () => new Generator(NaN), DataError, /seed must be a finite number or a string, got NaN/],
  ];
  it.each(cases)("%s", (_, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
    expect(f).toThrow(TapegradError);
  });
});
