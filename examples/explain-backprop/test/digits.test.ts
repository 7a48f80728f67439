import { Tensor, manualSeed } from "@tapegrad/autograd";
import { CrossEntropyLoss } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { loadDigits, stratifiedSplit, toTensors } from "../../digits/src/data.js";
import { buildModel } from "../../digits/src/train.js";
import { explainDigits } from "../src/index.js";
import { drawnBoxes } from "./svg-boxes.js";
import { expectTraceMatchesBackward } from "./trace-gradients.js";

describe("explain --model digits", () => {
  const explained = explainDigits({ values: true });
  const parameters = explained.model.namedParameters();

  it("traces the convnet's VJPs from the loss down to the first convolution", () => {
    const ops = explained.trace.steps.map((s) => s.op);
    expect(ops.filter((op) => op === "conv2d")).toHaveLength(2);
    expect(ops.filter((op) => op === "maxPool2d")).toHaveLength(2);
    expect(ops.filter((op) => op === "linear")).toHaveLength(3);
    const last = explained.trace.steps[explained.trace.steps.length - 1]!;
    expect(last.op).toBe("conv2d");
    expect(last.inputNames).toEqual(["X", "0.weight", "0.bias"]);
    expect(last.inputShapes[0]).toEqual([4, 1, 28, 28]);
    expect(last.gradInputs[0]).toBeNull(); // the images need no gradient
  });

  it("records for every parameter the gradient a plain backward() of the same network gives", () => {
    // The same network, weights and digits, built again and run with backward() alone.
    const digits = loadDigits();
    const { X, y } = toTensors(digits, stratifiedSplit(digits.labels, { testSize: 4, seed: 0 }).test);
    manualSeed(0);
    const model = buildModel("cnn");
    const loss = new CrossEntropyLoss().forward(model.forward(X) as Tensor, y);
    loss.backward();
    expect(loss.item()).toBe(explained.loss);
    expectTraceMatchesBackward(explained, parameters, model);
  });

  it("gets every parameter's gradient and the logits' again from the hand-written formulas, to rounding", () => {
    const compared = explained.checks.flatMap((c) => c.compared);
    expect(compared.sort()).toEqual(["logits", ...parameters.map(([name]) => name)].sort());
    expect(explained.checks[0]!.formulas).toEqual(["dZ = (softmax(Z) − onehot(y)) / n"]);
    for (const check of explained.checks) {
      if (check.compared.length === 0) expect(check.maxDifference).toBeNull();
      else expect(check.maxDifference, check.part).toBeLessThanOrEqual(1e-12);
    }
    // One step per layer, from the top down.
    expect(explained.checks.map((c) => c.part)).toEqual([
      "logits",
      "11 Dense",
      "10 ReLU",
      "9 Dense",
      "8 ReLU",
      "7 Dense",
      "6 Flatten",
      "5 MaxPool2d",
      "4 ReLU",
      "3 Conv2d",
      "2 MaxPool2d",
      "1 ReLU",
      "0 Conv2d",
    ]);
  });

  it("draws a well-formed SVG whose boxes are all named, one per op, whatever the batch size", () => {
    const boxes = drawnBoxes(explained.svg);
    for (const box of boxes) expect(box.label, box.title).not.toBe("");
    const leaves = boxes.filter((b) => b.kind === "leaf").map((b) => b.label);
    expect(leaves.sort()).toEqual(parameters.map(([name]) => name).sort());
    expect(boxes.some((b) => b.kind === "constant" && b.label === "X" && b.detail === "[4,1,28,28]")).toBe(true);
    expect(boxes.some((b) => b.label === "logits" && b.detail === "linear [4,10]")).toBe(true);
    const ops = boxes.filter((b) => b.kind === "op" || b.kind === "output");
    expect(ops).toHaveLength(explained.trace.steps.length);
    // The picture grows with the layers, not with the batch.
    expect(drawnBoxes(explainDigits({ samples: 9 }).svg)).toHaveLength(boxes.length);
  });

  it("refuses a batch outside its bounds", () => {
    expect(() => explainDigits({ samples: 0 })).toThrow(/samples must be an integer from 1 to 32/);
    expect(() => explainDigits({ samples: 33 })).toThrow(/got 33/);
  });
});
