import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tensor, gradients, tensor } from "@tapegrad/autograd";
import type { Expressions } from "./torch-ops/expression.js";
import { expressions as elementwise } from "./torch-ops/elementwise.js";
import { expressions as indexing } from "./torch-ops/indexing.js";
import { expressions as reductions } from "./torch-ops/reductions.js";
import { expressions as shape } from "./torch-ops/shape.js";
import { expressions as conv } from "./torch-ops/conv.js";
import { expressions as pooling } from "./torch-ops/pooling.js";
import { expressions as normalization } from "./torch-ops/normalization.js";

// Values and gradients from PyTorch in float64 (scripts/torch-fixtures.py ops, from the
// cases in scripts/torch_op_cases/): each family's expressions are the same formulas op
// for op. Gradients are those of Σ sum(out · w) for the cotangents w stored in the case.
interface Stored {
  shape: number[];
  values: number[];
}
interface Case {
  inputs: (Stored & { kind: "real" | "constant" | "index" | "mask" })[];
  outputs: Stored[];
  cotangents: (number[] | null)[];
  grads: number[][] | null;
}

const families: Record<string, Expressions> = { elementwise, indexing, reductions, shape, conv, pooling, normalization };

/** Relative difference with a floor of 1 on the scale, so values near 0 compare absolutely. */
const difference = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(1, Math.abs(b)));
const TOLERANCE = 1e-12;

function largestDifference(actual: Float64Array, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((v, i) => {
    // NaN and ±Inf must match exactly (difference() of two infinities is NaN).
    if (!Number.isFinite(v) || !Number.isFinite(expected[i]!)) expect(Object.is(v, expected[i]) || (Number.isNaN(v) && Number.isNaN(expected[i]!))).toBe(true);
    else worst = Math.max(worst, difference(v, expected[i]!));
  });
  return worst;
}

for (const [family, expressions] of Object.entries(families)) {
  const cases = JSON.parse(readFileSync(new URL(`./fixtures/torch-ops-${family}.json`, import.meta.url), "utf8")).cases as Record<string, Case>;

  describe(`${family} ops agree with PyTorch (float64, 1e-12 relative)`, () => {
    it("has an expression for every case and a case for every expression", () => {
      expect(Object.keys(expressions).sort()).toEqual(Object.keys(cases).sort());
    });

    for (const [name, stored] of Object.entries(cases)) {
      it(name, () => {
        const inputs = stored.inputs.map((x) => tensor(x.values, { shape: x.shape, requiresGrad: x.kind === "real" }));
        const result = expressions[name]!(...inputs);
        const outputs: readonly Tensor[] = result instanceof Tensor ? [result] : result;
        expect(outputs.length).toBe(stored.outputs.length);
        outputs.forEach((out, k) => {
          expect(out.shape).toEqual(stored.outputs[k]!.shape);
          expect(largestDifference(out.toFloat64Array(), stored.outputs[k]!.values)).toBeLessThanOrEqual(TOLERANCE);
        });
        if (stored.grads === null) return;
        const differentiable = inputs.filter((x) => x.requiresGrad);
        const terms = outputs.flatMap((out, k) => (out.requiresGrad && stored.cotangents[k] ? [out.mul(tensor(stored.cotangents[k]!, { shape: [...out.shape] })).sum()] : []));
        const total = terms.reduce((a, b) => a.add(b));
        const grads = gradients(total, differentiable);
        grads.forEach((g, i) => expect(largestDifference(g.toFloat64Array(), stored.grads![i]!)).toBeLessThanOrEqual(TOLERANCE));
      });
    }
  });
}
