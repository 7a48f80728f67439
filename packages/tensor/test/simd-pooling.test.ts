import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, NDArray, kernels } from "@tapegrad/tensor";
import { onReferenceLoops } from "./kernel-choice.js";

// Max-pooling without padding or dilation takes a WebAssembly SIMD pass over contiguous
// planes; with compiled loops off it runs the loop, the reference here. Ties, NaN and
// signed zeros decide which tap wins, so the inputs are full of them.

const specials = [Number.NaN, -0, 0, Infinity, -Infinity, 1, 1];

const reference = onReferenceLoops;

const bits = (x: NDArray) => Array.from(x.values(), (v) => (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v));

/** [n, c, h, w] values: rounded normals (many equal) with specials sprinkled in, or a view of a wider buffer when `narrowed`. */
function image(seed: number, shape: [number, number, number, number], narrowed: boolean): NDArray {
  const g = new Generator(seed);
  const [n, c, h, w] = shape;
  const base = g.normalArray([n, c, h, w + (narrowed ? 3 : 0)]);
  for (let i = 0; i < base.size; i++) base.data[i] = i % 11 === seed % 11 ? specials[(i + seed) % specials.length]! : Math.round(base.data[i]! * 2) / 2;
  return narrowed ? base.narrow(3, 1, w) : base;
}

function window(kernel: number, stride: number, h: number, w: number): kernels.SlidingWindow {
  return { kernelSize: [kernel, kernel], dilation: [1, 1], stride: [stride, stride], padding: [0, 0], blocks: [Math.floor((h - kernel) / stride) + 1, Math.floor((w - kernel) / stride) + 1] };
}

describe("SIMD max-pooling", () => {
  it("equals the loop bit for bit, maxima and positions, for any kernel, stride and odd or even row of windows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 6, max: 13 }), fc.integer({ min: 6, max: 13 }), fc.integer(), (kernel, stride, h, w, seed) => {
        const x = image(seed, [8, 8, h, w], false); // 64 planes: at least 256 outputs, the SIMD pass's minimum
        const win = window(kernel, stride, h, w);
        const fast = kernels.maxPool2d(x, win);
        const slow = reference(() => kernels.maxPool2d(x, win));
        expect(bits(fast.values)).toEqual(bits(slow.values));
        expect(Array.from(fast.indices.values())).toEqual(Array.from(slow.indices.values()));
      }),
      { numRuns: 60 },
    );
  });

  it("takes the digits convnet's shape and leaves strided planes to the loop, with the same results", () => {
    const x = image(3, [4, 8, 24, 24], false);
    const win = window(2, 2, 24, 24);
    const fast = kernels.maxPool2d(x, win);
    const slow = reference(() => kernels.maxPool2d(x, win));
    expect(bits(fast.values)).toEqual(bits(slow.values));
    expect(Array.from(fast.indices.values())).toEqual(Array.from(slow.indices.values()));
    const strided = image(4, [2, 4, 12, 12], true);
    expect(bits(kernels.maxPool2d(strided, window(2, 2, 12, 12)).values)).toEqual(bits(reference(() => kernels.maxPool2d(strided, window(2, 2, 12, 12))).values));
  });
});
