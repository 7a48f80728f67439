import { describe, expect, it } from "vitest";
import { DataError } from "@tapegrad/autograd";
import { Dense, Linear } from "../src/index.js";

// nn.Linear(2, 3, bias=False) from habit.
describe("Dense options", () => {
  it("bias: false drops the bias; an unknown key is an error naming it", () => {
    expect(new Linear(2, 3, { bias: false }).bias).toBeNull();
    expect(() => new Dense(2, 3, { Bias: false } as never)).toThrow('Dense: unknown option "Bias"; did you mean "bias"?');
    expect(() => new Dense(2, 3, { use_bias: false } as never)).toThrow(DataError);
  });

  it("bias must be a boolean: bias: 0 or 'false' does not silently keep or drop it", () => {
    expect(() => new Dense(2, 3, { bias: 0 } as never)).toThrow("Dense: bias must be true or false, got 0");
    expect(() => new Dense(2, 3, { bias: "false" } as never)).toThrow('Dense: bias must be true or false, got "false"');
  });

  it("the same seed gives the same weights", () => {
    expect(new Dense(2, 3, { seed: 5 }).weight.toArray()).toEqual(new Dense(2, 3, { seed: 5 }).weight.toArray());
  });
});
