import { describe, expect, it } from "vitest";
import { confusionMatrix, confusionMatrixSvg, curvesSvg, digitRects, misclassifiedSvg, runningMean, type History, type Mistake } from "../src/index.js";
import { findAll, parseSvg, texts } from "./svg-helpers.js";

const history: History = {
  stepLoss: Array.from({ length: 30 }, (_, i) => 2.3 * Math.exp(-i / 8) + 0.02),
  stepsPerEpoch: 10,
  epoch: [1, 2, 3],
  trainLoss: [1.2, 0.3, 0.1],
  trainAccuracy: [0.6, 0.92, 0.97],
  testLoss: [0.5, 0.2, 0.12],
  testAccuracy: [0.85, 0.95, 0.975],
  seconds: [1, 1, 1],
};

describe("runningMean", () => {
  it("averages the last `window` values, fewer at the start", () => {
    expect(runningMean([1, 2, 3, 4, 5], 2)).toEqual([1, 1.5, 2.5, 3.5, 4.5]);
    expect(runningMean([4, 8], 5)).toEqual([4, 6]);
  });
});

describe("curvesSvg", () => {
  const svg = parseSvg(curvesSvg(history, "CNN <test>"));

  it("draws the step loss, the per-epoch train and test loss and both accuracies", () => {
    const paths: Record<string, string> = Object.fromEntries(findAll(svg, "path").map((p) => [String(p.id), String(p.d)]));
    expect(Object.keys(paths).sort()).toEqual(["step-loss", "test-accuracy", "test-loss", "train-accuracy", "train-loss"]);
    const points = (d: string) => d.split(/[ML]/).filter((s) => s.trim() !== "").map((s) => s.trim().split(",").map(Number));
    expect(points(paths["step-loss"]!)).toHaveLength(30);
    for (const id of ["train-loss", "test-loss", "train-accuracy", "test-accuracy"]) expect(points(paths[id]!)).toHaveLength(3);
    // Higher accuracy is drawn higher (smaller y); lower loss lower (larger y).
    const testAccuracy = points(paths["test-accuracy"]!);
    expect(testAccuracy[2]![1]).toBeLessThan(testAccuracy[0]![1]!);
    const testLoss = points(paths["test-loss"]!);
    expect(testLoss[2]![1]).toBeGreaterThan(testLoss[0]![1]!);
    for (const [x, y] of Object.values(paths).flatMap(points)) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(900);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(380);
    }
  });

  it("labels its axes, escapes its title and states the final test accuracy", () => {
    const words = texts(svg);
    expect(words).toContain("epoch");
    expect(words).toContain("cross-entropy loss (log scale)");
    expect(words).toContain("accuracy");
    expect(words).toContain("CNN <test>");
    expect(words.join("\n")).toContain("final test accuracy 97.5%");
  });
});

describe("confusion matrix", () => {
  const labels = [0, 0, 1, 1, 1, 2, 2, 2, 2];
  const predicted = [0, 1, 1, 1, 2, 2, 2, 2, 0];

  it("counts (true, predicted) pairs", () => {
    // Counted by hand from the two lists above.
    expect(confusionMatrix(labels, predicted, 3)).toEqual([
      [1, 1, 0],
      [0, 2, 1],
      [1, 0, 3],
    ]);
  });

  it("draws one cell per pair with its count, and each row's share correct", () => {
    const matrix = confusionMatrix(labels, predicted, 3);
    const svg = parseSvg(confusionMatrixSvg(matrix, "3 classes"));
    const cells = findAll(svg, "g").filter((g) => g.class === "cell");
    expect(cells).toHaveLength(9);
    for (const cell of cells) {
      const [t, p] = [Number(cell["data-true"]), Number(cell["data-predicted"])];
      expect(Number(cell["data-count"])).toBe(matrix[t]![p]);
      expect(texts(cell)).toEqual([String(matrix[t]![p])]);
      expect(findAll(cell, "rect")).toHaveLength(1);
    }
    const words = texts(svg);
    expect(words).toEqual(expect.arrayContaining(["predicted digit", "true digit", "50.0%", "66.7%", "75.0%"]));
  });
});

describe("misclassified digits", () => {
  // A vertical bar of full ink in column 10, rows 4–23, and a half-grey pixel.
  const pixels = new Float64Array(784);
  for (let r = 4; r < 24; r++) pixels[r * 28 + 10] = 1;
  pixels[0] = 0.5;

  it("draws a digit's ink as merged grey runs, skipping the background", () => {
    const svg = parseSvg(`<svg xmlns="http://www.w3.org/2000/svg">${digitRects(pixels, 0, 0, 2)}</svg>`);
    const rects = findAll(svg, "rect");
    expect(rects).toHaveLength(21);
    const black = rects.filter((r) => r.fill === "rgb(0,0,0)");
    expect(black).toHaveLength(20);
    expect(black.every((r) => r.x === "20" && r.width === "2" && r.height === "2")).toBe(true);
    // 0.5 is level 8 of 15: grey 255·(1 − 8/15) = 119.
    expect(rects.find((r) => r.x === "0" && r.y === "0")!.fill).toBe("rgb(119,119,119)");
  });

  it("shows each mistake with its prediction and its true digit", () => {
    const mistakes: Mistake[] = Array.from({ length: 11 }, (_, i) => ({ pixels, predicted: i % 10, actual: (i + 3) % 10, confidence: i === 0 ? 0.999 : 0.5 }));
    const svg = parseSvg(misclassifiedSvg(mistakes, { columns: 4, title: "11 mistakes" }));
    const digits = findAll(svg, "g").filter((g) => g.class === "digit");
    expect(digits).toHaveLength(11);
    digits.forEach((g, i) => {
      expect(g["data-predicted"]).toBe(String(i % 10));
      expect(g["data-true"]).toBe(String((i + 3) % 10));
      expect(texts(g)).toEqual([`pred ${i % 10} (${i === 0 ? ">99%" : "50%"})`, `true ${(i + 3) % 10}`]);
      // A frame and the 21 runs of ink.
      expect(findAll(g, "rect")).toHaveLength(22);
    });
    expect(texts(svg)).toContain("11 mistakes");
    const empty = parseSvg(misclassifiedSvg([]));
    expect(texts(empty)).toContain("no test digit was misclassified");
  });
});
