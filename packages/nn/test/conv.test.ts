import { describe, expect, it } from "vitest";
import { DataError, ShapeError, Tensor, gradients, manualSeed, randn, tensor } from "@tapegrad/autograd";
import { Conv1d, Conv2d, Dense, Flatten, MaxPool2d, ReLU, Sequential, functional as F } from "../src/index.js";
import { checkAgainstTorch, layerCases, torchRepr } from "./conv-pooling-fixtures.js";

const cases = layerCases("conv");

/** Conv2d/Conv1d from a fixture case: torch's positional args and camelCase options. */
function build(kind: string, args: unknown[], options: Record<string, unknown>) {
  const [inC, outC, k] = args as [number, number, number | number[]];
  return kind === "Conv2d" ? new Conv2d(inC, outC, k, options) : new Conv1d(inC, outC, k, options);
}

describe("Conv1d and Conv2d agree with PyTorch (float64, 1e-12 of each tensor's largest entry)", () => {
  for (const [name, c] of Object.entries(cases).filter(([, c]) => c.kind.startsWith("Conv"))) {
    it(name, () => {
      const layer = build(c.kind, c.args, c.options);
      checkAgainstTorch(layer, c);
      expect(layer.toString()).toBe(torchRepr(c.repr));
    });
  }

  it("a LeNet-style Sequential of stock layers: outputs, input and parameter gradients, state-dict keys and printout", () => {
    const c = cases.lenet!;
    const lenet = new Sequential(
      new Conv2d(1, 6, 5), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
      new Flatten(),
      new Dense(256, 120), new ReLU(), new Dense(120, 84), new ReLU(), new Dense(84, 10),
    );
    checkAgainstTorch(lenet, c);
    expect(lenet.toString()).toBe(torchRepr(c.repr));
  });
});

/**
 * The convolution written as its definition, one multiply-add at a time: the independent
 * reference. x [N, C, H, W], w [O, C/G, kH, kW], symmetric padding.
 */
function naiveConv2d(x: number[][][][], w: number[][][][], b: number[] | null, stride: number[], padding: number[], dilation: number[], groups: number): number[][][][] {
  const [N, C, H, W] = [x.length, x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length];
  const [O, Cg, kH, kW] = [w.length, w[0]!.length, w[0]![0]!.length, w[0]![0]![0]!.length];
  const oH = Math.floor((H + 2 * padding[0]! - dilation[0]! * (kH - 1) - 1) / stride[0]!) + 1;
  const oW = Math.floor((W + 2 * padding[1]! - dilation[1]! * (kW - 1) - 1) / stride[1]!) + 1;
  const out = [];
  for (let n = 0; n < N; n++) {
    const planes = [];
    for (let o = 0; o < O; o++) {
      const group = Math.floor(o / (O / groups));
      const rows = [];
      for (let p = 0; p < oH; p++) {
        const row = [];
        for (let q = 0; q < oW; q++) {
          let s = b ? b[o]! : 0;
          for (let c = 0; c < Cg; c++) {
            for (let i = 0; i < kH; i++) {
              for (let j = 0; j < kW; j++) {
                const y = p * stride[0]! - padding[0]! + i * dilation[0]!;
                const xx = q * stride[1]! - padding[1]! + j * dilation[1]!;
                if (y >= 0 && y < H && xx >= 0 && xx < W) s += x[n]![group * Cg + c]![y]![xx]! * w[o]![c]![i]![j]!;
              }
            }
          }
          row.push(s);
        }
        rows.push(row);
      }
      planes.push(rows);
    }
    out.push(planes);
  }
  void C;
  return out;
}

describe("conv2d against the naive definition", () => {
  const settings = [
    { xs: [2, 3, 7, 6], ws: [4, 3, 3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 },
    { xs: [1, 4, 9, 8], ws: [6, 2, 3, 2], stride: [2, 3], padding: [1, 1], dilation: [2, 1], groups: 2 },
    { xs: [3, 2, 5, 5], ws: [2, 2, 5, 5], stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 },
    { xs: [1, 3, 6, 6], ws: [3, 1, 2, 2], stride: [2, 2], padding: [1, 0], dilation: [1, 1], groups: 3 },
  ];
  settings.forEach(({ xs, ws, stride, padding, dilation, groups }, k) => {
    it(`sample ${k}: x ${JSON.stringify(xs)}, weight ${JSON.stringify(ws)}, stride ${stride}, padding ${padding}, dilation ${dilation}, groups ${groups}`, () => {
      manualSeed(100 + k);
      const x = randn(xs);
      const w = randn(ws);
      const b = randn([ws[0]!]);
      const ours = F.conv2d(x, w, b, { stride, padding, dilation, groups });
      const expected = naiveConv2d(x.toArray() as number[][][][], w.toArray() as number[][][][], b.toArray() as number[], stride, padding, dilation, groups);
      const flat = (expected.flat(3) as number[]);
      const got = ours.toFloat64Array();
      expect(got.length).toBe(flat.length);
      got.forEach((v, i) => expect(Math.abs(v - flat[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(flat[i]!))));
    });
  });

  it("the input gradient is the transposed convolution: ⟨conv(x), g⟩ = ⟨x, ∂x⟩ for the linear map without bias", () => {
    manualSeed(7);
    const x = randn([2, 4, 6, 5], { requiresGrad: true });
    const w = randn([6, 2, 3, 3]);
    const g = randn([2, 6, 3, 5]);
    const y = F.conv2d(x, w, null, { stride: [2, 1], padding: 1, groups: 2 });
    const [gx] = gradients(y.mul(g).sum(), [x]);
    const lhs = y.mul(g).sum().item();
    const rhs = x.mul(gx!).sum().item();
    expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(lhs)));
  });
});

describe("Conv2d construction, as PyTorch builds it", () => {
  it("weight [out, in/groups, kH, kW] and bias [out] within ±1/√fanIn (kaiming_uniform with a = √5), spread over the whole range", () => {
    const layer = new Conv2d(8, 32, [3, 5], { groups: 2, seed: 3 });
    expect(layer.weight.shape).toEqual([32, 4, 3, 5]);
    expect(layer.bias!.shape).toEqual([32]);
    const bound = 1 / Math.sqrt(4 * 3 * 5);
    const w = layer.weight.toFloat64Array();
    const largest = Math.max(...w.map(Math.abs));
    expect(largest).toBeLessThanOrEqual(bound);
    expect(largest).toBeGreaterThan(0.98 * bound);
    // U(−b, b) has variance b²/3: 1920 draws give it within a few percent.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance / (bound * bound / 3)).toBeGreaterThan(0.9);
    expect(variance / (bound * bound / 3)).toBeLessThan(1.1);
    expect(Math.max(...layer.bias!.toFloat64Array().map(Math.abs))).toBeLessThanOrEqual(bound);
  });

  it("the same seed gives the same weights; bias: false drops the bias", () => {
    expect(new Conv1d(2, 3, 4, { seed: 9 }).weight.toArray()).toEqual(new Conv1d(2, 3, 4, { seed: 9 }).weight.toArray());
    expect(new Conv2d(2, 3, 3, { bias: false }).bias).toBeNull();
    expect(new Conv2d(2, 3, 3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(["weight"]);
  });

  it("refuses bad settings with the layer's name", () => {
    expect(() => new Conv2d(3, 8, 3, { padding_mode: "zeros" } as never)).toThrow('Conv2d: unknown option "padding_mode"; did you mean "paddingMode"?');
    expect(() => new Conv2d(3, 8, 3, { paddingMode: "reflect" } as never)).toThrow(/Conv2d: paddingMode "reflect" is not supported/);
    expect(() => new Conv2d(3, 8, 3, { paddingMode: "zeros" })).not.toThrow();
    expect(() => new Conv2d(3, 8, 3, { groups: 2 })).toThrow("Conv2d: inChannels (3) must be divisible by groups (2)");
    expect(() => new Conv2d(4, 6, 3, { groups: 4 })).toThrow("Conv2d: outChannels (6) must be divisible by groups (4)");
    expect(() => new Conv2d(3, 8, 3, { padding: "same", stride: 2 })).toThrow(/Conv2d: padding 'same' is not supported for strided convolutions/);
    expect(() => new Conv2d(3, 8, 3, { padding: "full" } as never)).toThrow(DataError);
    expect(() => new Conv2d(3, 8, [3, 3, 3])).toThrow(/Conv2d: kernelSize must be a positive integer or an array of 2/);
    expect(() => new Conv2d(3, 8, 0)).toThrow(DataError);
    expect(() => new Conv1d(3, 8, 3, { stride: [1, 1] })).toThrow(/Conv1d: stride/);
    expect(() => new Conv2d(3, 8, 3, { bias: "false" } as never)).toThrow('Conv2d: bias must be true or false, got "false"');
    expect(() => new Conv2d(0, 8, 3)).toThrow("Conv2d: inChannels must be a positive integer, got 0");
  });

  it("refuses an input of the wrong shape with the layer's name and the shapes", () => {
    const layer = new Conv2d(3, 8, 3);
    expect(() => layer.forward(randn([2, 4, 8, 8]))).toThrow("Conv2d: expected input [N, 3, H, W] or [3, H, W], got [2,4,8,8]");
    expect(() => layer.forward(randn([8, 8]))).toThrow(ShapeError);
    expect(() => layer.forward(randn([1, 3, 2, 2]))).toThrow(/smaller than the \(dilated\) kernel \(3 x 3\)/);
    expect(() => new Conv1d(2, 4, 3).forward(randn([2, 3, 7]))).toThrow("Conv1d: expected input [N, 2, L] or [2, L], got [2,3,7]");
  });

  it("an unbatched input gives the batched result without its batch dimension", () => {
    manualSeed(4);
    const layer = new Conv2d(2, 3, 3, { padding: 1 });
    const x = randn([2, 5, 4]);
    expect(layer.forward(x).toArray()).toEqual(layer.forward(x.unsqueeze(0)).squeeze(0).toArray());
  });
});

describe("nn.functional.unfold and fold", () => {
  it("unfold lays each window out as a column: channel-major rows (c, i, j), positions row-major", () => {
    const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    expect(F.unfold(x, 2).toArray()).toEqual([[[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]]);
  });

  it("fold(unfold(x)) multiplies each pixel by the number of windows covering it", () => {
    const x = tensor([[[[1, 1, 1], [1, 1, 1], [1, 1, 1]]]]);
    expect(F.fold(F.unfold(x, 2), 3, 2).toArray()).toEqual([[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]);
  });

  it("refuses sizes that do not match, naming the op", () => {
    expect(() => F.fold(randn([1, 8, 5]), [3, 3], 2)).toThrow(/fold: expected input \[N, C·4, 4\]/);
    expect(() => F.unfold(randn([3, 3]), 2)).toThrow("unfold: expected input [N, C, H, W] or [C, H, W], got [3,3]");
    expect(() => F.unfold(randn([1, 1, 3, 3]), 2, { pading: 1 } as never)).toThrow('unfold: unknown option "pading"; did you mean "padding"?');
  });
});

it("conv2d's gradients flow to every input as a Tensor", () => {
  const x = randn([1, 1, 4, 4], { requiresGrad: true });
  const layer = new Conv2d(1, 2, 3);
  layer.forward(x).sum().backward();
  expect(x.grad).toBeInstanceOf(Tensor);
  expect(layer.weight.grad!.shape).toEqual([2, 1, 3, 3]);
  expect(layer.bias!.grad!.shape).toEqual([2]);
});
