import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, NDArray, kernels, nativeKernelsAvailable, wasmGemmAvailable } from "@tapegrad/tensor";
import { gemmKernel, gemmReference, gemmStrided, setGemmKernel } from "../src/kernels/matmul.js";
import { gemmWasm } from "../src/kernels/fastgemm/wasm.js";

// The SIMD kernel sums every element over k in the same order as the scalar reference, so
// on finite inputs the two agree bit for bit, whatever the strides. The FMA build rounds
// once per multiply-add instead of twice: it is checked against the reference within
// 1e-13 of Σ|a·b| + |bias| (the scale of a GEMM's rounding error), and against itself
// for same-input-same-output.

type Layout = "row" | "transposed" | "transposedNarrowed" | "strided" | "broadcast";

function operand(g: Generator, rows: number, cols: number, layout: Layout): NDArray {
  if (layout === "transposed") return g.normalArray([cols, rows]).transpose(0, 1);
  if (layout === "transposedNarrowed") return g.normalArray([cols, rows + 3]).narrow(1, 1, rows).transpose(0, 1);
  if (layout === "strided") return g.normalArray([rows + 2, cols * 2 + 1]).narrow(0, 1, rows).narrow(1, 1, cols * 2).reshape([rows, cols, 2]).narrow(2, 0, 1).squeeze(2);
  if (layout === "broadcast") return g.normalArray([1, cols]).expand([rows, cols]);
  return g.normalArray([rows, cols]);
}

type Kernel = "wasm" | "fma" | "reference";

const matrix = (x: NDArray) => ({ data: x.data, offset: x.offset, rowStride: x.strides[0]!, colStride: x.strides[1]! });

/** C = A·B (+ bias, then ReLU) on one kernel; "wasm" is the SIMD build. */
function run(kernel: Kernel, a: NDArray, b: NDArray, bias?: Float64Array, relu = false): Float64Array {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const c = new Float64Array(m * n).fill(Number.NaN);
  // The kernels need k ≥ 1; gemmStrided sends k = 0 to the reference.
  if (kernel !== "reference" && k > 0) expect(gemmWasm(kernel === "fma" ? "fma" : "simd", m, n, k, matrix(a), matrix(b), c, 0, bias, relu)).toBe(true);
  else gemmReference(m, n, k, matrix(a), matrix(b), c, 0, bias, relu);
  return c;
}

/** Σ_p |a_ip·b_pj| + |bias_j| for every element: the scale a GEMM's rounding is measured against. */
function magnitudes(a: NDArray, b: NDArray, bias?: Float64Array): Float64Array {
  const abs = (x: NDArray) => kernels.abs(x);
  const scale = run("reference", abs(a), abs(b));
  if (bias) for (let i = 0; i < scale.length; i++) scale[i]! += Math.abs(bias[i % b.shape[1]!]!);
  return scale;
}

/** Asserts the FMA build's C is within 1e-13 of the reference's, on the scale of its terms. */
function expectNearReference(fma: Float64Array, reference: Float64Array, scale: Float64Array): void {
  expect(fma.length).toBe(reference.length);
  for (let i = 0; i < fma.length; i++) {
    if (Math.abs(fma[i]! - reference[i]!) > 1e-13 * scale[i]!) expect({ i, fma: fma[i], reference: reference[i] }).toBe("within 1e-13");
  }
}

const fmaAvailable = wasmGemmAvailable("fma");

const layoutArb = fc.constantFrom<Layout>("row", "transposed", "transposedNarrowed", "strided", "broadcast");

describe("WebAssembly SIMD GEMM", () => {
  it("is available on Node 20", () => {
    expect(wasmGemmAvailable()).toBe(true);
  });

  it("has its FMA build wherever relaxed SIMD is on (Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd as vitest runs it), and uses it by default", () => {
    const major = Number(process.versions.node.split(".")[0]);
    const flagged = process.execArgv.includes("--experimental-wasm-relaxed-simd");
    if (major >= 22 || flagged) expect(fmaAvailable).toBe(true);
    expect(gemmKernel()).toBe(nativeKernelsAvailable() ? "native" : fmaAvailable ? "fma" : "simd");
  });

  it("equals the scalar reference bit for bit on any sizes and strides", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }), layoutArb, layoutArb, fc.integer(), (m, k, n, la, lb, seed) => {
        const g = new Generator(seed);
        const a = operand(g, m, k, la);
        const b = operand(g, k, n, lb);
        const reference = run("reference", a, b);
        expect(run("wasm", a, b)).toEqual(reference);
        if (fmaAvailable) {
          const fma = run("fma", a, b);
          expectNearReference(fma, reference, magnitudes(a, b));
          expect(run("fma", a, b)).toEqual(fma);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("equals the reference on larger products, any layout and edge, with or without a bias and ReLU", () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 90 }), fc.integer({ min: 60, max: 90 }), fc.integer({ min: 69, max: 90 }), layoutArb, layoutArb, fc.boolean(), fc.integer(), (m, k, n, la, lb, withBias, seed) => {
        const g = new Generator(seed);
        const a = operand(g, m, k, la);
        const b = operand(g, k, n, lb);
        const bias = withBias ? g.normalArray([n]).data : undefined;
        const relu = seed % 3 === 0;
        const reference = run("reference", a, b, bias, relu);
        expect(run("wasm", a, b, bias, relu)).toEqual(reference);
        if (fmaAvailable) expectNearReference(run("fma", a, b, bias, relu), reference, magnitudes(a, b, bias));
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

  it("adds a bias after each sum, bit for bit with the reference and, on any kernel, with matmul then add", () => {
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
        // matmul and linear run on the default kernel (FMA where relaxed SIMD is on) through gemmStrided.
        const direct = new Float64Array(m * n);
        gemmStrided(m, n, k, matrix(x), matrix(weight.transpose(0, 1)), direct, 0, bias.data);
        expect(Array.from(direct)).toEqual((composite.toArray() as number[][]).flat());
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

  it("matmul gives the same result on the SIMD and scalar kernels, and within 1e-13 on the FMA kernel", () => {
    const g = new Generator(4);
    const a = g.normalArray([2, 40, 30]);
    const b = g.normalArray([30, 50]).transpose(0, 1).transpose(0, 1);
    const on = (kernel: "fma" | "simd" | "scalar") => {
      const previous = setGemmKernel(kernel);
      try {
        return kernels.matmul(a, b);
      } finally {
        setGemmKernel(previous);
      }
    };
    const reference = on("scalar");
    expect(on("simd").toArray()).toEqual(reference.toArray());
    if (fmaAvailable) {
      const scale = kernels.matmul(kernels.abs(a), kernels.abs(b));
      expectNearReference(on("fma").data, reference.data, scale.data);
    } else {
      expect(() => setGemmKernel("fma")).toThrow("setGemmKernel: the fma kernel cannot run here");
    }
  });

  it("applies ReLU after the bias exactly as kernels.relu does (NaN stays NaN), on every kernel", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), layoutArb, fc.integer(), (m, k, n, la, seed) => {
        const g = new Generator(seed);
        const x = operand(g, m, k, la);
        const weight = g.normalArray([n, k]);
        const bias = g.normalArray([n]);
        if (seed % 2 === 0) bias.data[0] = Number.NaN;
        for (const kernel of ["wasm", "reference", ...(fmaAvailable ? ["fma"] : [])] as Kernel[]) {
          const sums = run(kernel, x, weight.transpose(0, 1), bias.data);
          const expected = kernels.relu(NDArray.from(Array.from(sums)));
          expect(Array.from(run(kernel, x, weight.transpose(0, 1), bias.data, true))).toEqual(Array.from(expected.values()));
        }
      }),
      { numRuns: 60 },
    );
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

describe("linearRelu", () => {
  it("equals relu(linear(x, W, b)) bit for bit, any layout, with and without a bias, NaN kept", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), layoutArb, fc.boolean(), fc.integer(), (m, k, n, la, withBias, seed) => {
        const g = new Generator(seed);
        const x = operand(g, m, k, la);
        const weight = g.normalArray([n, k]);
        const bias = withBias ? g.normalArray([n]) : undefined;
        if (seed % 5 === 0) x.data[x.offset] = Number.NaN;
        const fused = kernels.linearRelu(x, weight, bias);
        expect(Array.from(fused.values())).toEqual(Array.from(kernels.relu(kernels.linear(x, weight, bias)).values()));
      }),
      { numRuns: 100 },
    );
  });

  it("has a backward (with and without ReLU's mask) that equals passWherePositive, matmul and sum bit for bit, any layout of x and W, odd sizes, NaN, on every kernel", () => {
    const kernelsHere: ("simd" | "fma")[] = fmaAvailable ? ["simd", "fma"] : ["simd"];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), layoutArb, layoutArb, fc.integer(), (rows, inFeatures, outFeatures, lx, lg, seed) => {
        const g = new Generator(seed);
        const x = operand(g, rows, inFeatures, lx);
        const weight = seed % 2 === 0 ? g.normalArray([outFeatures, inFeatures]) : g.normalArray([inFeatures, outFeatures]).transpose(0, 1);
        const grad = operand(g, rows, outFeatures, lg);
        const y = kernels.relu(g.normalArray([rows, outFeatures]));
        if (seed % 7 === 0) grad.data[grad.offset] = Number.NaN;
        if (seed % 11 === 0) grad.data[grad.offset] = -0;
        const needs = [seed % 3 !== 0, seed % 5 !== 0, true];
        for (const kernel of kernelsHere) {
          const previous = setGemmKernel(kernel);
          try {
            for (const masked of [false, true]) {
              const fused = masked ? kernels.linearReluBackward(grad, y, x, weight, [outFeatures, inFeatures], needs) : kernels.linearBackward(grad, x, weight, [outFeatures, inFeatures], needs);
              // Both products have rows·in·out multiply-adds; below 256 matmul takes the
              // scalar path, and a strided g is summed in another order.
              if (!grad.isContiguous() || ((needs[0] || needs[1]) && rows * inFeatures * outFeatures < 256)) {
                expect(fused).toBeNull();
                continue;
              }
              expect(fused).not.toBeNull();
              const gz = masked ? kernels.passWherePositive(grad, y) : grad;
              const same = (a: NDArray | undefined, b: NDArray) => expect(Array.from(a!.values())).toEqual(Array.from(b.values()));
              if (needs[0]) same(fused!.input, kernels.matmul(gz, weight));
              if (needs[1]) same(fused!.weight, kernels.matmul(gz.transpose(0, 1), x));
              same(fused!.bias, kernels.sum(gz, 0));
              expect(fused!.input === undefined).toBe(!needs[0]);
              expect(fused!.weight === undefined).toBe(!needs[1]);
            }
          } finally {
            setGemmKernel(previous);
          }
        }
      }),
      { numRuns: 120 },
    );
  });

  it("has no fused backward on the scalar kernel or for batched inputs (the composite runs there)", () => {
    const g = new Generator(1);
    const args = [g.normalArray([30, 20]), g.normalArray([30, 20]), g.normalArray([30, 10]), g.normalArray([20, 10])] as const;
    const previous = setGemmKernel("scalar");
    try {
      expect(kernels.linearReluBackward(...args, [20, 10], [true, true, true])).toBeNull();
    } finally {
      setGemmKernel(previous);
    }
    expect(kernels.linearReluBackward(g.normalArray([2, 30, 20]), g.normalArray([2, 30, 20]), g.normalArray([2, 30, 10]), args[3], [20, 10], [true, true, true])).toBeNull();
  });

  it("names itself in its errors", () => {
    expect(() => kernels.linearRelu(NDArray.zeros([2, 3]), NDArray.zeros([4, 2]))).toThrow("linearRelu: input [2,3] does not fit weight [4,2]");
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
    const script = (await import(new URL("../scripts/build-wasm.mjs", import.meta.url).href)) as { compile(): Promise<{ simd: Buffer; fma: Buffer }>; render(modules: { simd: Buffer; fma: Buffer }): string };
    const { readFileSync } = await import("node:fs");
    const embedded = readFileSync(new URL("../src/kernels/fastgemm/gemm-bytes.generated.ts", import.meta.url), "utf8");
    expect(embedded).toBe(script.render(await script.compile()));
  });
});
