import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { Tensor, tensor } from "@tapegrad/autograd";

// Reading the layer fixtures of scripts/torch_layer_cases/*.py and comparing with them.

/** A tensor as the fixtures store it: its shape and its values in row-major order. */
export interface Flat {
  shape: number[];
  values: number[];
}

/** The fixture file torch-layers-<family>.json. */
export function loadLayerFixture<T>(family: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/torch-layers-${family}.json`, import.meta.url), "utf8")) as T;
}

/** A tensor from its stored form. */
export const decode = (f: Flat, options: { requiresGrad?: boolean } = {}): Tensor => tensor(Float64Array.from(f.values), { shape: f.shape, ...options });

/**
 * Expects `actual` to have the stored shape and values within `rtol` relative to the
 * largest |value| of the expected tensor. Relative to the largest entry rather than to
 * each: PyTorch computes batch and layer norm as x·(γ/σ) + (β − μγ/σ), whose entries near
 * zero are differences of terms as large as the largest ones, so their rounding error is
 * of that size (1e-16 of it), not of their own. Where a whole tensor is such a difference
 * (every entry cancels), `termScale` gives the size of the terms, computed by the caller.
 */
export function expectClose(actual: Tensor | null | undefined, expected: Flat, rtol = 1e-12, what = "", termScale = 0): void {
  expect(actual, what).toBeInstanceOf(Tensor);
  expect(actual!.shape, what).toEqual(expected.shape);
  const a = actual!.toFloat64Array();
  const scale = expected.values.reduce((m, v) => Math.max(m, Math.abs(v)), termScale);
  let worst = 0;
  expected.values.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(a[i]! - v));
  });
  expect(worst, `${what}: largest difference ${worst} against a largest entry of ${scale}`).toBeLessThanOrEqual(rtol * Math.max(scale, 1e-300));
}
