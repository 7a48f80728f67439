import { describe, expect, it } from "vitest";
import { DataError, ShapeError, Tensor, enableGrad, gradcheck, gradients, noGrad, randn, tensor, zeros } from "@tapegrad/autograd";
import { BatchNorm1d, BatchNorm2d, LayerNorm, Module, Sequential, functional } from "../src/index.js";
import { decode, expectClose, loadLayerFixture, type Flat } from "./layer-fixtures.js";

// Values from torch 1.13 in float64: scripts/torch_layer_cases/normalization.py.
interface Step {
  mode: "train" | "eval";
  input: Flat;
  output: Flat;
  cotangent: Flat;
  inputGrad: Flat;
  paramGrads: Record<string, Flat>;
  buffers?: Record<string, Flat>;
}
interface Case {
  kind: "LayerNorm" | "BatchNorm1d" | "BatchNorm2d";
  normalizedShape?: number | number[];
  numFeatures?: number;
  options: Record<string, unknown>;
  state: Record<string, Flat>;
  stateShapes: [string, number[]][];
  transpose: boolean;
  steps: Step[];
}
const fixture = loadLayerFixture<{ cases: Record<string, Case> }>("normalization");

function build(c: Case): Module {
  if (c.kind === "LayerNorm") return new LayerNorm(c.normalizedShape!, c.options);
  return new (c.kind === "BatchNorm1d" ? BatchNorm1d : BatchNorm2d)(c.numFeatures!, c.options);
}

/**
 * The size of the terms that cancel in a batch-norm input gradient of two samples per
 * channel: there x̂ = ±√(var/(var + eps)), so (g − mean g − x̂·mean(g·x̂))·w/σ is a
 * difference of terms of size |g|·|w|/σ that leaves only an eps-sized remainder (3e-5
 * beside terms of 1), whose rounding error is that of the terms. 0 for every other case.
 */
function cancellingInputGradient(name: string, step: Step, weight: Tensor | undefined): number {
  if (name !== "bn1d_two_samples" || step.mode !== "train") return 0;
  const [n, c] = step.input.shape as [number, number];
  let smallestSigma = Infinity;
  for (let j = 0; j < c; j++) {
    const column = Array.from({ length: n }, (_, i) => step.input.values[i * c + j]!);
    const mean = column.reduce((a, b) => a + b, 0) / n;
    smallestSigma = Math.min(smallestSigma, Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / n));
  }
  const largest = (values: ArrayLike<number>) => Math.max(...Array.from(values, Math.abs));
  return (largest(step.cotangent.values) * largest(weight!.toFloat64Array())) / smallestSigma;
}

/** torch's snake_case keys in camelCase. */
const camel = (key: string) => key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

describe("normalization layers agree with torch 1.13 (1e-12 of each tensor's largest entry)", () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(name, () => {
      const layer = build(c);
      // State-dict keys and shapes as PyTorch's, in camelCase and in the same order.
      const shapes = Object.entries(layer.stateDict()).map(([k, t]) => [k, t.shape]);
      expect(shapes).toEqual(c.stateShapes.map(([k, s]) => [camel(k), s]));
      layer.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [camel(k), decode(v)])));
      c.steps.forEach((step, i) => {
        const at = `step ${i} (${step.mode})`;
        if (step.mode === "train") layer.train();
        else layer.eval();
        layer.zeroGrad();
        const x = decode(step.input, { requiresGrad: true });
        const y = layer.forward(c.transpose ? x.transpose(0, 1) : x);
        expectClose(y, step.output, 1e-12, `${at} output`);
        y.mul(decode(step.cotangent)).sum().backward();
        const params = Object.fromEntries(layer.namedParameters());
        expectClose(x.grad, step.inputGrad, 1e-12, `${at} input gradient`, cancellingInputGradient(name, step, params.weight));
        expect(Object.keys(params).sort()).toEqual(Object.keys(step.paramGrads).map(camel).sort());
        for (const [key, grad] of Object.entries(step.paramGrads)) {
          if (name === "ln_constant_rows" && key === "weight") {
            // x − mean is exactly 0 in every row, so the weight gradient Σ g·x̂ is exactly 0;
            // torch's is rounding noise of its mean times 1/√eps, far below the terms' size.
            expect(Array.from(params.weight!.grad!.toFloat64Array())).toEqual([0, 0, 0, 0]);
            const termScale = Math.max(...step.cotangent.values.map(Math.abs)) * Math.max(...step.input.values.map(Math.abs)) / Math.sqrt(1e-5);
            for (const v of grad.values) expect(Math.abs(v)).toBeLessThan(1e-12 * termScale);
            continue;
          }
          expectClose(params[camel(key)]!.grad, grad, 1e-12, `${at} ${key} gradient`);
        }
        const buffers = Object.fromEntries(layer.namedBuffers());
        expect(Object.keys(buffers).sort()).toEqual(Object.keys(step.buffers ?? {}).map(camel).sort());
        for (const [key, value] of Object.entries(step.buffers ?? {})) expectClose(buffers[camel(key)], value, 1e-12, `${at} ${key}`);
      });
    });
  }
});

describe("functional layerNorm and batchNorm", () => {
  it("layerNorm with the layer's weight and bias gives the layer's output, and none gives the plain normalisation", () => {
    const layer = new LayerNorm([2, 3]);
    noGrad(() => {
      layer.weight!.copy_(tensor([[1, 2, 3], [-1, 0.5, 2]]));
      layer.bias!.copy_(tensor([[0, 1, -1], [2, 0, 0.5]]));
    });
    const x = randn([4, 2, 3], { seed: 5 });
    const viaLayer = layer.forward(x).toFloat64Array();
    const viaFunction = functional.layerNorm(x, [2, 3], { weight: layer.weight, bias: layer.bias }).toFloat64Array();
    expect(Array.from(viaFunction)).toEqual(Array.from(viaLayer));
    // Independent check: each [2, 3] slice of the plain normalisation has mean 0 and biased variance 1/(1 + eps/var).
    const plain = functional.layerNorm(x, [2, 3], { eps: 0 }).reshape([4, 6]);
    for (const row of plain.toArray() as number[][]) {
      const mean = row.reduce((a, b) => a + b, 0) / 6;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 6;
      expect(Math.abs(mean)).toBeLessThan(1e-15);
      expect(Math.abs(variance - 1)).toBeLessThan(1e-14);
    }
  });

  it("batchNorm updates the running statistics it is given in training, with the unbiased variance", () => {
    const x = tensor([[1, 10], [2, 20], [6, 60]]);
    const mean = zeros([2]);
    const variance = tensor([1, 1]);
    functional.batchNorm(x, mean, variance, { training: true, momentum: 0.25 });
    // Batch means 3 and 30, unbiased variances 7 and 700.
    expect(mean.toArray()).toEqual([0.75 * 0 + 0.25 * 3, 0.25 * 30]);
    expect(variance.toArray()).toEqual([0.75 + 0.25 * 7, 0.75 + 0.25 * 700]);
  });

  it("batchNorm in eval uses the running statistics: (x − mean)/√(var + eps)", () => {
    const y = functional.batchNorm(tensor([[1, 4], [3, 0]]), tensor([1, 2]), tensor([4, 16]), { eps: 0 });
    expect(y.toArray()).toEqual([[0, 0.5], [1, -0.5]]);
  });

  it("batchNorm refuses eval without running statistics and a running statistic of the wrong size", () => {
    expect(() => functional.batchNorm(tensor([[1, 2], [3, 4]]), null, null)).toThrow(/batchNorm: runningMean and runningVar are needed when not training/);
    expect(() => functional.batchNorm(tensor([[1, 2], [3, 4]]), zeros([3]), zeros([3]), { training: true })).toThrow(/runningMean must have shape \[2\].*got \[3\]/);
  });

  it("second derivatives through LayerNorm and BatchNorm1d in train mode pass gradcheck", () => {
    const ln = new LayerNorm(4);
    noGrad(() => ln.weight!.copy_(tensor([1, -2, 0.5, 3])));
    const x = randn([3, 4], { seed: 1, requiresGrad: true });
    const w = randn([3, 4], { seed: 2 });
    // gradcheck evaluates f under noGrad for its finite differences; the inner gradient must still be recorded.
    gradcheck((t: Tensor) => enableGrad(() => gradients(ln.forward(t).mul(w).sum().pow(2), [t], { createGraph: true })[0]!.mul(w).sum()), [x]);
    const bn = new BatchNorm1d(4, { trackRunningStats: false });
    gradcheck((t: Tensor) => enableGrad(() => gradients(bn.forward(t).pow(3).mul(w).sum(), [t], { createGraph: true })[0]!.mul(w).sum()), [x]);
  });
});

describe("BatchNorm semantics", () => {
  const stats = (bn: BatchNorm1d | BatchNorm2d) => [bn.runningMean!.toArray(), bn.runningVar!.toArray(), bn.numBatchesTracked!.item()];

  it("bad input throws before the running statistics change", () => {
    const bn = new BatchNorm1d(3);
    bn.forward(randn([4, 3], { seed: 1 }));
    const before = stats(bn);
    expect(() => bn.forward(randn([4, 5]))).toThrow(ShapeError);
    expect(() => bn.forward(randn([4, 5]))).toThrow("BatchNorm1d: expected input [N, 3] or [N, 3, L], got [4,5]");
    expect(() => bn.forward(randn([2, 3, 4, 4]))).toThrow("BatchNorm1d: expected input [N, 3] or [N, 3, L], got [2,3,4,4]");
    expect(() => bn.forward(randn([3]))).toThrow(ShapeError);
    expect(() => bn.forward(randn([1, 3]))).toThrow("BatchNorm1d: expected more than 1 value per channel when training, got input [1,3]");
    expect(() => bn.forward(randn([1, 3, 1]))).toThrow(/more than 1 value per channel/);
    expect(stats(bn)).toEqual(before);
    const bn2 = new BatchNorm2d(2);
    expect(() => bn2.forward(randn([1, 2, 1, 1]))).toThrow("BatchNorm2d: expected more than 1 value per channel when training, got input [1,2,1,1]");
    expect(() => bn2.forward(randn([2, 2, 3]))).toThrow("BatchNorm2d: expected input [N, 2, H, W], got [2,2,3]");
    expect(stats(bn2)).toEqual([[0, 0], [1, 1], 0]);
  });

  it("one sample is fine in eval mode, and in train mode when it has several values per channel", () => {
    const bn = new BatchNorm1d(2).eval();
    expect(bn.forward(tensor([[1, 2]])).toArray()).toEqual([[1 / Math.sqrt(1 + 1e-5), 2 / Math.sqrt(1 + 1e-5)]]);
    bn.train();
    expect(bn.forward(randn([1, 2, 3], { seed: 4 })).shape).toEqual([1, 2, 3]);
    expect(bn.numBatchesTracked!.item()).toBe(1);
  });

  it("an empty batch gives an empty output and leaves the running statistics, counting the batch as PyTorch does", () => {
    const bn = new BatchNorm1d(3);
    const x = zeros([0, 3], { requiresGrad: true });
    const y = bn.forward(x);
    expect(y.shape).toEqual([0, 3]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([0, 3]);
    expect(stats(bn)).toEqual([[0, 0, 0], [1, 1, 1], 1]);
    expect(new LayerNorm(4).forward(zeros([0, 4])).shape).toEqual([0, 4]);
  });

  it("eval mode changes nothing and normalises with the running statistics", () => {
    const bn = new BatchNorm1d(2, { momentum: 0.5 });
    bn.forward(tensor([[0, 10], [2, 30]]));
    // Batch means 1 and 20, unbiased variances 2 and 200.
    expect(stats(bn)).toEqual([[0.5, 10], [1.5, 100.5], 1]);
    bn.eval();
    const y = bn.forward(tensor([[0.5, 10]]));
    expect(stats(bn)).toEqual([[0.5, 10], [1.5, 100.5], 1]);
    expect(y.toArray()).toEqual([[0, 0]]);
  });

  it("momentum null averages every batch equally", () => {
    const bn = new BatchNorm1d(1, { momentum: null });
    const batches = [[1, 3], [10, 14], [-2, 0], [5, 5.5]];
    for (const b of batches) bn.forward(tensor(b.map((v) => [v])));
    const means = batches.map(([a, b]) => (a! + b!) / 2);
    const variances = batches.map(([a, b]) => (a! - b!) ** 2 / 2);
    expect(bn.runningMean!.item()).toBeCloseTo(means.reduce((s, v) => s + v, 0) / 4, 14);
    expect(bn.runningVar!.item()).toBeCloseTo(variances.reduce((s, v) => s + v, 0) / 4, 12);
    expect(bn.numBatchesTracked!.item()).toBe(4);
  });

  it("trackRunningStats false registers no buffers and uses the batch's statistics in eval mode too", () => {
    const bn = new BatchNorm1d(2, { trackRunningStats: false, affine: false });
    expect(bn.stateDict()).toEqual({});
    expect(bn.runningMean).toBe(null);
    const x = tensor([[1, 2], [3, 6]]);
    const train = bn.forward(x).toArray();
    expect(bn.eval().forward(x).toArray()).toEqual(train);
    const s = 1 / Math.sqrt(1 + 1e-5);
    expect(train).toEqual([[-s, -2 / Math.sqrt(4 + 1e-5)], [s, 2 / Math.sqrt(4 + 1e-5)]]);
  });

  it("the running statistics take no part in the graph, and the state dict shares them", () => {
    const bn = new BatchNorm1d(3);
    const saved = bn.stateDict();
    const x = randn([5, 3], { seed: 2, requiresGrad: true });
    bn.forward(x).sum().backward();
    expect(bn.runningMean!.requiresGrad).toBe(false);
    expect(bn.runningMean!.grad).toBe(null);
    expect(saved.runningMean!.toArray()).toEqual(bn.runningMean!.toArray());
    expect(saved.numBatchesTracked!.item()).toBe(1);
    expect(bn.parameters().length).toBe(2);
  });

  it("resetRunningStats and resetParameters restore the initial values", () => {
    const bn = new BatchNorm2d(2);
    bn.forward(randn([3, 2, 2, 2], { seed: 3 }));
    noGrad(() => bn.weight!.copy_(tensor([2, 3])));
    bn.resetParameters();
    expect(stats(bn)).toEqual([[0, 0], [1, 1], 0]);
    expect(bn.weight!.toArray()).toEqual([1, 1]);
    expect(bn.bias!.toArray()).toEqual([0, 0]);
  });

  it("checks its options and names the layer", () => {
    expect(() => new BatchNorm1d(3, { track_running_stats: false } as never)).toThrow(/BatchNorm1d: unknown option "track_running_stats"; did you mean "trackRunningStats"\?/);
    expect(() => new BatchNorm2d(0)).toThrow(/BatchNorm2d: numFeatures must be a positive integer, got 0/);
    expect(() => new BatchNorm1d(3, { eps: -1 })).toThrow(DataError);
    expect(() => new BatchNorm1d(3, { affine: "no" as never })).toThrow(/BatchNorm1d: affine must be true or false/);
    expect(() => new BatchNorm1d(3, { momentum: "0.1" as never })).toThrow(/BatchNorm1d: momentum must be a finite number/);
  });

  it("prints as PyTorch does, in camelCase", () => {
    expect(String(new BatchNorm1d(200))).toBe("BatchNorm1d(200, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)");
    expect(String(new BatchNorm2d(3, { momentum: null, affine: false }))).toBe("BatchNorm2d(3, eps=0.00001, momentum=null, affine=false, trackRunningStats=true)");
    expect(String(new Sequential(new LayerNorm([3, 4], { elementwiseAffine: false })))).toBe("Sequential(\n  (0): LayerNorm([3, 4], eps=0.00001, elementwiseAffine=false)\n)");
  });
});

describe("LayerNorm semantics", () => {
  it("starts with weight ones and bias zeros of normalizedShape", () => {
    const ln = new LayerNorm([2, 3]);
    expect(ln.weight!.toArray()).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(ln.bias!.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(Object.keys(new LayerNorm(3, { elementwiseAffine: false }).stateDict())).toEqual([]);
  });

  it("is the same in train and eval mode", () => {
    const ln = new LayerNorm(5);
    const x = randn([2, 5], { seed: 9 });
    expect(ln.eval().forward(x).toArray()).toEqual(ln.train().forward(x).toArray());
  });

  it("refuses an input whose trailing dimensions are not normalizedShape, naming both", () => {
    const ln = new LayerNorm([3, 4]);
    expect(() => ln.forward(randn([2, 4, 3]))).toThrow("LayerNorm: expected input [*, 3, 4], got [2,4,3]");
    expect(() => ln.forward(randn([4]))).toThrow(ShapeError);
    expect(() => new LayerNorm([])).toThrow(/LayerNorm: normalizedShape must be a positive integer or a non-empty array/);
    expect(() => new LayerNorm(4, { elementwise_affine: false } as never)).toThrow(/did you mean "elementwiseAffine"/);
  });
});
