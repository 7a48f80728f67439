import { describe, expect, it } from "vitest";
import { DataError, ShapeError, gradients, randn, tensor } from "@tapegrad/autograd";
import { AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, functional as F } from "../src/index.js";
import { checkAgainstTorch, layerCases, torchRepr } from "./conv-pooling-fixtures.js";

const cases = layerCases("pooling");
const layers = { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d } as const;

describe("pooling layers agree with PyTorch (float64, 1e-12 of each tensor's largest entry)", () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const Layer = layers[c.kind as keyof typeof layers];
      const layer = new Layer(c.args[0] as number, c.options as never);
      checkAgainstTorch(layer, c);
      expect(layer.toString()).toBe(torchRepr(c.repr));
    });
  }
});

describe("max pooling's ties, padding and indices", () => {
  it("sends the gradient to the first maximum of each window in row-major order", () => {
    // Every tap of the 2×2 window ties: the top-left one gets it all.
    const x = tensor([[[[7, 7], [7, 7]]]], { requiresGrad: true });
    new MaxPool2d(2).forward(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([[[[1, 0], [0, 0]]]]);
  });

  it("pads with −∞, so a window over negative values at the border keeps them", () => {
    const x = tensor([[[[-3, -1], [-2, -4]]]]);
    expect(new MaxPool2d(2, { stride: 1, padding: 1 }).forward(x).toArray()).toEqual([[[[-3, -1, -1], [-2, -1, -1], [-2, -2, -4]]]]);
  });

  it("returnIndices gives the flat positions y·W + x, as PyTorch's return_indices", () => {
    const x = tensor([[[[1, 5, 2], [4, 3, 9], [8, 0, 6]]]]);
    const { values, indices } = F.maxPool2d(x, 2, { stride: 1, returnIndices: true });
    expect(values.toArray()).toEqual([[[[5, 9], [8, 9]]]]);
    expect(indices.toArray()).toEqual([[[[1, 5], [6, 5]]]]);
    expect(indices.requiresGrad).toBe(false);
  });

  it("NaN wins a window, the last NaN as in PyTorch; a window of −∞ picks its first tap (checked with torch 1.13)", () => {
    const x = tensor([[[[1, NaN], [3, NaN]]]], { requiresGrad: true });
    const { values, indices } = F.maxPool2d(x, 2, { returnIndices: true });
    expect(Number.isNaN(values.item())).toBe(true);
    expect(indices.item()).toBe(3);
    values.sum().backward();
    expect(x.grad!.toArray()).toEqual([[[[0, 0], [0, 1]]]]);
    const infinite = F.maxPool2d(tensor([[[[-Infinity, -Infinity], [-Infinity, -Infinity]]]]), 2, { returnIndices: true });
    expect(infinite.values.item()).toBe(-Infinity);
    expect(infinite.indices.item()).toBe(0);
  });

  it("overlapping windows sharing one maximum add their gradients there", () => {
    const x = tensor([[[[0, 0, 0], [0, 9, 0], [0, 0, 0]]]], { requiresGrad: true });
    const [g] = gradients(F.maxPool2d(x, 2, { stride: 1 }).sum(), [x]);
    expect(g!.toArray()).toEqual([[[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]]);
  });
});

describe("average pooling's divisors", () => {
  it("countIncludePad counts the padding's zeros; without it only the taps inside", () => {
    const x = tensor([[[[4, 8], [12, 16]]]]);
    expect(F.avgPool2d(x, 2, { stride: 2, padding: 1 }).toArray()).toEqual([[[[1, 2], [3, 4]]]]);
    expect(F.avgPool2d(x, 2, { stride: 2, padding: 1, countIncludePad: false }).toArray()).toEqual([[[[4, 8], [12, 16]]]]);
    expect(F.avgPool2d(x, 2, { divisorOverride: 5 }).toArray()).toEqual([[[[8]]]]);
  });
});

describe("pooling layers refuse bad settings and inputs with their names", () => {
  it("options", () => {
    expect(() => new MaxPool2d(2, { ceil_mode: true } as never)).toThrow('MaxPool2d: unknown option "ceil_mode"; did you mean "ceilMode"?');
    expect(() => new MaxPool2d(3, { padding: 2 })).toThrow("MaxPool2d: padding must be at most half the kernel size, got padding 2 for kernel 3");
    expect(() => new AvgPool2d(2, { padding: [0, 2] })).toThrow(/AvgPool2d: padding must be at most half the kernel size/);
    expect(() => new MaxPool2d(2, { returnIndices: true } as never)).toThrow(/MaxPool2d: returnIndices is not supported by the layer; call nn.functional.maxPool2d/);
    expect(() => new AvgPool1d(2, { divisorOverride: 2 } as never)).toThrow('AvgPool1d: unknown option "divisorOverride"');
    expect(() => new MaxPool1d(0)).toThrow(DataError);
    expect(() => new MaxPool2d(2, { ceilMode: 1 } as never)).toThrow("MaxPool2d: ceilMode must be true or false, got 1");
  });

  it("inputs", () => {
    expect(() => new MaxPool2d(2).forward(randn([4, 4]))).toThrow("MaxPool2d: expected input [N, C, H, W] or [C, H, W], got [4,4]");
    expect(() => new AvgPool1d(2).forward(randn([1, 2, 3, 4]))).toThrow("AvgPool1d: expected input [N, C, L] or [C, L], got [1,2,3,4]");
    expect(() => new MaxPool2d(3).forward(randn([1, 1, 2, 2]))).toThrow(ShapeError);
  });
});
