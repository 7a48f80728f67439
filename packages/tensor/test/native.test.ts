import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Generator, NDArray, kernels, nativeKernelsAvailable, setNumThreads, getNumThreads } from "@tapegrad/tensor";
import { gemmWasm, denseBackwardWasm } from "../src/kernels/fastgemm/wasm.js";
import { denseBackwardNative, gemmNative, loadNative, nativeKernels } from "../src/kernels/fastgemm/native.js";
import { gemmReference } from "../src/kernels/matmul.js";
import { firstDifference, onKernel, onReferenceLoops } from "./kernel-choice.js";

// The native kernels promise the WebAssembly FMA kernel's bits (each element one chain of
// fused multiply-adds over k from +0, then + bias, then ReLU), whatever the blocking over
// k, m and n and however many threads share a product. These tests compare the two bit
// for bit, on sizes around every block edge (tiles of 12×16, KC = 256, MC = 96, NC = 512).

const required = process.env.TAPEGRAD_NATIVE === "require";
const native = nativeKernels();

/** The tiles this CPU runs (AVX-512's 12×16, AVX2's 6×8), each tested on its own. */
const variants = native === null ? [] : ["avx512", "avx2"].filter((name) => {
  const previous = native.variant();
  try {
    native.variant(name);
    return true;
  } catch {
    return false;
  } finally {
    native.variant(previous);
  }
});

describe("native kernels: loading", () => {
  it.runIf(required)("are built and load where CI requires them (TAPEGRAD_NATIVE=require)", () => {
    expect(nativeKernelsAvailable()).toBe(true);
  });

  it("stay unloaded with TAPEGRAD_NATIVE=0, and load otherwise wherever they loaded here", () => {
    expect(loadNative({ TAPEGRAD_NATIVE: "0" })).toBeNull();
    expect(loadNative({}) !== null).toBe(native !== null);
  });
});

type Layout = "row" | "transposed" | "strided";

function operand(g: Generator, rows: number, cols: number, layout: Layout): NDArray {
  if (layout === "transposed") return g.normalArray([cols, rows]).transpose(0, 1);
  if (layout === "strided") return g.normalArray([rows + 1, cols * 2]).narrow(0, 1, rows).reshape([rows, cols, 2]).narrow(2, 1, 1).squeeze(2);
  return g.normalArray([rows, cols]);
}

const matrix = (x: NDArray) => ({ data: x.data, offset: x.offset, rowStride: x.strides[0]!, colStride: x.strides[1]! });

/** C = A·B (+ bias, then ReLU) on the native kernel or the WebAssembly FMA build, into NaN-filled memory. */
function product(on: "native" | "fma", a: NDArray, b: NDArray, bias?: Float64Array, relu = false): Float64Array {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = new Float64Array(m * n + 3).fill(Number.NaN);
  const done = on === "native" ? gemmNative(m, n, k, matrix(a), matrix(b), c, 2, bias, relu) : gemmWasm("fma", m, n, k, matrix(a), matrix(b), c, 2, bias, relu);
  expect(done).toBe(true);
  return c;
}

describe.runIf(native !== null)("native kernels: variants", () => {
  it("run the fastest tile this CPU has by default, and refuse one it lacks", () => {
    expect(variants.length).toBeGreaterThan(0);
    expect(native!.variant()).toBe(variants[0]);
    expect(() => native!.variant("sse9")).toThrow(/does not run that variant/);
    expect(native!.variant()).toBe(variants[0]);
  });
});

describe.each(variants)("native kernels: products on the %s tile", (variant) => {
  let previous: string | null = null;
  beforeEach(() => {
    previous = native!.variant();
    native!.variant(variant);
  });
  afterEach(() => {
    native!.variant(previous);
  });

  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [12, 16, 1],
    [13, 17, 3],
    [11, 15, 257],
    [96, 48, 256],
    [97, 33, 600],
    [200, 513, 70],
    [37, 1030, 29],
    [5, 7, 900],
    [7, 9, 6],
  ];

  it("equal the WebAssembly FMA kernel bit for bit around every block edge, with and without bias and ReLU", () => {
    const g = new Generator(31);
    for (const [m, n, k] of sizes) {
      for (const [la, lb] of [["row", "row"], ["transposed", "row"], ["row", "transposed"], ["strided", "strided"]] as [Layout, Layout][]) {
        const a = operand(g, m, k, la);
        const b = operand(g, k, n, lb);
        const bias = g.normalArray([n]).values();
        for (const [withBias, relu] of [[false, false], [true, false], [true, true], [false, true]] as const) {
          const expected = product("fma", a, b, withBias ? bias : undefined, relu);
          const actual = product("native", a, b, withBias ? bias : undefined, relu);
          expect({ m, n, k, la, lb, withBias, relu, at: firstDifference(actual, expected) }).toEqual({ m, n, k, la, lb, withBias, relu, at: -1 });
        }
      }
    }
  });

  it("equal it on any sizes and layouts (property)", () => {
    const layout = fc.constantFrom<Layout>("row", "transposed", "strided");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }), layout, layout, fc.boolean(), fc.integer(), (m, n, k, la, lb, relu, seed) => {
        const g = new Generator(seed);
        const a = operand(g, m, k, la);
        const b = operand(g, k, n, lb);
        const bias = g.normalArray([n]).values();
        expect(firstDifference(product("native", a, b, bias, relu), product("fma", a, b, bias, relu))).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  it("carry NaN, ±∞ and −0 as the WebAssembly kernel does, ReLU keeping NaN and turning −0 into +0", () => {
    const g = new Generator(5);
    const a = g.normalArray([30, 20]);
    const b = g.normalArray([20, 18]);
    const specials = [Number.NaN, Infinity, -Infinity, -0, 0];
    for (let i = 0; i < a.data.length; i += 7) a.data[i] = specials[i % specials.length]!;
    for (let i = 0; i < b.data.length; i += 11) b.data[i] = specials[(i >> 1) % specials.length]!;
    const zeros = NDArray.zeros([20, 18]);
    zeros.data[0] = -0;
    for (const right of [b, zeros]) {
      for (const relu of [false, true]) {
        const bias = Float64Array.from({ length: 18 }, (_, j) => (j % 3 === 0 ? -0 : j - 9));
        expect(firstDifference(product("native", a, right, bias, relu), product("fma", a, right, bias, relu))).toBe(-1);
      }
    }
  });

  it("stay within 1e-13 of the scalar reference (which rounds every product)", () => {
    const g = new Generator(8);
    const a = g.normalArray([50, 300]);
    const b = g.normalArray([300, 40]);
    const c = product("native", a, b);
    const reference = new Float64Array(50 * 40);
    gemmReference(50, 40, 300, matrix(a), matrix(b), reference, 0);
    const scale = new Float64Array(50 * 40);
    gemmReference(50, 40, 300, matrix(kernels.abs(a)), matrix(kernels.abs(b)), scale, 0);
    for (let i = 0; i < reference.length; i++) expect(Math.abs(c[i + 2]! - reference[i]!)).toBeLessThanOrEqual(1e-13 * scale[i]!);
  });

  it("give the same bits on 1, 2 and 3 threads, split along rows (tall C) or columns (wide C)", () => {
    const previous = getNumThreads();
    const g = new Generator(9);
    try {
      for (const [m, n, k] of [[300, 90, 200], [70, 500, 130], [250, 250, 64]] as [number, number, number][]) {
        const a = operand(g, m, k, "row");
        const b = operand(g, k, n, "transposed");
        const bias = g.normalArray([n]).values();
        setNumThreads(1);
        const one = product("native", a, b, bias, true);
        for (const threads of [2, 3]) {
          setNumThreads(threads);
          expect(firstDifference(product("native", a, b, bias, true), one)).toBe(-1);
        }
      }
    } finally {
      setNumThreads(previous);
    }
  });

  it("refuse operands that reach outside their arrays, or that are not Float64Arrays, writing nothing", () => {
    const a = new Float64Array(20 * 30).fill(1);
    const b = new Float64Array(30 * 10).fill(1);
    const c = new Float64Array(20 * 10).fill(7);
    const k = native!;
    expect(() => k.gemm(20, 10, 30, a, 1, 30, 1, b, 0, 10, 1, c, 0, null, false, 1)).toThrow(/reaches outside/);
    expect(() => k.gemm(20, 10, 30, a, 0, 30, 1, b, 0, 10, 1, c, 1, null, false, 1)).toThrow(/reaches outside/);
    expect(() => k.gemm(20, 10, 30, a, 0, -30, 1, b, 0, 10, 1, c, 0, null, false, 1)).toThrow(/reaches outside/);
    expect(() => k.gemm(20, 10, 30, a, 0, 30, 1, b, 0, 10, 1, c, 0, new Float64Array(9), false, 1)).toThrow(/reaches outside/);
    expect(() => k.gemm(20, 10, 30, new Float32Array(600) as unknown as Float64Array, 0, 30, 1, b, 0, 10, 1, c, 0, null, false, 1)).toThrow(/Float64Arrays/);
    expect(() => k.gemm(20, 10, 0, a, 0, 30, 1, b, 0, 10, 1, c, 0, null, false, 1)).toThrow(/k ≥ 1/);
    expect(() => k.gemm(20, 10, 30, a, 0, 30, 1, b, 0, 10, 1, c, 0, null, false, 0)).toThrow(/threads/);
    expect(c.every((v) => v === 7)).toBe(true);
    k.gemm(20, 10, 30, a, 0, 30, 1, b, 0, 10, 1, c, 0, null, false, 1);
    expect(c.every((v) => v === 30)).toBe(true);
  });

  it("run matmul, linear and linearRelu by default, with the WebAssembly FMA kernel's bits", () => {
    const g = new Generator(12);
    const x = g.normalArray([64, 70]);
    const w = g.normalArray([30, 70]);
    const bias = g.normalArray([30]);
    const results = (): Float64Array[] => [kernels.matmul(x, w.transpose(0, 1)), kernels.linear(x, w, bias), kernels.linearRelu(x, w, bias)].map((r) => r.values());
    const onNative = onKernel("native", results);
    const onFma = onKernel("fma", results);
    for (let i = 0; i < 3; i++) expect(firstDifference(onNative[i]!, onFma[i]!)).toBe(-1);
  });

  it("compute a dense layer's backward with denseBackwardWasm's bits, after a ReLU or not", () => {
    const g = new Generator(13);
    for (const [rows, outF, inF] of [[128, 30, 70], [900, 25, 50], [7, 300, 5]] as [number, number, number][]) {
      const grad = g.normalArray([rows, outF]);
      const y = kernels.relu(g.normalArray([rows, outF]));
      const yStrided = g.normalArray([outF, rows]).transpose(0, 1);
      const x = g.normalArray([rows, inF]);
      const w = g.normalArray([outF, inF]);
      for (const gate of [null, y, yStrided]) {
        const into = () => ({ input: new Float64Array(rows * inF), weight: new Float64Array(outF * inF), bias: new Float64Array(outF) });
        const a = into();
        const b = into();
        expect(denseBackwardNative(rows, outF, inF, matrix(grad), gate ? matrix(gate) : null, matrix(x), matrix(w), a)).toBe(true);
        expect(denseBackwardWasm("fma", rows, outF, inF, matrix(grad), gate ? matrix(gate) : null, matrix(x), matrix(w), b)).toBe(true);
        expect([firstDifference(a.input, b.input), firstDifference(a.weight, b.weight), firstDifference(a.bias, b.bias)]).toEqual([-1, -1, -1]);
      }
    }
  });
});

describe.runIf(native !== null)("native kernels: ReLU's passes and axpy", () => {
  const specials = [Number.NaN, Infinity, -Infinity, -0, 0, 1e-310, -1e-310, 2.5, -2.5];
  const values = (g: Generator, n: number): Float64Array => {
    const v = g.normalArray([n]).values();
    for (let i = 0; i < n; i += 3) v[i] = specials[i % specials.length]!;
    return v;
  };

  it("relu and passWherePositive equal their reference loops bit for bit, on lengths that are not multiples of 8", () => {
    const g = new Generator(21);
    for (const n of [256, 257, 263, 1000, 4099]) {
      const x = NDArray.from(values(g, n), [n]);
      const gate = NDArray.from(values(g, n), [n]);
      expect(firstDifference(kernels.relu(x).values(), onReferenceLoops(() => kernels.relu(x)).values())).toBe(-1);
      expect(firstDifference(kernels.passWherePositive(x, gate).values(), onReferenceLoops(() => kernels.passWherePositive(x, gate)).values())).toBe(-1);
    }
  });

  it("refuse runs and matrices that reach outside their arrays, writing nothing", () => {
    const k = native!;
    const x = new Float64Array(300).fill(-1);
    const out = new Float64Array(300).fill(5);
    expect(() => k.relu(x, 1, out, 0, 300)).toThrow(/holding count values/);
    expect(() => k.relu(x, 0, out, -1, 300)).toThrow(/holding count values/);
    expect(() => k.reluBackward(x, 0, x, 0, out, 0, 301)).toThrow(/holding count values/);
    expect(() => k.axpy(out, 0, x, 200, 200, 2)).toThrow(/holding count values/);
    expect(() => k.columnSums(x, 0, 31, 10, out, 0)).toThrow(/reaches outside/);
    expect(() => k.columnSums(x, 0, 10, 30, out, 290)).toThrow(/reaches outside/);
    expect(out.every((v) => v === 5)).toBe(true);
  });

  it("axpy equals y + alpha·x rounded twice, in place, and refuses mismatched lengths", () => {
    const g = new Generator(22);
    for (const n of [3, 255, 256, 1001]) {
      const y = values(g, n);
      const x = values(g, n);
      const expected = y.map((v, i) => v + -0.37 * x[i]!);
      kernels.axpy(y, x, -0.37);
      expect(firstDifference(y, expected)).toBe(-1);
    }
    const y = new Float64Array(300).fill(1);
    expect(() => kernels.axpy(y, new Float64Array(299), 2)).toThrow("axpy: y has 300 values but x has 299");
    expect(() => kernels.axpy(y, new Float64Array(300), "2" as unknown as number)).toThrow(/alpha must be a number/);
    expect(y.every((v) => v === 1)).toBe(true);
  });

  it("columnSums sums every column from +0, row after row, as kernels.sum does", () => {
    const g = new Generator(23);
    for (const [rows, cols] of [[1, 1], [9, 17], [900, 25], [33, 8]] as [number, number][]) {
      const x = NDArray.from(values(g, rows * cols), [rows, cols]);
      const out = new Float64Array(cols + 1).fill(Number.NaN);
      native!.columnSums(x.data, 0, rows, cols, out, 1);
      expect(firstDifference(out.subarray(1), onReferenceLoops(() => kernels.sum(x, 0)).values())).toBe(-1);
      expect(Number.isNaN(out[0]!)).toBe(true);
    }
  });
});
