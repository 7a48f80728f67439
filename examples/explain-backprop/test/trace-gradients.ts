import type { Module } from "@tapegrad/nn";
import type { BackwardTrace, Tensor } from "@tapegrad/autograd";
import { expect } from "vitest";

/** The part of an explained pass these checks read. */
interface Explained {
  readonly trace: BackwardTrace;
}

/**
 * Asserts that every named parameter's gradient in the trace equals, bit for bit, both the
 * explained model's own `.grad` and the `.grad` of `fresh`: the same network rebuilt and
 * run with a plain backward(). Each parameter is used once, so each appears in one step.
 */
export function expectTraceMatchesBackward(explained: Explained, parameters: readonly (readonly [string, Tensor])[], fresh: Module): void {
  const again = new Map(fresh.namedParameters());
  let seen = 0;
  for (const step of explained.trace.steps) {
    step.inputNames.forEach((name, i) => {
      if (name === null || !again.has(name)) return;
      seen++;
      expect(step.gradInputs[i]!.values, name).toEqual(Array.from(again.get(name)!.grad!.toFloat64Array()));
      const own = parameters.find(([n]) => n === name)![1];
      expect(step.gradInputs[i]!.values, name).toEqual(Array.from(own.grad!.toFloat64Array()));
    });
  }
  expect(seen).toBe(parameters.length);
}
