import { describe, expect, it } from "vitest";
import { DataError, ShapeError, randn } from "@tapegrad/autograd";
import { Flatten, Unflatten } from "../src/index.js";
import { checkAgainstTorch, layerCases, torchRepr } from "./conv-pooling-fixtures.js";

const cases = Object.entries(layerCases("conv")).filter(([, c]) => c.kind === "Flatten" || c.kind === "Unflatten");

describe("Flatten and Unflatten agree with PyTorch", () => {
  it("has the fixture's cases", () => expect(cases.length).toBe(5));
  for (const [name, c] of cases) {
    it(name, () => {
      const layer = c.kind === "Flatten" ? new Flatten(...(c.args as [number, number])) : new Unflatten(...(c.args as [number, number[]]));
      checkAgainstTorch(layer, c);
      expect(layer.toString()).toBe(torchRepr(c.repr));
    });
  }
});

describe("Flatten and Unflatten", () => {
  it("Flatten's defaults keep the batch dimension: [N, C, H, W] → [N, C·H·W]", () => {
    expect(new Flatten().forward(randn([2, 3, 4, 5])).shape).toEqual([2, 60]);
    expect(new Flatten(0).forward(randn([2, 3])).shape).toEqual([6]);
  });

  it("Unflatten undoes Flatten", () => {
    const x = randn([2, 16, 4, 4]);
    const y = new Unflatten(1, [16, 4, 4]).forward(new Flatten().forward(x));
    expect(y.toArray()).toEqual(x.toArray());
  });

  it("refuses dimensions out of range and sizes that do not fit, naming the layer", () => {
    expect(() => new Flatten(2, 1).forward(randn([2, 3, 4]))).toThrow("Flatten: cannot flatten dimensions 2..1 of an input [2,3,4]");
    expect(() => new Flatten(1).forward(randn([3]))).toThrow(ShapeError);
    expect(() => new Flatten(1.5 as never)).toThrow(DataError);
    expect(() => new Unflatten(1, [5, 3]).forward(randn([2, 12]))).toThrow("Unflatten: sizes [5,3] do not fit dimension 1 of size 12 in an input [2,12]");
    expect(() => new Unflatten(1, [-1, -1])).toThrow(DataError);
    expect(() => new Unflatten(3, [2, 2]).forward(randn([2, 4]))).toThrow("Unflatten: dim 3 is out of range for an input [2,4]");
  });
});
