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

  it("draws the graph as well-formed SVG with the parameters, the data and the targets named", () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain(">0.weight<");
    expect(svg).toContain(">8.bias<");
    expect(svg).toMatch(/<g class="constant" id="n\d+"><title>X \[4,2\]<\/title>/);
    expect(svg).toMatch(/<g class="constant" id="n\d+"><title>Y \[4,1\]<\/title>/);
  });

  it("names where each gradient went, and with values records every element of each gradient", () => {
    const first = trace.steps[trace.steps.length - 1]!;
    expect(first.inputNames).toEqual(["X", "0.weight", "0.bias"]);
    expect(trace.steps[1]!.inputNames).toEqual(["#2 sigmoid", "Y"]);
    expect(first.gradInputs[1]!.values).toBeUndefined();
    const withValues = explain({ values: true });
    const last = withValues.trace.steps[withValues.trace.steps.length - 1]!;
    const dW = last.gradInputs[1]!.values!;
    expect(dW).toHaveLength(25 * 2);
    expect(Math.hypot(...dW)).toBeCloseTo(last.gradInputs[1]!.norm, 15);
    // Same seed, same network, same gradient as the run without values.
    expect(last.gradInputs[1]!.norm).toBe(first.gradInputs[1]!.norm);
    expect(String(withValues.trace)).toMatch(/∂0\.bias\s+25 values: min/);
  });
});
