import { describe, expect, it } from "vitest";
import { Generator, NDArray, getNumThreads, kernels, setNumThreads } from "@tapegrad/tensor";
import { gemmWorkspace } from "../src/kernels/gemm-workspace.js";
import type { WorkspaceProduct } from "../src/kernels/gemm-workspace.js";
import { kernelWorkspace } from "../src/kernels/fastgemm/wasm.js";
import { gemmStrided } from "../src/kernels/matmul.js";
import { helperStatus, threadsSupported, warmHelpers } from "../src/kernels/fastgemm/threads.js";
import { availableKernels, firstDifference, inJavaScriptMemory, onKernel, wasmKernels } from "./kernel-choice.js";

// A workspace's products must equal gemmStrided's on the same values bit for bit (each runs
// on the kernel gemmStrided would pick), wherever its operands lie and whatever it packs;
// its operand regions must come out untouched; and it must refuse to run on memory another
// call has taken since.

const available = availableKernels;

const matrix = (x: NDArray) => ({ data: x.data, offset: x.offset, rowStride: x.strides[0]!, colStride: x.strides[1]! });

/**
 * m×k·k×n with A and B stored in a workspace's regions (transposed when asked: then their
 * columns are contiguous and the kernel may pack them), C = A·B read back from it. Returns
 * C and gemmStrided's C on the same operands, and whether A and B came out unchanged.
 */
function compare(g: Generator, m: number, n: number, k: number, aT: boolean, bT: boolean) {
  const a = aT ? g.normalArray([k, m]).transpose(0, 1) : g.normalArray([m, k]);
  const b = bT ? g.normalArray([n, k]).transpose(0, 1) : g.normalArray([k, n]);
  const expected = new Float64Array(m * n);
  gemmStrided(m, n, k, matrix(a), matrix(b), expected, 0);
  const layout = (t: boolean, rows: number, cols: number) => (t ? { rowStride: 1, colStride: rows } : { rowStride: cols, colStride: 1 });
  const product: WorkspaceProduct = { m, n, k, a: layout(aT, m, k), b: layout(bT, k, n) };
  const space = gemmWorkspace([m * k, k * n, m * n], [product]);
  const [aAt, bAt, cAt] = space.regions as [number, number, number];
  // The operands as they lie in their own storage (contiguous, transposed or not).
  const aData = aT ? a.transpose(0, 1).values() : a.values();
  const bData = bT ? b.transpose(0, 1).values() : b.values();
  space.memory.set(aData, aAt);
  space.memory.set(bData, bAt);
  space.memory.fill(Number.NaN, cAt, cAt + m * n);
  space.gemm(m, n, k, { offset: aAt, ...layout(aT, m, k) }, { offset: bAt, ...layout(bT, k, n) }, cAt);
  const c = space.memory.slice(cAt, cAt + m * n);
  const untouched = space.memory.slice(aAt, aAt + m * k).every((v, i) => Object.is(v, aData[i])) && space.memory.slice(bAt, bAt + k * n).every((v, i) => Object.is(v, bData[i]));
  return { c, expected, untouched };
}

describe("gemmWorkspace", () => {
  // Small (the scalar reference even on WebAssembly), A or B packed (transposed A under many
  // columns, B under many rows or a long sum, transposed B always), odd edges.
  const shapes: [number, number, number][] = [
    [3, 5, 4],
    [7, 9, 13],
    [70, 66, 70],
    [9, 130, 600],
    [130, 70, 33],
    [5, 7, 1],
  ];
  for (const kernel of available) {
    it(`runs each product as gemmStrided does, bit for bit, leaving its operands as they were (${kernel} kernel)`, () => {
      const g = new Generator(11);
      onKernel(kernel, () => {
        for (const [m, n, k] of shapes) {
          for (const [aT, bT] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            const { c, expected, untouched } = compare(g, m, n, k, aT, bT);
            expect(untouched).toBe(true);
            expect(firstDifference(c, expected)).toBe(-1);
          }
        }
      });
    });
  }

  it("holds its regions in the kernel's memory on WebAssembly and in a JavaScript array on the scalar kernel", () => {
    const product: WorkspaceProduct = { m: 16, n: 16, k: 16, a: { rowStride: 16, colStride: 1 }, b: { rowStride: 16, colStride: 1 } };
    for (const kernel of available) {
      const memory = onKernel(kernel, () => gemmWorkspace([256, 256, 256], [product]).memory);
      const inKernel = inJavaScriptMemory(kernel) ? null : kernelWorkspace(kernel, [1], []);
      if (inKernel === null) expect(memory.buffer instanceof ArrayBuffer).toBe(true);
      else expect(memory.buffer).toBe(inKernel.memory.buffer);
    }
  });

  it("refuses to run once another call has taken the memory, which may have grown or been overwritten since", () => {
    const g = new Generator(12);
    const product: WorkspaceProduct = { m: 32, n: 32, k: 32, a: { rowStride: 32, colStride: 1 }, b: { rowStride: 32, colStride: 1 } };
    const run = (space: ReturnType<typeof gemmWorkspace>) => () => space.gemm(32, 32, 32, { offset: space.regions[0]!, rowStride: 32, colStride: 1 }, { offset: space.regions[1]!, rowStride: 32, colStride: 1 }, space.regions[2]!);
    for (const kernel of available) {
      onKernel(kernel, () => {
        const space = gemmWorkspace([1024, 1024, 1024], [product]);
        expect(run(space)).not.toThrow();
        kernels.matmul(g.normalArray([32, 32]), g.normalArray([32, 32]));
        if (!inJavaScriptMemory(kernel)) expect(run(space)).toThrow(/another call has used the kernel's memory/);
        const next = gemmWorkspace([1024, 1024, 1024], [product]);
        expect(run(next)).not.toThrow();
        if (inJavaScriptMemory(kernel)) {
          gemmWorkspace([8], [product]);
          expect(run(next)).toThrow(/another call has used the scratch memory/);
        }
      });
    }
  });

  it("refuses a product that reaches outside its regions, on every kernel", () => {
    const declared: WorkspaceProduct = { m: 8, n: 40, k: 40, a: { rowStride: 40, colStride: 1 }, b: { rowStride: 40, colStride: 1 } };
    for (const kernel of available) {
      onKernel(kernel, () => {
        const space = gemmWorkspace([320, 1600, 320], [declared]);
        const [aAt, bAt, cAt] = space.regions as [number, number, number];
        const end = space.regions[2]! + 320;
        expect(() => space.gemm(8, 40, 40, { offset: aAt, rowStride: 40, colStride: 1 }, { offset: bAt, rowStride: 40, colStride: 1 }, end)).toThrow(/reaches outside/);
        expect(() => space.gemm(8, 40, 40, { offset: -1, rowStride: 40, colStride: 1 }, { offset: bAt, rowStride: 40, colStride: 1 }, cAt)).toThrow(/reaches outside/);
        expect(() => space.gemm(8, 40, 40, { offset: aAt, rowStride: 40, colStride: 1 }, { offset: end - 40, rowStride: 40, colStride: 1 }, cAt)).toThrow(/reaches outside/);
        expect(() => space.gemm(8, 40, 40, { offset: aAt, rowStride: 40, colStride: 1 }, { offset: bAt, rowStride: 40, colStride: 1 }, cAt)).not.toThrow();
      });
    }
  });

  it("refuses a product that packs more than the declared ones reserved (WebAssembly, which packs into the workspace)", () => {
    for (const kernel of wasmKernels) {
      onKernel(kernel, () => {
        // Declared: B row-major and small (never packed). Run: B transposed, which is always packed.
        const declared: WorkspaceProduct = { m: 8, n: 40, k: 40, a: { rowStride: 40, colStride: 1 }, b: { rowStride: 40, colStride: 1 } };
        const space = gemmWorkspace([320, 1600, 320], [declared]);
        const [aAt, bAt, cAt] = space.regions as [number, number, number];
        expect(() => space.gemm(8, 40, 40, { offset: aAt, rowStride: 40, colStride: 1 }, { offset: bAt, rowStride: 1, colStride: 40 }, cAt)).toThrow(/packs more than its declared products reserved/);
        expect(() => space.gemm(8, 40, 40, { offset: aAt, rowStride: 40, colStride: 1 }, { offset: bAt, rowStride: 40, colStride: 1 }, space.memory.length)).toThrow(/reaches outside/);
        expect(() => space.gemm(8, 40, 40, { offset: -1, rowStride: 40, colStride: 1 }, { offset: bAt, rowStride: 40, colStride: 1 }, cAt)).toThrow(/reaches outside/);
      });
    }
  });

  it("copies values within its memory as copyWithin does, overlapping runs included, and refuses runs outside it, on every kernel", () => {
    const product: WorkspaceProduct = { m: 64, n: 64, k: 64, a: { rowStride: 64, colStride: 1 }, b: { rowStride: 64, colStride: 1 } };
    for (const kernel of available) {
      onKernel(kernel, () => {
        const space = gemmWorkspace([1000], [product]);
        const at = space.regions[0]!;
        const expected = Float64Array.from({ length: 1000 }, (_, i) => i * 0.5 - 100);
        space.memory.set(expected, at);
        for (const [to, from, count] of [[500, 0, 300], [10, 20, 400], [30, 5, 400], [999, 0, 1], [7, 7, 50], [0, 3, 0]] as const) {
          space.copy(at + to, at + from, count);
          expected.copyWithin(to, from, from + count);
          expect(firstDifference(space.memory.subarray(at, at + 1000), expected)).toBe(-1);
        }
        const total = space.memory.length;
        expect(() => space.copy(total - 5, 0, 10)).toThrow(/reaches outside/);
        expect(() => space.copy(0, -1, 10)).toThrow(/reaches outside/);
      });
    }
  });

  it.runIf(threadsSupported())("splits a large product across helper threads working in the same memory, with the same bits as one thread", async () => {
    const previousThreads = getNumThreads();
    for (const kernel of wasmKernels) {
      const build = kernel === "fma" ? 1 : 0;
      warmHelpers();
      for (let i = 0; i < 200 && helperStatus(build).ready === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(helperStatus(build).ready).toBeGreaterThan(0);
      onKernel(kernel, () => {
        try {
          setNumThreads(2);
          const before = helperStatus(build).blocks;
          const { c, expected } = compare(new Generator(13), 96, 840, 288, false, false);
          expect(helperStatus(build).blocks).toBeGreaterThan(before);
          setNumThreads(1);
          const one = compare(new Generator(13), 96, 840, 288, false, false);
          expect(firstDifference(c, expected)).toBe(-1);
          expect(firstDifference(one.c, expected)).toBe(-1);
        } finally {
          setNumThreads(previousThreads);
        }
      });
    }
  });
});
