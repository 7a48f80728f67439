import { describe, expect, it } from "vitest";
import { Tensor, manualSeed, noGrad, tensor } from "@tapegrad/autograd";
import { Dense, Module } from "@tapegrad/nn";
import { buildModel, defaults, evaluate, loadDigits, presets, train, type TrainOptions } from "../src/index.js";

const digits = loadDigits();

describe("buildModel", () => {
  it("builds the 784-128-10 MLP and the LeNet-style CNN with their parameter counts", () => {
    const count = (m: Module) => m.parameters().reduce((s, p) => s + p.size, 0);
    manualSeed(0);
    expect(count(buildModel("mlp"))).toBe(784 * 128 + 128 + 128 * 10 + 10);
    // conv 1→8 5×5, conv 8→16 5×5, 256-120, 120-84, 84-10, with biases.
    expect(count(buildModel("cnn"))).toBe(8 * 25 + 8 + 16 * 8 * 25 + 16 + 256 * 120 + 120 + 120 * 84 + 84 + 84 * 10 + 10);
    const x = tensor(new Float64Array(3 * 784), { shape: [3, 1, 28, 28] });
    for (const name of ["mlp", "cnn"] as const) expect((noGrad(() => buildModel(name).forward(x)) as Tensor).shape).toEqual([3, 10]);
  });
});

describe("evaluate", () => {
  it("gives the accuracy, mean cross-entropy and predictions of a model it can check by hand", () => {
    // A fixed linear model on 2 inputs whose logits are easy to write down.
    const model = new Dense(2, 10);
    noGrad(() => {
      model.weight.fill_(0);
      model.bias!.fill_(0);
    });
    const W = model.weight;
    noGrad(() => W.copy_(tensor(Array.from({ length: 10 }, (_, c) => [c === 3 ? 5 : 0, c === 7 ? 5 : 0]))));
    const X = tensor([[1, 0], [0, 1], [1, 0], [0, 0]]);
    const y = tensor([3, 7, 7, 0]);
    const result = evaluate(model, { X, y }, 3);
    expect(Array.from(result.predicted)).toEqual([3, 7, 3, 0]);
    expect(result.accuracy).toBe(0.75);
    // Row [5, 0, …] over 10 classes: log-sum-exp = log(e⁵ + 9).
    const lse = Math.log(Math.exp(5) + 9);
    const expected = ((lse - 5) + (lse - 5) + lse + Math.log(10)) / 4;
    expect(result.loss).toBeCloseTo(expected, 12);
    expect(result.confidence[0]).toBeCloseTo(Math.exp(5) / (Math.exp(5) + 9), 12);
  });
});

describe("a short training run", () => {
  // One epoch is too short for the one-cycle warm-up: a constant rate shows learning at once.
  const quick = (model: "mlp" | "cnn"): TrainOptions => ({ ...defaults, ...presets[model]!.options, epochs: 1, trainSamples: 2000, batchSize: 16, schedule: "constant", out: "unused" });

  it.each(["cnn", "mlp"] as const)("%s: one epoch on 2,000 digits lowers the loss and beats chance clearly", (model) => {
    const result = train(quick(model), {}, digits);
    const steps = result.history.stepLoss;
    expect(steps.length).toBe(2000 / 16);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    // Untrained logits are near 0: the loss starts near ln 10 ≈ 2.30.
    expect(steps[0]).toBeGreaterThan(2);
    expect(mean(steps.slice(-10))).toBeLessThan(0.5 * mean(steps.slice(0, 10)));
    expect(result.train.X.shape).toEqual([2000, 1, 28, 28]);
    expect(result.test.X.shape).toEqual([2000, 1, 28, 28]);
    // Chance is 10%.
    expect(result.evaluation.accuracy).toBeGreaterThan(0.75);
    expect(result.history.testAccuracy).toEqual([result.evaluation.accuracy]);
  });

  it("is deterministic for a seed", () => {
    const options = { ...quick("mlp"), trainSamples: 200 };
    const a = train(options, {}, digits);
    const b = train(options, {}, digits);
    expect(b.history.stepLoss).toEqual(a.history.stepLoss);
    expect(train({ ...options, seed: 1 }, {}, digits).history.stepLoss).not.toEqual(a.history.stepLoss);
  });

  it("calls back after every step and every epoch", () => {
    const steps: [number, number, number][] = [];
    const epochs: number[] = [];
    train({ ...quick("mlp"), trainSamples: 100, epochs: 2, batchSize: 50 }, { onStep: (e, s, total) => steps.push([e, s, total]), onEpoch: (e) => epochs.push(e) }, digits);
    expect(steps).toEqual([[1, 1, 2], [1, 2, 2], [2, 1, 2], [2, 2, 2]]);
    expect(epochs).toEqual([1, 2]);
  });
});

// The full runs take about 30 s (cnn) and 12 s (mlp) on a quiet 2-core machine: run with TAPEGRAD_SLOW=1.
describe.skipIf(process.env.TAPEGRAD_SLOW !== "1")("the presets reach their targets (slow)", () => {
  it.each([
    ["cnn", 0.975],
    ["mlp", 0.95],
  ] as const)("%s reaches at least %s test accuracy", (preset, target) => {
    const result = train({ ...defaults, ...presets[preset]!.options }, {}, digits);
    expect(result.evaluation.accuracy).toBeGreaterThanOrEqual(target);
  }, 300_000);
});
