import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { Tensor, gradients, tensor } from "@tapegrad/autograd";
import type { Module } from "../src/index.js";

// Shared by conv.test.ts, pooling.test.ts and flatten.test.ts: the PyTorch layer fixtures
// (scripts/torch_layer_cases/conv.py and pooling.py) and how a case is compared.

export interface Stored {
  shape: number[];
  values: number[];
}

export interface LayerCase {
  kind: string;
  args: unknown[];
  options: Record<string, unknown>;
  state?: Record<string, Stored>;
  keys: [string, number[]][];
  repr: string;
  input: Stored;
  output: Stored;
  cotangent: Stored;
  inputGrad: Stored;
  paramGrads?: Record<string, Stored>;
}

/** The cases of packages/nn/test/fixtures/torch-layers-<family>.json. */
export function layerCases(family: string): Record<string, LayerCase> {
  return JSON.parse(readFileSync(new URL(`./fixtures/torch-layers-${family}.json`, import.meta.url), "utf8")).cases;
}

export const asTensor = (s: Stored, requiresGrad = false) => tensor(s.values, { shape: s.shape, requiresGrad });

/**
 * Largest |actual − expected| relative to the expected tensor's largest entry (at least 1):
 * a convolution's outputs and gradients are sums whose terms cancel, so an entry near 0
 * carries the rounding of its largest terms, which the tensor's scale bounds.
 */
export function scaledDifference(actual: Tensor, expected: Stored): number {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toFloat64Array();
  const scale = Math.max(1, ...expected.values.map(Math.abs));
  let worst = 0;
  expected.values.forEach((v, i) => (worst = Math.max(worst, Math.abs(a[i]! - v))));
  return worst / scale;
}

/** PyTorch's repr as tapegrad prints it: camelCase keys, tuples as arrays, lower-case booleans, Linear as Dense. */
export function torchRepr(repr: string): string {
  return repr
    .replace(/([a-z]+)_([a-z])([a-z]*)=/g, (_, a: string, b: string, c: string) => `${a}${b.toUpperCase()}${c}=`)
    .replace(/([a-z]+)_([a-z])([a-z]*)=/g, (_, a: string, b: string, c: string) => `${a}${b.toUpperCase()}${c}=`)
    .replace(/\((-?\d+),\)/g, "[$1]")
    .replace(/\((-?\d+(?:, -?\d+)+)\)/g, "[$1]")
    .replace(/=True/g, "=true")
    .replace(/=False/g, "=false")
    .replace(/Linear\(/g, "Dense(");
}

export const TOLERANCE = 1e-12;

/**
 * Runs `layer` on the case's input (after loading its state, if any) and checks the
 * output, the input's gradient and the parameters' gradients of sum(output · cotangent)
 * against PyTorch's, and the state dict's keys and shapes.
 */
export function checkAgainstTorch(layer: Module, c: LayerCase): void {
  if (c.state) layer.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, asTensor(v)])));
  expect(Object.entries(layer.stateDict()).map(([k, v]) => [k, [...v.shape]])).toEqual(c.keys);
  const x = asTensor(c.input, true);
  const y = layer.forward(x);
  expect(scaledDifference(y, c.output)).toBeLessThanOrEqual(TOLERANCE);
  const params = layer.namedParameters();
  const grads = gradients(y.mul(asTensor(c.cotangent)).sum(), [x, ...params.map(([, p]) => p)]);
  expect(scaledDifference(grads[0]!, c.inputGrad)).toBeLessThanOrEqual(TOLERANCE);
  const stored = c.paramGrads ?? {};
  // Every parameter's gradient is stored, except for the LeNet stack (its convolutions' only).
  if (c.kind !== "LeNet") expect(params.map(([name]) => name)).toEqual(Object.keys(stored));
  else expect(Object.keys(stored)).toEqual(["0.weight", "0.bias", "3.weight", "3.bias"]);
  params.forEach(([name], i) => {
    if (name in stored) expect(scaledDifference(grads[i + 1]!, stored[name]!), name).toBeLessThanOrEqual(TOLERANCE);
  });
}
