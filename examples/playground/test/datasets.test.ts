import { describe, expect, it } from "vitest";
import { DOMAIN, FEATURE_FUNCTIONS, featureMatrix, gridPoints, makeDataset, multiGaussTarget, splitPoints, type Points } from "../src/datasets.js";
import { CLASSIFICATION_SETS, FEATURES, REGRESSION_SETS } from "../src/state.js";

const rows = (p: Points) => Array.from(p.label, (label, i) => ({ x: p.xy[2 * i]!, y: p.xy[2 * i + 1]!, label }));

describe("playground data sets", () => {
  it.each(CLASSIFICATION_SETS)("%s: 500 points, labels 0 and 1 in about equal numbers", (name) => {
    const p = makeDataset(name, 0, 7);
    expect(p.label.length).toBe(500);
    expect(p.xy.length).toBe(1000);
    const ones = p.label.filter((l) => l === 1).length;
    expect(p.label.every((l) => l === 0 || l === 1)).toBe(true);
    expect(ones).toBeGreaterThan(200);
    expect(ones).toBeLessThan(300);
  });

  it.each(REGRESSION_SETS)("%s: 1200 points inside the square, targets in [−1, 1]", (name) => {
    const p = makeDataset(name, 20, 7);
    expect(p.label.length).toBe(1200);
    expect(p.xy.every((v) => Math.abs(v) <= DOMAIN)).toBe(true);
    expect(p.label.every((l) => l >= -1 && l <= 1)).toBe(true);
  });

  it.each(["circle", "xor", "spiral", "moons", "plane", "multigauss"] as const)("%s without noise lies inside the square", (name) => {
    expect(makeDataset(name, 0, 3).xy.every((v) => Math.abs(v) <= DOMAIN)).toBe(true);
  });

  it("labels follow each set's rule; noise flips some circle and XOR labels but moves no point", () => {
    const circleRule = (r: { x: number; y: number }) => (Math.hypot(r.x, r.y) < 2.5 ? 1 : 0);
    const xorRule = (r: { x: number; y: number }) => (r.x * r.y >= 0 ? 1 : 0);
    for (const r of rows(makeDataset("circle", 0, 1))) expect(r.label).toBe(circleRule(r));
    for (const r of rows(makeDataset("xor", 0, 1))) expect(r.label).toBe(xorRule(r));
    for (const [name, rule] of [["circle", circleRule], ["xor", xorRule]] as const) {
      const noisy = rows(makeDataset(name, 30, 1));
      const wrong = noisy.filter((r) => r.label !== rule(r)).length;
      expect(wrong, name).toBeGreaterThan(10);
      expect(wrong, name).toBeLessThan(200);
      expect(noisy.every((r) => Math.abs(r.x) <= 5.3 && Math.abs(r.y) <= 5.3)).toBe(true);
    }
    for (const r of rows(makeDataset("plane", 0, 1))) expect(r.label).toBeCloseTo(Math.max(-1, Math.min(1, (r.x + r.y) / 10)), 12);
    for (const r of rows(makeDataset("multigauss", 0, 1))) expect(r.label).toBe(multiGaussTarget(r.x, r.y));
    // The bumps: +1 at (−4, 2.5), −1 at (0, 2.5), nothing far from all of them.
    expect(multiGaussTarget(-4, 2.5)).toBe(1);
    expect(multiGaussTarget(0, 2.5)).toBe(-1);
    expect(multiGaussTarget(2, 0)).toBe(0);
  });

  it("Gaussian blobs sit around (2, 2) for class 1 and (−2, −2) for class 0", () => {
    const r = rows(makeDataset("gauss", 0, 2));
    const mean = (label: number, key: "x" | "y") => r.filter((p) => p.label === label).reduce((s, p) => s + p[key], 0) / 250;
    expect(mean(1, "x")).toBeCloseTo(2, 0);
    expect(mean(1, "y")).toBeCloseTo(2, 0);
    expect(mean(0, "x")).toBeCloseTo(-2, 0);
  });

  it("spiral arms are point reflections of each other", () => {
    const p = rows(makeDataset("spiral", 0, 2));
    for (let i = 1; i < 250; i += 37) {
      expect(p[250 + i]!.x).toBeCloseTo(-p[i]!.x, 12);
      expect(p[250 + i]!.y).toBeCloseTo(-p[i]!.y, 12);
    }
  });

  it("the same seed gives the same points; another seed other points", () => {
    expect(makeDataset("spiral", 20, 5)).toEqual(makeDataset("spiral", 20, 5));
    expect(makeDataset("spiral", 20, 6).xy).not.toEqual(makeDataset("spiral", 20, 5).xy);
  });

  it("a split puts every point on exactly one side, in the ratio asked for", () => {
    const p = makeDataset("xor", 0, 1);
    const { train, test } = splitPoints(p, 30, 4);
    expect(train.label.length).toBe(150);
    expect(test.label.length).toBe(350);
    const key = (r: { x: number; y: number }) => `${r.x},${r.y}`;
    const all = [...rows(train), ...rows(test)].map(key).sort();
    expect(all).toEqual(rows(p).map(key).sort());
  });

  it("feature columns are the features' formulas, in the order chosen", () => {
    const xy = Float64Array.from([1.5, -2, 0.25, 3]);
    const m = featureMatrix(xy, ["sinx2", "x1x2", "x1sq"]);
    expect([...m]).toEqual([Math.sin(-2), -3, 2.25, Math.sin(3), 0.75, 0.0625]);
    for (const f of FEATURES) expect(FEATURE_FUNCTIONS[f].title.length).toBeGreaterThan(0);
  });

  it("the lattice runs left to right, then top to bottom, over cell centres", () => {
    const g = gridPoints(4);
    expect([g[0], g[1]]).toEqual([-4.5, 4.5]);
    expect([g[2], g[3]]).toEqual([-1.5, 4.5]);
    expect([g[30], g[31]]).toEqual([4.5, -4.5]);
  });
});
