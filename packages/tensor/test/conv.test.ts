import { describe, expect, it } from "vitest";
import { Generator, NDArray, getNumThreads, kernels, setNumThreads } from "@tapegrad/tensor";
import type { ConvGeometry } from "../src/kernels/conv.js";
import { gemmStrided } from "../src/kernels/matmul.js";
import { kernelWorkspace } from "../src/kernels/fastgemm/wasm.js";
import { helperStatus, threadsSupported, warmHelpers } from "../src/kernels/fastgemm/threads.js";
import { availableKernels, firstDifference, inJavaScriptMemory, onKernel, wasmKernels } from "./kernel-choice.js";

// The convolution kernels build their GEMM operands inside the GEMM kernel's memory (on the
// wide grid where they can) and fold or crop the products read from there. Each must equal,
// bit for bit on every GEMM kernel, the same convolution composed from the plain kernels:
// unfold (im2col), one gemmStrided per image and group on the unfolded columns, fold
// (col2im). The sums are the same numbers added in the same order, so any difference is a
// value read from the wrong place. (The PyTorch fixtures check the convolutions themselves;
// these check the memory plumbing, on the scalar fallback too.)

const available = availableKernels;

const positions = (size: number, k: number, d: number, s: number, before: number, after: number) => Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;

interface Case {
  name: string;
  input: [number, number, number, number];
  outChannels: number;
  geometry: ConvGeometry;
}

function convCase(name: string, input: [number, number, number, number], outChannels: number, kernel: [number, number], options: { stride?: [number, number]; padding?: [number, number]; after?: [number, number]; dilation?: [number, number]; groups?: number } = {}): Case {
  const { stride = [1, 1], padding = [0, 0], dilation = [1, 1], groups = 1 } = options;
  const after = options.after ?? padding;
  const blocks: [number, number] = [positions(input[2], kernel[0], dilation[0], stride[0], padding[0], after[0]), positions(input[3], kernel[1], dilation[1], stride[1], padding[1], after[1])];
  return { name, input, outChannels, geometry: { kernelSize: kernel, dilation, stride, padding, blocks, groups } };
}

// Every path of the kernels: the wide grid (stride 1) and the plain unfold (a stride), the
// input's gradient as a transposed convolution and as a fold (on the wide grid when the
// padding exceeds the kernel, else plainly), groups, dilation, asymmetric padding.
const cases: Case[] = [
  convCase("digits' first layer, 5×5", [3, 1, 28, 28], 8, [5, 5]),
  convCase("digits' second layer, 5×5", [3, 8, 12, 12], 16, [5, 5]),
  convCase("3×3, padding 1", [2, 3, 10, 9], 6, [3, 3], { padding: [1, 1] }),
  convCase("stride 2, padding 1", [2, 4, 11, 9], 6, [3, 3], { stride: [2, 2], padding: [1, 1] }),
  convCase("stride, dilation and groups", [2, 4, 9, 8], 6, [3, 2], { stride: [2, 3], padding: [1, 1], dilation: [2, 1], groups: 2 }),
  convCase("padding beyond the kernel (folded on the wide grid)", [2, 3, 7, 7], 4, [3, 3], { padding: [3, 3] }),
  convCase("an even kernel, padding 'same' (asymmetric)", [2, 3, 8, 8], 5, [4, 4], { padding: [1, 1], after: [2, 2] }),
  convCase("groups of 3, dilation 2", [2, 6, 12, 12], 9, [3, 3], { padding: [2, 2], dilation: [2, 2], groups: 3 }),
];

/** x ⋆ w (+ bias) composed: unfold, one gemmStrided per image and group, then the bias. */
function forwardComposed(x: NDArray, w: NDArray, bias: NDArray | undefined, geometry: ConvGeometry): NDArray {
  const [batch, channels] = x.shape as [number, number];
  const outChannels = w.shape[0]!;
  const cols = kernels.unfold(x, geometry);
  const length = geometry.blocks[0] * geometry.blocks[1];
  const rows = cols.shape[1]!;
  const taps = rows / geometry.groups;
  const groupOut = outChannels / geometry.groups;
  const weight = w.contiguous();
  const out = NDArray.zeros([batch, outChannels, ...geometry.blocks]);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < geometry.groups; g++) {
      const filters = { data: weight.data, offset: weight.offset + g * groupOut * taps, rowStride: taps, colStride: 1 };
      const columns = { data: cols.data, offset: cols.offset + (n * rows + g * taps) * length, rowStride: length, colStride: 1 };
      gemmStrided(groupOut, length, taps, filters, columns, out.data, (n * outChannels + g * groupOut) * length);
    }
  }
  void channels;
  if (bias !== undefined) for (let i = 0; i < out.size; i++) out.data[i]! += bias.data[bias.offset + (Math.floor(i / length) % outChannels) * bias.strides[0]!]!;
  return out;
}

/** ∂W composed: Σ over images of (columns_g · g_gᵀ)ᵀ per group, each image's term added in as the kernel adds it. */
function weightGradComposed(g: NDArray, x: NDArray, geometry: ConvGeometry): NDArray {
  const [batch, outChannels] = g.shape as [number, number];
  const [kh, kw] = geometry.kernelSize;
  const cols = kernels.unfold(x, geometry);
  const gc = g.contiguous();
  const length = geometry.blocks[0] * geometry.blocks[1];
  const rows = cols.shape[1]!;
  const taps = rows / geometry.groups;
  const groupOut = outChannels / geometry.groups;
  const out = NDArray.zeros([outChannels, taps / (kh * kw), kh, kw]);
  const term = new Float64Array(taps * groupOut);
  for (let n = 0; n < batch; n++) {
    for (let group = 0; group < geometry.groups; group++) {
      const columns = { data: cols.data, offset: cols.offset + (n * rows + group * taps) * length, rowStride: length, colStride: 1 };
      const gradsT = { data: gc.data, offset: gc.offset + (n * outChannels + group * groupOut) * length, rowStride: 1, colStride: length };
      gemmStrided(taps, groupOut, length, columns, gradsT, term, 0);
      for (let o = 0; o < groupOut; o++) for (let t = 0; t < taps; t++) out.data[(group * groupOut + o) * taps + t]! += term[t * groupOut + o]!;
    }
  }
  return out;
}

/**
 * ∂x composed. With stride 1 and padding within the dilated kernel on both sides, the
 * kernel computes it as a transposed convolution (g ⋆ the flipped weight), so that is
 * composed here; else as Wᵀ·g per image and group, folded back.
 */
function inputGradComposed(g: NDArray, w: NDArray, inputSize: [number, number], geometry: ConvGeometry): NDArray {
  const [kh, kw] = geometry.kernelSize;
  const [dh, dw] = geometry.dilation;
  const [ph, pw] = geometry.padding;
  const [oh, ow] = geometry.blocks;
  const before: [number, number] = [dh * (kh - 1) - ph, dw * (kw - 1) - pw];
  const after = [oh + dh * (kh - 1) - inputSize[0] - ph, ow + dw * (kw - 1) - inputSize[1] - pw];
  const [outChannels, groupIn] = w.shape as [number, number];
  const groups = geometry.groups;
  const groupOut = outChannels / groups;
  if (geometry.stride[0] === 1 && geometry.stride[1] === 1 && before[0] >= 0 && before[1] >= 0 && after[0]! <= dh * (kh - 1) && after[1]! <= dw * (kw - 1)) {
    const flipped = NDArray.zeros([groupIn * groups, groupOut, kh, kw]);
    for (let group = 0; group < groups; group++) {
      for (let c = 0; c < groupIn; c++) {
        for (let o = 0; o < groupOut; o++) {
          for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) flipped.set(w.get(group * groupOut + o, c, kh - 1 - i, kw - 1 - j), group * groupIn + c, o, i, j);
        }
      }
    }
    return forwardComposed(g, flipped, undefined, { kernelSize: [kh, kw], dilation: [dh, dw], stride: [1, 1], padding: before, blocks: inputSize, groups });
  }
  const batch = g.shape[0]!;
  const taps = groupIn * kh * kw;
  const length = oh * ow;
  const weight = w.contiguous();
  const gc = g.contiguous();
  const cols = NDArray.zeros([batch, groups * taps, length]);
  for (let n = 0; n < batch; n++) {
    for (let group = 0; group < groups; group++) {
      const filtersT = { data: weight.data, offset: weight.offset + group * groupOut * taps, rowStride: 1, colStride: taps };
      const grads = { data: gc.data, offset: gc.offset + (n * outChannels + group * groupOut) * length, rowStride: length, colStride: 1 };
      gemmStrided(taps, length, groupOut, filtersT, grads, cols.data, (n * groups + group) * taps * length);
    }
  }
  return kernels.fold(cols, inputSize, geometry);
}

/** The gradient in three layouts: contiguous, its spatial axes transposed, broadcast from one value (sum's). */
function gradients(random: Generator, shape: [number, number, number, number]): [string, NDArray][] {
  const [n, o, oh, ow] = shape;
  return [
    ["contiguous", random.normalArray(shape)],
    ["transposed", random.normalArray([n, o, ow, oh]).transpose(2, 3)],
    ["broadcast", NDArray.full([1, 1, 1, 1], 0.75).expand(shape)],
  ];
}

function checkCase(c: Case, random: Generator): void {
  const { input, outChannels, geometry } = c;
  const [kh, kw] = geometry.kernelSize;
  const blocks = geometry.blocks;
  const x = random.normalArray(input);
  // A weight that is a transposed view, read through its strides.
  const w = random.normalArray([kw, kh, input[1] / geometry.groups, outChannels]).permute([3, 2, 1, 0]);
  const bias = random.normalArray([outChannels]);
  const where = (what: string, layout = "") => `${c.name}: ${what} ${layout}`;
  expect([where("conv2d"), firstDifference(kernels.conv2d(x, w, bias, geometry).data, forwardComposed(x, w, bias, geometry).data)]).toEqual([where("conv2d"), -1]);
  expect([where("conv2d without bias"), firstDifference(kernels.conv2d(x, w, undefined, geometry).data, forwardComposed(x, w, undefined, geometry).data)]).toEqual([where("conv2d without bias"), -1]);
  for (const [layout, g] of gradients(random, [input[0], outChannels, blocks[0], blocks[1]])) {
    const dx = kernels.conv2dInputGrad(g, w, [input[2], input[3]], geometry);
    expect([where("∂x", layout), firstDifference(dx.data, inputGradComposed(g, w, [input[2], input[3]], geometry).data)]).toEqual([where("∂x", layout), -1]);
    const dw = kernels.conv2dWeightGrad(g, x, geometry);
    expect([where("∂W", layout), firstDifference(dw.data, weightGradComposed(g, x, geometry).data)]).toEqual([where("∂W", layout), -1]);
  }
}

describe("conv2d, conv2dInputGrad and conv2dWeightGrad", () => {
  for (const kernel of available) {
    it(`equal unfold, gemmStrided and fold composed, bit for bit, on every path (${kernel} kernel)`, () => {
      const random = new Generator(21);
      onKernel(kernel, () => {
        for (const c of cases) checkCase(c, random);
      });
    });
  }

  it("return arrays of their own, never a view of the kernel's memory (which the next call reuses)", () => {
    const random = new Generator(22);
    for (const kernel of available) {
      onKernel(kernel, () => {
        const c = cases[0]!;
        const x = random.normalArray(c.input);
        const w = random.normalArray([c.outChannels, c.input[1], 5, 5]);
        const g = random.normalArray([c.input[0], c.outChannels, ...c.geometry.blocks]);
        const results = [kernels.conv2d(x, w, undefined, c.geometry), kernels.conv2dInputGrad(g, w, [28, 28], c.geometry), kernels.conv2dWeightGrad(g, x, c.geometry)];
        const memory = inJavaScriptMemory(kernel) ? null : kernelWorkspace(kernel, [1], [])!.memory.buffer;
        for (const r of results) {
          expect(r.data.buffer instanceof ArrayBuffer).toBe(true);
          expect(r.data.buffer).not.toBe(memory);
        }
        // A result keeps its values through later convolutions that reuse the memory.
        const before = results[0]!.values();
        kernels.conv2d(random.normalArray(c.input), w, undefined, c.geometry);
        expect(firstDifference(results[0]!.values(), before)).toBe(-1);
      });
    }
  });

  it.runIf(threadsSupported())("split across helper threads (products of 8M multiply-adds and more), give the composed bits", async () => {
    const previousThreads = getNumThreads();
    // conv2d: 64×288·288×840 per image; ∂W: 288×840·840×64; ∂x: 32×576·576×840.
    const big = convCase("32 → 64 channels, 28×28, 3×3, padding 1", [2, 32, 28, 28], 64, [3, 3], { padding: [1, 1] });
    try {
      for (const kernel of wasmKernels) {
        const build = kernel === "fma" ? 1 : 0;
        warmHelpers();
        for (let i = 0; i < 200 && helperStatus(build).ready === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        setNumThreads(2);
        const before = helperStatus(build).blocks;
        onKernel(kernel, () => checkCase(big, new Generator(23)));
        expect(helperStatus(build).blocks).toBeGreaterThan(before);
      }
    } finally {
      setNumThreads(previousThreads);
    }
  });
});
