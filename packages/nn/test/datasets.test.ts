import { describe, expect, it } from "vitest";
import { DataError, arange } from "@tapegrad/autograd";
import { data } from "../src/index.js";

// sklearn habits: make_moons(n_samples=…, noise=…), train_test_split(X, y, test_size=…).
describe("makeMoons / makeCircles / trainTestSplit options", () => {
  it("snake_case keys are errors that suggest the camelCase name", () => {
    expect(() => data.makeMoons({ n_samples: 50 } as never)).toThrow('makeMoons: unknown option "n_samples"; did you mean "nSamples"?');
    expect(() => data.makeCircles({ nSamples: 10, factr: 0.5 } as never)).toThrow('makeCircles: unknown option "factr"; did you mean "factor"?');
    const ds = data.makeMoons({ nSamples: 20, seed: 0 });
    expect(() => data.trainTestSplit(ds, { test_size: 0.2 } as never)).toThrow('trainTestSplit: unknown option "test_size"; did you mean "testSize"?');
    expect(() => data.trainTestSplit(arange(0, 8), arange(0, 8), { random_state: 0 } as never)).toThrow(DataError);
  });

  it("the options that exist still work: nSamples and testSize", () => {
    const ds = data.makeCircles({ nSamples: 40, noise: 0.05, factor: 0.5, seed: 3 });
    expect(ds.X.shape).toEqual([40, 2]);
    const { train, test } = data.trainTestSplit(ds, { testSize: 0.25, seed: 0 });
    expect([train.X.shape[0], test.X.shape[0]]).toEqual([30, 10]);
  });

  it("numbers must be numbers and flags booleans", () => {
    expect(() => data.makeMoons({ nSamples: "100" } as never)).toThrow('makeMoons: nSamples must be a positive integer, got "100"');
    expect(() => data.makeMoons({ noise: "0.1" } as never)).toThrow(/noise must be a finite number ≥ 0, got "0.1"/);
    expect(() => data.makeMoons({ shuffle: 0 } as never)).toThrow("makeMoons: shuffle must be true or false, got 0");
    const ds = data.makeMoons({ nSamples: 20, seed: 0 });
    expect(() => data.trainTestSplit(ds, { shuffle: "no" } as never)).toThrow('trainTestSplit: shuffle must be true or false, got "no"');
    expect(() => data.trainTestSplit(ds, { testSize: "0.2" } as never)).toThrow(/testSize must be a fraction in \(0, 1\) or a positive row count, got "0.2"/);
  });
});
