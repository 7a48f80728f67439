import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { explain } from "../src/index.js";

describe("explain-backprop", () => {
  const { trace, layers, svg, loss } = explain();

  it("traces every VJP of the 2-25-50-50-25-1 network in reverse order of the forward pass", () => {
    expect(Number.isFinite(loss)).toBe(true);
    const ops = trace.steps.map((s) => s.op);
    // The mean over samples, BCE, then per layer (top down): the activation and the linear map.
    expect(ops).toEqual(["mean", "binaryCrossEntropy", "sigmoid", "linear", "relu", "linear", "relu", "linear", "relu", "linear", "relu", "linear"]);
    const first = trace.steps[trace.steps.length - 1]!;
    expect(first.inputShapes).toEqual([[4, 2], [25, 2], [25]]);
    expect(first.gradInputs[0]).toBeNull(); // the data needs no gradient
  });

  it("matches the tutorials' formulas on every layer to rounding", () => {
    expect(layers).toHaveLength(5);
    for (const layer of layers) expect(layer.maxDifference).toBeLessThan(1e-14);
    expect(layers[4]!.formulas[0]).toBe("dZ = A − Y");
  });

  it("draws the graph as well-formed SVG with the parameters named", () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain(">0.weight<");
    expect(svg).toContain(">8.bias<");
  });
});
