import { describe, expect, it } from "vitest";
import { DataError, zeros } from "@tapegrad/autograd";
import { init } from "../src/index.js";

// torch.nn.init.kaiming_uniform_(w, a=…, mode='fan_in', nonlinearity='relu'), camelCased.
describe("init options", () => {
  it("unknown keys name the key and suggest the close one", () => {
    const w = zeros(4, 3);
    expect(() => init.normal(w, { sd: 2 } as never)).toThrow('init.normal: unknown option "sd"; did you mean "std"?');
    expect(() => init.xavierUniform(w, { gains: 2 } as never)).toThrow('init.xavierUniform: unknown option "gains"; did you mean "gain"?');
    expect(() => init.kaimingNormal(w, { non_linearity: "relu" } as never)).toThrow('did you mean "nonlinearity"?');
  });

  it("PyTorch's mode string fan_in is refused with the camelCase spelling", () => {
    expect(() => init.kaimingUniform(zeros(4, 3), { mode: "fan_in" } as never)).toThrow('init.kaimingUniform: mode must be "fanIn" or "fanOut", got "fan_in"; did you mean "fanIn"?');
  });

  it("numbers must be numbers", () => {
    expect(() => init.uniform(zeros(3), { low: "-1" } as never)).toThrow('init.uniform: low must be a finite number, got "-1"');
    expect(() => init.normal(zeros(3), { std: -1 })).toThrow(DataError);
  });

  it("kaimingUniform with mode fanOut and relu stays inside √(6 / fanOut)", () => {
    const w = init.kaimingUniform(zeros(50, 8), { mode: "fanOut", nonlinearity: "relu", seed: 1 });
    const bound = Math.sqrt(6 / 50);
    const values = (w.toArray() as number[][]).flat();
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.9 * bound);
  });
});
