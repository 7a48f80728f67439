import { tensor } from "@tapegrad/autograd";
import { describe, expect, it } from "vitest";
import { checkRow, crossEntropyLogitsGradient } from "../src/index.js";

/** Mean cross-entropy of logits rows against class indices, by the definition −mean log softmax. */
function meanCrossEntropy(logits: number[][], targets: number[]): number {
  let total = 0;
  logits.forEach((row, i) => {
    const normaliser = Math.log(row.reduce((s, z) => s + Math.exp(z), 0));
    total += normaliser - row[targets[i]!]!;
  });
  return total / logits.length;
}

describe("crossEntropyLogitsGradient", () => {
  it("is the derivative of the mean cross-entropy, by central differences", () => {
    const logits = [
      [0.3, -1.2, 2.0, 0.1],
      [1.5, 0.2, -0.7, 0.0],
      [-2.0, 3.1, 0.4, 0.9],
    ];
    const targets = [2, 0, 3];
    const formula = crossEntropyLogitsGradient(tensor(logits), tensor(targets)).toArray() as number[][];
    const h = 1e-6;
    logits.forEach((row, i) =>
      row.forEach((_, c) => {
        const up = logits.map((r) => [...r]);
        const down = logits.map((r) => [...r]);
        up[i]![c]! += h;
        down[i]![c]! -= h;
        const numeric = (meanCrossEntropy(up, targets) - meanCrossEntropy(down, targets)) / (2 * h);
        expect(formula[i]![c]).toBeCloseTo(numeric, 8);
      }),
    );
  });

  it("stays finite for logits whose exponentials overflow", () => {
    const gradient = crossEntropyLogitsGradient(tensor([[1000, 0]]), tensor([1])).toArray() as number[][];
    expect(gradient).toEqual([[1, -1]]);
  });
});

describe("checkRow", () => {
  const graph = tensor([1, 2, 3], { requiresGrad: true });
  graph.mul(tensor([0.5, -1, 2])).sum().backward(); // graph.grad = [0.5, -1, 2]

  it("reports the largest difference from the graph's gradient, and can fail", () => {
    expect(checkRow("x", ["dx = w"], { x: [tensor([0.5, -1, 2]), graph] }).maxDifference).toBe(0);
    // A formula off by a factor (a forgotten 1/n, say) shows as a large difference.
    expect(checkRow("x", ["dx = 2w"], { x: [tensor([1, -2, 4]), graph] }).maxDifference).toBe(2);
  });

  it("counts a gradient of the wrong shape as an infinite difference", () => {
    expect(checkRow("x", ["dx"], { x: [tensor([[0.5, -1, 2]]), graph] }).maxDifference).toBe(Infinity);
  });

  it("compares nothing, and says so, for a step without parameters", () => {
    expect(checkRow("relu", ["dZ = dA ⊙ 1[Z > 0]"])).toEqual({ part: "relu", formulas: ["dZ = dA ⊙ 1[Z > 0]"], compared: [], maxDifference: null });
  });
});
