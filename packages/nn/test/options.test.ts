import { describe, expect, it } from "vitest";
import { DataError } from "@tapegrad/autograd";
import { checkOptions, suggestName } from "../src/options.js";

describe("checkOptions", () => {
  const allowed = ["lr", "weightDecay", "momentum", "nesterov"] as const;
  it("gives {} for undefined and the object itself otherwise", () => {
    expect(checkOptions("op", undefined, allowed)).toEqual({});
    const o = { lr: 1, momentum: 0.9 };
    expect(checkOptions("op", o, allowed)).toBe(o);
  });
  it.each([null, 3, "lr", [1, 2], true])("rejects the non-object %j with a DataError naming the op", (value) => {
    expect(() => checkOptions("Thing", value, allowed)).toThrow(DataError);
    expect(() => checkOptions("Thing", value, allowed)).toThrow(/^Thing: options must be an object/);
  });
  it("names an unknown key and suggests the close one", () => {
    expect(() => checkOptions("Adam", { weight_decay: 0 }, allowed)).toThrow('Adam: unknown option "weight_decay"; did you mean "weightDecay"?');
  });
  it("lists the allowed keys when none is close", () => {
    expect(() => checkOptions("op", { zzz: 0 }, allowed)).toThrow('op: unknown option "zzz"; expected one of "lr", "weightDecay", "momentum", "nesterov"');
  });
});

describe("suggestName", () => {
  const allowed = ["lr", "weightDecay", "momentum", "nesterov", "initialAccumulatorValue", "centered"];
  it.each([
    ["weight_decay", "weightDecay"], // snake_case → camelCase
    ["initial_accumulator_value", "initialAccumulatorValue"],
    ["WEIGHTDECAY", "weightDecay"], // case only
    ["momentun", "momentum"], // one substitution
    ["nestrov", "nesterov"], // one deletion
    ["centred", "centered"], // two edits in a long name
    ["Lr", "lr"],
  ])("%s → %s", (key, want) => {
    expect(suggestName(key, allowed)).toBe(want);
  });
  it.each(["xy", "beta", "gamma", "momentumBuffer"])("suggests nothing for %s", (key) => {
    expect(suggestName(key, allowed)).toBeUndefined();
  });
});
