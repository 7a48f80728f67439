import { describe, expect, it } from "vitest";
import { DataError } from "@tapegrad/autograd";
import { crossEntropySettings, lossOptions, targetShapeHint } from "../src/loss-options.js";

describe("targetShapeHint", () => {
  it.each([
    [[8, 1], [8], "; reshape the target with unsqueeze(1) to [8,1]"],
    [[1, 8], [8], "; reshape the target with unsqueeze(0) to [1,8]"],
    [[8], [8, 1], "; reshape the target with squeeze(1) to [8]"],
    [[4, 2], [2, 4], "; reshape the target with reshape([4,2])"],
    [[4, 2], [3], ""],
  ])("input %j, target %j", (input, target, hint) => {
    expect(targetShapeHint(input, target)).toBe(hint);
  });
});

describe("lossOptions", () => {
  it("takes a bare reduction (the older functional form) or an options object", () => {
    expect(lossOptions("op", "sum", []).reduction).toBe("sum");
    expect(lossOptions("op", undefined, []).reduction).toBe("mean");
    expect(() => lossOptions("op", { reductoin: "sum" }, [])).toThrow('op: unknown option "reductoin"; did you mean "reduction"?');
    expect(() => lossOptions("op", "avg", [])).toThrow(DataError);
  });
  it("crossEntropySettings fills torch's defaults", () => {
    expect(crossEntropySettings("op", {})).toMatchObject({ reduction: "mean", ignoreIndex: -100, labelSmoothing: 0 });
    expect(() => crossEntropySettings("op", { ignoreIndex: 1.5 })).toThrow("op: ignoreIndex must be an integer, got 1.5");
  });
});
