import { describe, expect, it } from "vitest";
import { Tensor, noGrad, tensor } from "@tapegrad/autograd";
import { NDArray } from "@tapegrad/tensor";
import { Dense, Parameter, init } from "@tapegrad/nn";

describe("Parameter", () => {
  it("wraps a tensor's memory: writes through either handle are seen by the other", () => {
    const t = tensor([1, 2, 3]);
    const p = new Parameter(t);
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requiresGrad).toBe(true);
    noGrad(() => p.mul_(2));
    expect(t.toArray()).toEqual([2, 4, 6]);
    t.add_(1);
    expect(p.toArray()).toEqual([3, 5, 7]);
    // The version counter is shared too, so a graph that saved one sees the other's writes.
    expect(p.version).toBe(t.version);
  });

  it("accepts an NDArray and honours requiresGrad = false", () => {
    const p = new Parameter(NDArray.ones([2, 2]), false);
    expect(p.requiresGrad).toBe(false);
    expect(p.toArray()).toEqual([[1, 1], [1, 1]]);
  });

  it("is a leaf even when made from the output of an op, and receives gradients", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const produced = a.mul(3);
    expect(produced.isLeaf).toBe(false);
    const p = new Parameter(produced);
    expect(p.isLeaf).toBe(true);
    expect(p.gradFn).toBeNull();
    p.mul(p).sum().backward();
    expect(p.grad!.toArray()).toEqual([6, 12]); // d Σp² = 2p, p = [3, 6]
    expect(a.grad).toBeNull(); // cut from the graph that made it
  });

  it("ops on a parameter give plain tensors, and detach gives a plain tensor", () => {
    const p = new Parameter(tensor([1, 2]));
    expect(p.add(1)).not.toBeInstanceOf(Parameter);
    expect(p.detach()).not.toBeInstanceOf(Parameter);
    expect(String(p)).toMatch(/^Parameter\(\[1,2\], shape=\[2\], requiresGrad=true\)$/);
  });

  it("init functions fill parameters in place", () => {
    const dense = new Dense(3, 4);
    const weight = dense.weight;
    init.constant(weight, 0.5);
    init.zeros(dense.bias!);
    expect(dense.weight).toBe(weight);
    expect(dense.weight).toBeInstanceOf(Parameter);
    expect(dense.weight.toFloat64Array().every((v) => v === 0.5)).toBe(true);
    expect(dense.bias!.toArray()).toEqual([0, 0, 0, 0]);
    init.xavierUniform(dense.weight, { seed: 1 });
    const bound = Math.sqrt(6 / 7);
    expect(dense.weight.toFloat64Array().every((v) => Math.abs(v) <= bound && v !== 0.5)).toBe(true);
  });

  it("rejects what is not a tensor", () => {
    expect(() => new Parameter([1, 2] as never)).toThrow(/Parameter: expected a Tensor or an NDArray, got object/);
  });
});
