import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, NDArray, kernels, wasmGemmAvailable } from "@tapegrad/tensor";
import { gemmReference, setGemmKernel } from "../src/kernels/matmul.js";
import { gemmWasm } from "../src/kernels/fastgemm/wasm.js";

// The SIMD kernel sums every element over k in the same order as the scalar reference, so
// on finite inputs the two agree bit for bit, whatever the strides.

type Layout = "row" | "transposed" | "transposedNarrowed" | "strided" | "broadcast";

function operand(g: Generator, rows: number, cols: number, layout: Layout): NDArray {
  if (layout === "transposed") return g.normalArray([cols, rows]).transpose(0, 1);
  if (layout === "transposedNarrowed") return g.normalArray([cols, rows + 3]).narrow(1, 1, rows).transpose(0, 1);
  if (layout === "strided") return g.normalArray([rows + 2, cols * 2 + 1]).narrow(0, 1, rows).narrow(1, 1, cols * 2).reshape([rows, cols, 2]).narrow(2, 0, 1).squeeze(2);
  if (layout === "broadcast") return g.normalArray([1, cols]).expand([rows, cols]);
  return g.normalArray([rows, cols]);
}

function run(kernel: "wasm" | "reference", a: NDArray, b: NDArray, bias?: Float64Array): Float64Array {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = new Float64Array(m * n).fill(Number.NaN);
  const left = { data: a.data, offset: a.offset, rowStride: a.strides[0]!, colStride: a.strides[1]! };
  const right = { data: b.data, offset: b.offset, rowStride: b.strides[0]!, colStride: b.strides[1]! };
  if (kernel === "wasm") expect(gemmWasm(m, n, k, left, right, c, 0, bias)).toBe(true);
  else gemmReference(m, n, k, left, right, c, 0, bias);
  return c;
}

const layoutArb = fc.constantFrom<Layout>("row", "transposed", "transposedNarrowed", "strided", "broadcast");

describe("WebAssembly SIMD GEMM", () => {
  it("is available on Node 20", () => {
    expect(wasmGemmAvailable()).toBe(true);
  });

  it("equals the scalar reference bit for bit on any sizes and strides", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), layoutArb, layoutArb, fc.integer(), (m, k, n, la, lb, seed) => {
        const g = new Generator(seed);
        const a = operand(g, m, k, la);
        const b = operand(g, k, n, lb);
        expect(run("wasm", a, b)).toEqual(run("reference", a, b));
      }),
      { numRuns: 150 },
    );
  });

  it("equals the reference where operands are packed in strips (tall transposed A, B re-read by ≥ 64 rows), any layout and edge", () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 90 }), fc.integer({ min: 60, max: 90 }), fc.integer({ min: 69, max: 90 }), layoutArb, layoutArb, fc.boolean(), fc.integer(), (m, k, n, la, lb, withBias, seed) => {
        const g = new Generator(seed);
        const a = operand(g, m, k, la);
        const b = operand(g, k, n, lb);
        const bias = withBias ? g.normalArray([n]).data : undefined;
        expect(run("wasm", a, b, bias)).toEqual(run("reference", a, b, bias));
      }),
      { numRuns: 30 },
    );
  });

  it("handles large products and keeps earlier results intact when its memory grows", () => {
    const g = new Generator(3);
    const small = [g.normalArray([8, 9]), g.normalArray([9, 10])] as const;
    const before = run("wasm", ...small);
    const a = g.normalArray([300, 200]);
    const b = g.normalArray([150, 200]).transpose(0, 1);
    expect(run("wasm", a, b)).toEqual(run("reference", a, b));
    expect(run("wasm", ...small)).toEqual(before);
  });

  it("adds a bias after each sum, bit for bit with the reference and with matmul then add", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 40 }), layoutArb, fc.integer(), (m, k, n, la, seed) => {
        const g = new Generator(seed);
        const x = operand(g, m, k, la);
        const weight = g.normalArray([n, k]);
        const bias = g.normalArray([n]);
        const fast = run("wasm", x, weight.transpose(0, 1), bias.data);
        expect(fast).toEqual(run("reference", x, weight.transpose(0, 1), bias.data));
        const composite = kernels.add(kernels.matmul(x, weight.transpose(0, 1)), bias);
        expect(kernels.linear(x, weight, bias).toArray()).toEqual(composite.toArray());
        expect(Array.from(fast)).toEqual((composite.toArray() as number[][]).flat());
      }),
      { numRuns: 100 },
    );
  });

  it("edge tiles' reads past the operands never reach C, even when memory is left full of NaN", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 23 }), layoutArb, layoutArb, fc.integer(), (m, k, n, la, lb, seed) => {
        const poison = NDArray.full([64, 64], Number.NaN);
        run("wasm", poison, poison, poison.data.subarray(0, 64)); // fills the kernel's memory with NaN
        const g = new Generator(seed);
        const a = operand(g, m, k, la);
        const b = operand(g, k, n, lb);
        const bias = seed % 2 === 0 ? g.normalArray([n]).data : undefined;
        const c = run("wasm", a, b, bias);
        expect(c.every(Number.isFinite)).toBe(true);
        expect(c).toEqual(run("reference", a, b, bias));
      }),
      { numRuns: 100 },
    );
  });

  it("matmul gives the same result with and without the SIMD kernel", () => {
    const g = new Generator(4);
    const a = g.normalArray([2, 40, 30]);
    const b = g.normalArray([30, 50]).transpose(0, 1).transpose(0, 1);
    const fast = kernels.matmul(a, b);
    const previous = setGemmKernel("scalar");
    try {
      expect(kernels.matmul(a, b).toArray()).toEqual(fast.toArray());
    } finally {
      setGemmKernel(previous);
    }
  });

  it("propagates NaN and Infinity as IEEE arithmetic does (0·∞ is NaN)", () => {
    const a = NDArray.from([[0, 1], [1, 1], [2, 3], [4, 5], [6, 7]]);
    const b = NDArray.from([[Infinity, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16], Array.from({ length: 16 }, (_, i) => i)]);
    const c = kernels.matmul(a, b); // 5·2·16 = 160 multiply-adds: the reference path
    expect(c.get(0, 0)).toBeNaN();
    const big = kernels.matmul(NDArray.from(Array.from({ length: 40 }, () => [0, 1])), NDArray.from([Array.from({ length: 200 }, () => Infinity), Array.from({ length: 200 }, () => 1)]));
    expect(big.get(0, 0)).toBeNaN(); // the SIMD path (16,000 multiply-adds)
  });
});

describe("matmul and linear into out", () => {
  it("write the same bits into a contiguous slice of a larger buffer, and nowhere else", () => {
    const g = new Generator(11);
    for (const [m, k, n] of [[3, 4, 5], [40, 30, 20], [2, 3, 1]] as const) {
      const a = g.normalArray([2, m, k]);
      const b = g.normalArray([k, n]);
      const big = NDArray.full([2 * m * n + 6], 7);
      const slot = big.narrow(0, 3, 2 * m * n).reshape([2, m, n]);
      expect(kernels.matmul(a, b, slot)).toBe(slot);
      expect(Array.from(slot.values())).toEqual(Array.from(kernels.matmul(a, b).values()));
      expect([0, 1, 2, big.size - 3, big.size - 2, big.size - 1].map((i) => big.get(i))).toEqual([7, 7, 7, 7, 7, 7]);
      const w = g.normalArray([n, k]);
      const bias = g.normalArray([n]);
      const y = NDArray.zeros([2, m, n]);
      kernels.linear(a, w, bias, y);
      expect(Array.from(y.values())).toEqual(Array.from(kernels.linear(a, w, bias).values()));
    }
  });

  it("refuse an out of the wrong shape, not contiguous, or sharing memory with an operand", () => {
    const a = NDArray.from([[1, 2], [3, 4]]);
    expect(() => kernels.matmul(a, a, NDArray.zeros([2, 3]))).toThrow(/matmul: out must be contiguous with the result's shape \[2,2\]/);
    expect(() => kernels.matmul(a, a, NDArray.zeros([2, 2]).transpose(0, 1))).toThrow(/not contiguous/);
    expect(() => kernels.matmul(a, NDArray.from([[1, 0], [0, 1]]), a)).toThrow(/must not share memory with an operand/);
  });
});

describe("embedded WebAssembly bytes", () => {
  it("are the compiled gemm.wat (run pnpm --filter @tapegrad/tensor build:wasm after editing it)", async () => {
    const script = (await import(new URL("../scripts/build-wasm.mjs", import.meta.url).href)) as { compile(): Promise<Buffer>; render(bytes: Buffer): string };
    const { readFileSync } = await import("node:fs");
    const embedded = readFileSync(new URL("../src/kernels/fastgemm/gemm-bytes.generated.ts", import.meta.url), "utf8");
    expect(embedded).toBe(script.render(await script.compile()));
  });
});
