import { Generator, manualSeed, tensor } from "@tapegrad/autograd";
import { CrossEntropyLoss } from "@tapegrad/nn";
import { describe, expect, it } from "vitest";
import { Vocabulary, contextWindows, loadNames } from "../../names/src/data.js";
import { Mlp } from "../../names/src/models.js";
import { explainNames } from "../src/index.js";
import { drawnBoxes } from "./svg-boxes.js";
import { expectTraceMatchesBackward } from "./trace-gradients.js";

/** The batch explainNames draws for seed 0, rebuilt from the names example: 4 windows of 3 token ids and their next tokens. */
function batch(): { contexts: number[][]; targets: number[]; vocabularySize: number } {
  const names = loadNames();
  const vocabulary = new Vocabulary(names);
  const windows = contextWindows(names, vocabulary, 3);
  const rows = new Generator(0).permutation(windows.count).slice(0, 4);
  return {
    contexts: rows.map((r) => Array.from(windows.contexts.subarray(r * 3, r * 3 + 3))),
    targets: rows.map((r) => windows.targets[r]!),
    vocabularySize: vocabulary.size,
  };
}

describe("explain --model names", () => {
  const explained = explainNames({ values: true });
  const parameters = explained.model.namedParameters();
  const { contexts, targets, vocabularySize } = batch();

  it("traces the MLP's VJPs from the loss down to the embedding, intermediates named as in makemore", () => {
    const steps = explained.trace.steps;
    const last = steps[steps.length - 1]!;
    expect(last.op).toBe("indexSelect");
    expect(last.inputNames[0]).toBe("embedding.weight");
    expect(last.gradInputs[1]).toBeNull(); // the token ids need no gradient
    const byOutput = new Map(steps.map((s) => [s.outputName, s]));
    expect(byOutput.get("logits")!.op).toBe("linear");
    expect(byOutput.get("logits")!.inputNames).toEqual(["h", "output.weight", "output.bias"]);
    expect(byOutput.get("h")!.op).toBe("tanh");
    expect(byOutput.get("hprebn")!.inputNames).toEqual(["embcat", "hidden.weight"]);
    expect(byOutput.get("hprebn")!.inputShapes).toEqual([[4, 30], [200, 30]]);
    expect(steps.some((s) => s.op === "standardize" && s.inputNames[0] === "hprebn")).toBe(true);
  });

  it("records for every parameter the gradient a plain backward() of the same network gives", () => {
    // The same windows, weights and loss, built again from the names example and run with backward() alone.
    manualSeed(0);
    const model = new Mlp({ vocabularySize, blockSize: 3, embeddingDim: 10, hiddenSize: 200 });
    const loss = new CrossEntropyLoss().forward(model.forward(tensor(contexts)), tensor(targets));
    loss.backward();
    expect(loss.item()).toBe(explained.loss);
    expectTraceMatchesBackward(explained, parameters, model);
  });

  it("gets every parameter's gradient and the logits' again from makemore's manual backprop, to rounding", () => {
    const compared = explained.checks.flatMap((c) => c.compared);
    expect(compared.sort()).toEqual(["logits", ...parameters.map(([name]) => name)].sort());
    for (const check of explained.checks) {
      if (check.compared.length === 0) expect(check.maxDifference).toBeNull();
      else expect(check.maxDifference, check.part).toBeLessThanOrEqual(1e-12);
    }
    expect(explained.checks.map((c) => c.part)).toEqual(["logits", "output Linear", "activation Tanh", "norm BatchNorm1d", "hidden Linear", "reshape", "embedding Embedding"]);
    // Exactly the rows of the characters looked up get a gradient.
    const table = parameters.find(([name]) => name === "embedding.weight")![1].grad!.toArray() as number[][];
    const touched = table.flatMap((row, id) => (row.some((v) => v !== 0) ? [id] : []));
    expect(touched).toEqual([...new Set(contexts.flat())].sort((a, b) => a - b));
  });

  it("draws a well-formed SVG whose boxes are all named, one per op", () => {
    const boxes = drawnBoxes(explained.svg);
    for (const box of boxes) expect(box.label, box.title).not.toBe("");
    const leaves = boxes.filter((b) => b.kind === "leaf").map((b) => b.label);
    expect(leaves.sort()).toEqual(parameters.map(([name]) => name).sort());
    for (const name of ["emb", "embcat", "hprebn", "hpreact", "h", "logits"]) expect(boxes.filter((b) => b.label === name), name).toHaveLength(1);
    expect(boxes.filter((b) => b.kind === "op" || b.kind === "output")).toHaveLength(explained.trace.steps.length);
    expect(drawnBoxes(explainNames({ samples: 20 }).svg)).toHaveLength(boxes.length);
  });

  it("refuses a batch batch norm cannot train on, or too large to read", () => {
    expect(() => explainNames({ samples: 1 })).toThrow(/samples must be an integer from 2 to 256/);
    expect(() => explainNames({ samples: 257 })).toThrow(/got 257/);
  });
});
