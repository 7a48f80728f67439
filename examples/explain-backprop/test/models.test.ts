import { describe, expect, it } from "vitest";
import { checkSamples, modelNames, models } from "../src/index.js";

describe("the models explain takes", () => {
  it("lists moons first, as the default, then digits and names", () => {
    expect(modelNames).toEqual(["moons", "digits", "names"]);
    expect(models.moons.out).toBe("out/explain-backprop");
    expect(models.digits.out).toBe("out/explain-backprop/digits");
    expect(models.names.out).toBe("out/explain-backprop/names");
  });

  it("accepts a batch inside each model's bounds and names the bounds otherwise", () => {
    for (const name of modelNames) {
      const { minSamples, maxSamples, defaultSamples } = models[name];
      expect(defaultSamples).toBeGreaterThanOrEqual(minSamples);
      expect(defaultSamples).toBeLessThanOrEqual(maxSamples);
      expect(() => checkSamples(name, minSamples)).not.toThrow();
      expect(() => checkSamples(name, maxSamples)).not.toThrow();
      expect(() => checkSamples(name, maxSamples + 1)).toThrow(`explain ${name}: samples must be an integer from ${minSamples} to ${maxSamples}`);
      expect(() => checkSamples(name, minSamples - 1)).toThrow(`got ${minSamples - 1}`);
      expect(() => checkSamples(name, 2.5)).toThrow("got 2.5");
    }
    // Batch norm in training needs two values per feature.
    expect(models.names.minSamples).toBe(2);
  });
});
