import { describe, expect, it } from "vitest";
import { Generator, getNumThreads, kernels, setNumThreads } from "@tapegrad/tensor";
import { setGemmKernel } from "../src/kernels/matmul.js";
import { SPLIT_ABOVE, SPLIT_AWAKE_ABOVE, helperStatus, setHelperAwakeMs, threadsSupported, warmHelpers } from "../src/kernels/fastgemm/threads.js";

// Helper threads take blocks of C's rows; every element is still summed by one thread in
// one order, so a product must equal the one-thread product bit for bit, whatever the
// shape, layout or kernel build.

async function helpersReady(build: 0 | 1): Promise<void> {
  warmHelpers();
  for (let i = 0; i < 200 && helperStatus(build).ready === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(helperStatus(build).ready).toBeGreaterThan(0);
}

/** Runs `fn` with helpers staying awake `ms` after each product (0: asleep at once), then restores the setting. */
async function withHelpersAwakeFor(ms: number, fn: () => Promise<void>): Promise<void> {
  const previous = setHelperAwakeMs(ms);
  try {
    await fn();
  } finally {
    setHelperAwakeMs(previous);
  }
}

function withThreads<T>(count: number, fn: () => T): T {
  const previous = getNumThreads();
  setNumThreads(count);
  try {
    return fn();
  } finally {
    setNumThreads(previous);
  }
}

const g = new Generator(7);
const shapes: [number, number, number][] = [
  [128, 784, 256],
  [257, 640, 65],
  [9, 4096, 300],
  [64, 900, 200],
  [900, 100, 100],
  [130, 500, 130],
];

describe.runIf(threadsSupported())("matrix products on helper threads", () => {
  for (const build of ["fma", "simd"] as const) {
    it(`equal the one-thread product bit for bit (${build} build), with the work split`, async () => {
      const previous = setGemmKernel(build);
      try {
        await helpersReady(build === "fma" ? 1 : 0);
        for (const [m, k, n] of shapes) {
          expect(m * n * k).toBeGreaterThanOrEqual(SPLIT_ABOVE);
          for (const transposed of [false, true]) {
            const a = transposed ? g.normalArray([k, m]).transpose(0, 1) : g.normalArray([m, k]);
            const b = transposed ? g.normalArray([n, k]).transpose(0, 1) : g.normalArray([k, n]);
            const bias = g.normalArray([n]);
            const one = withThreads(1, () => [kernels.matmul(a, b), kernels.linear(a, b.transpose(0, 1), bias)]);
            const before = helperStatus(build === "fma" ? 1 : 0).blocks;
            const two = withThreads(2, () => [kernels.matmul(a, b), kernels.linear(a, b.transpose(0, 1), bias)]);
            expect(helperStatus(build === "fma" ? 1 : 0).blocks).toBeGreaterThan(before);
            for (let i = 0; i < 2; i++) expect(Array.from(two[i]!.values())).toEqual(Array.from(one[i]!.values()));
          }
        }
      } finally {
        setGemmKernel(previous);
      }
    });
  }

  it("split mid-sized products while a helper is awake, bit for bit, in chunks that need not divide C's rows", async () => {
    await helpersReady(1);
    // The FMA build splits; the native kernel (the default where it was built) runs on one thread.
    const previous = setGemmKernel("fma");
    try {
      await withHelpersAwakeFor(60_000, async () => {
        // A large product posts to the helper, which then stays awake (spinning) for the rest.
        withThreads(2, () => kernels.matmul(g.normalArray([128, 784]), g.normalArray([784, 128])));
        const mid: [number, number, number][] = [
          [900, 50, 50],
          [203, 61, 70],
          [41, 100, 200],
        ];
        for (const [m, k, n] of mid) {
          expect(m * n * k).toBeGreaterThanOrEqual(SPLIT_AWAKE_ABOVE);
          expect(m * n * k).toBeLessThan(SPLIT_ABOVE);
          const a = g.normalArray([m, k]);
          const b = g.normalArray([k, n]);
          const one = Array.from(withThreads(1, () => kernels.matmul(a, b)).values());
          // The helper may miss a product while the machine is busy; it takes part in some.
          const before = helperStatus(1).chunks;
          for (let i = 0; i < 50 && helperStatus(1).chunks === before; i++) {
            expect(Array.from(withThreads(2, () => kernels.matmul(a, b)).values())).toEqual(one);
          }
          expect(helperStatus(1).chunks).toBeGreaterThan(before);
        }
      });
    } finally {
      setGemmKernel(previous);
    }
  });

  it("give the same bits when the helper sleeps between products (woken, or finished without it)", async () => {
    await helpersReady(1);
    await withHelpersAwakeFor(0, async () => {
      for (const [m, k, n] of [
        [128, 784, 256],
        [257, 640, 65],
      ] as const) {
        const a = g.normalArray([m, k]);
        const b = g.normalArray([k, n]);
        const one = withThreads(1, () => kernels.matmul(a, b));
        for (let i = 0; i < 5; i++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          expect(Array.from(withThreads(2, () => kernels.matmul(a, b)).values())).toEqual(Array.from(one.values()));
        }
      }
    });
  });

  it("leave small products on the calling thread", async () => {
    await helpersReady(1);
    const before = helperStatus(1).blocks;
    withThreads(2, () => kernels.matmul(g.normalArray([40, 40]), g.normalArray([40, 40])));
    expect(helperStatus(1).blocks).toBe(before);
  });
});

describe("setNumThreads", () => {
  it("rejects counts that are not integers from 1 to 64, leaving the count as it was", () => {
    const before = getNumThreads();
    for (const bad of [0, -1, 1.5, Number.NaN, 65, "2" as unknown as number]) {
      expect(() => setNumThreads(bad)).toThrow(/setNumThreads: count must be an integer from 1 to 64/);
      expect(getNumThreads()).toBe(before);
    }
  });

  it("sets the count getNumThreads reports", () => {
    const before = getNumThreads();
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    setNumThreads(before);
    expect(getNumThreads()).toBe(before);
  });
});
