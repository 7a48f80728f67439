import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { Tensor } from "@tapegrad/autograd";
import { Generator, NDArray } from "@tapegrad/tensor";
import { PIXELS, loadDigits, shiftImages, stratifiedSplit, toTensors } from "../src/index.js";

const digits = loadDigits();

describe("loadDigits", () => {
  it("reads the 10,000 digits of the mnist package: 28×28 images, labels 0–9, every class present", () => {
    expect(digits.count).toBe(10_000);
    expect(digits.pixels.length).toBe(10_000 * 28 * 28);
    expect(digits.labels.length).toBe(10_000);
    const counts = new Array<number>(10).fill(0);
    for (const label of digits.labels) counts[label]!++;
    expect(counts.reduce((s, c) => s + c, 0)).toBe(10_000);
    // Real MNIST: each digit is 8–12% of the data.
    for (const c of counts) expect(c).toBeGreaterThan(800);
    for (const c of counts) expect(c).toBeLessThan(1200);
  });

  it("restores the grey levels the package stores divided by 255 and rounded to 3 decimals", () => {
    // The package's own accessor, independent of our loader: mnist[d].raw is digit d's flat array.
    const mnist = createRequire(import.meta.url)("mnist") as { raw: number[]; length: number }[];
    let image = 0;
    let worst = 0;
    for (let d = 0; d < 10; d++) {
      const raw = mnist[d]!.raw;
      for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs(digits.pixels[image * PIXELS + i]! / 255 - raw[i]!));
      for (let k = 0; k < mnist[d]!.length; k++) expect(digits.labels[image + k]).toBe(d);
      image += mnist[d]!.length;
    }
    expect(worst).toBeLessThanOrEqual(0.0005 + 1e-12);
    // Ink and background both occur: the range is the full 0–255.
    expect(Math.min(...digits.pixels.subarray(0, 100 * PIXELS))).toBe(0);
    expect(Math.max(...digits.pixels.subarray(0, 100 * PIXELS))).toBe(255);
  });
});

describe("stratifiedSplit", () => {
  const split = stratifiedSplit(digits.labels, { testSize: 2000, seed: 0 });

  it("gives 8,000 train and 2,000 test digits, disjoint and covering all", () => {
    expect(split.train.length).toBe(8000);
    expect(split.test.length).toBe(2000);
    const all = new Set([...split.train, ...split.test]);
    expect(all.size).toBe(10_000);
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(9999);
  });

  it("is balanced: each class gives 20% of its digits to the test set, to within one digit", () => {
    for (let d = 0; d < 10; d++) {
      const inClass = digits.labels.filter((l) => l === d).length;
      const inTest = split.test.filter((i) => digits.labels[i] === d).length;
      expect(Math.abs(inTest - inClass * 0.2)).toBeLessThan(1);
    }
  });

  it("is seeded: the same seed gives the same split, another seed another one", () => {
    expect(stratifiedSplit(digits.labels, { testSize: 2000, seed: 0 })).toEqual(split);
    const other = stratifiedSplit(digits.labels, { testSize: 2000, seed: 1 });
    expect(other.test).not.toEqual(split.test);
    expect(new Set(other.test).size).toBe(2000);
  });

  it("shuffles the classes together, so a batch is not all one digit", () => {
    const firstLabels = new Set(split.train.slice(0, 64).map((i) => digits.labels[i]));
    expect(firstLabels.size).toBe(10);
  });

  it("rejects a test size that leaves a side empty", () => {
    expect(() => stratifiedSplit([0, 1, 0, 1], { testSize: 4, seed: 0 })).toThrow(/testSize must be an integer in \(0, 4\)/);
    expect(() => stratifiedSplit([0, 1, 0, 1], { testSize: 0, seed: 0 })).toThrow(/testSize/);
  });
});

describe("toTensors", () => {
  it("makes [n, 1, 28, 28] images in [0, 1] and [n] class indices", () => {
    const indices = [0, 5000, 9999];
    const { X, y } = toTensors(digits, indices);
    expect(X.shape).toEqual([3, 1, 28, 28]);
    expect(y.shape).toEqual([3]);
    expect(y.toArray()).toEqual(indices.map((i) => digits.labels[i]));
    const values = X.toFloat64Array();
    expect(Math.min(...values)).toBe(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    expect(values[PIXELS + 300]).toBe(digits.pixels[5000 * PIXELS + 300]! / 255);
  });
});

describe("shiftImages", () => {
  it("moves each image by whole pixels within the limit, keeping a pixel away from the border", () => {
    const n = 50;
    const data = new Float64Array(n * PIXELS);
    for (let b = 0; b < n; b++) data[b * PIXELS + 14 * 28 + 14] = 1;
    const shifted = shiftImages(new Tensor(new NDArray(data, [n, 1, 28, 28])), 2, new Generator(3)).toFloat64Array();
    const offsets = new Set<string>();
    for (let b = 0; b < n; b++) {
      const image = shifted.subarray(b * PIXELS, (b + 1) * PIXELS);
      const at = image.indexOf(1);
      expect(image.reduce((s, v) => s + v, 0)).toBe(1);
      const [dy, dx] = [Math.floor(at / 28) - 14, (at % 28) - 14];
      expect(Math.abs(dx)).toBeLessThanOrEqual(2);
      expect(Math.abs(dy)).toBeLessThanOrEqual(2);
      offsets.add(`${dx},${dy}`);
    }
    // 50 draws from 25 offsets: many distinct ones.
    expect(offsets.size).toBeGreaterThan(10);
  });

  it("fills what moves in from outside with background, and a shift of 0 is the identity", () => {
    const image = new Tensor(new NDArray(new Float64Array(PIXELS).fill(1), [1, 1, 28, 28]));
    const shifted = shiftImages(image, 3, new Generator(0)).toFloat64Array();
    const zeros = shifted.filter((v) => v === 0).length;
    // An image of ones shifted by (dx, dy) keeps (28 − |dx|)(28 − |dy|) ones.
    const ones = PIXELS - zeros;
    const fits = [0, 1, 2, 3].flatMap((a) => [0, 1, 2, 3].map((b) => (28 - a) * (28 - b)));
    expect(fits).toContain(ones);
    expect(shiftImages(image, 0, new Generator(0))).toBe(image);
  });
});
