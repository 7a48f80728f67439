import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSafetensors } from "@tapegrad/nn";
import { defaults, loadDigits, mistakes, run, type TrainOptions } from "../src/index.js";
import { findAll, parseSvg, texts } from "./svg-helpers.js";

describe("run", () => {
  const out = mkdtempSync(join(tmpdir(), "digits-"));
  const options: TrainOptions = { ...defaults, model: "mlp", epochs: 2, trainSamples: 1000, schedule: "constant", out };
  const lines: string[] = [];
  const { result, outputs } = run(options, (l) => lines.push(...l.split("\n")), { step: () => {}, epoch: () => {} }, loadDigits());

  it("ends its log with the test accuracy", () => {
    expect(lines[lines.length - 1]).toBe(`test accuracy ${(result.evaluation.accuracy * 100).toFixed(1)}%`);
    expect(lines[lines.length - 1]).toMatch(/^test accuracy \d{2}\.\d%$/);
    expect(lines.join("\n")).toContain(`wrote ${outputs.curves}`);
  });

  it("writes the curves with one point per epoch", () => {
    const svg = parseSvg(readFileSync(outputs.curves, "utf8"));
    const testAccuracy = findAll(svg, "path").find((p) => p.id === "test-accuracy")!;
    expect(String(testAccuracy.d).split(/[ML]/).filter((s) => s.trim()).length).toBe(2);
  });

  it("writes a confusion matrix whose counts add up to the test set and match the predictions", () => {
    const svg = parseSvg(readFileSync(outputs.confusion, "utf8"));
    const cells = findAll(svg, "g").filter((g) => g.class === "cell");
    expect(cells).toHaveLength(100);
    const count = (g: Record<string, unknown>) => Number(g["data-count"]);
    expect(cells.reduce((s, g) => s + count(g), 0)).toBe(2000);
    const labels = result.test.y.toFloat64Array();
    const correct = labels.filter((l, i) => result.evaluation.predicted[i] === l).length;
    expect(cells.filter((g) => g["data-true"] === g["data-predicted"]).reduce((s, g) => s + count(g), 0)).toBe(correct);
    expect(correct / 2000).toBe(result.evaluation.accuracy);
  });

  it("draws misclassified test digits only, with their predicted and true labels, most confident first", () => {
    const wrong = mistakes(result);
    expect(wrong.length).toBe(Math.min(48, 2000 - Math.round(result.evaluation.accuracy * 2000)));
    for (let i = 1; i < wrong.length; i++) expect(wrong[i]!.confidence).toBeLessThanOrEqual(wrong[i - 1]!.confidence);
    const svg = parseSvg(readFileSync(outputs.misclassified, "utf8"));
    const digits = findAll(svg, "g").filter((g) => g.class === "digit");
    expect(digits).toHaveLength(wrong.length);
    for (const g of digits) expect(g["data-predicted"]).not.toBe(g["data-true"]);
    expect(texts(digits[0]!)[1]).toBe(`true ${wrong[0]!.actual}`);
  });

  it("saves weights that load back bit-exactly", () => {
    const loaded = loadSafetensors(outputs.weights);
    const state = result.model.stateDict();
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(state).sort());
    expect(Object.keys(state).sort()).toEqual(["1.bias", "1.weight", "3.bias", "3.weight"]);
    for (const [key, t] of Object.entries(state)) expect(loaded[key]!.toFloat64Array()).toEqual(t.toFloat64Array());
  });
});
