import { describe, expect, it } from "vitest";
import { Tensor, gradients, tensor } from "@tapegrad/autograd";
import { Dense, Module, ReLU, Sequential, Tanh } from "@tapegrad/nn";

// Module.registerFullBackwardHook, written as a PyTorch user would: the hook sees the
// gradients at the module's boundary once per backward and may replace the input gradients.

class Product extends Module<[Tensor, Tensor]> {
  forward(a: Tensor, b: Tensor): Tensor {
    return a.mul(b);
  }
}

describe("registerFullBackwardHook", () => {
  it("sees grad_input and grad_output of a layer, once per backward", () => {
    const layer = new Dense(3, 2, { seed: 0 });
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const calls: { gradInput: (Tensor | null)[]; gradOutput: (Tensor | null)[] }[] = [];
    layer.registerFullBackwardHook((module, gradInput, gradOutput) => {
      expect(module).toBe(layer);
      calls.push({ gradInput, gradOutput });
    });
    const upstream = tensor([[1, -1], [2, 0.5]]);
    layer.forward(x).backward(upstream);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.gradOutput[0]!.toArray()).toEqual(upstream.toArray());
    // ∂x = G·W, computed independently.
    const expected = upstream.matmul(layer.weight.detach());
    expect(calls[0]!.gradInput[0]!.toArray()).toEqual(expected.toArray());
    expect(x.grad!.toArray()).toEqual(expected.toArray());
  });

  it("replaces the input gradient with what it returns, and stops after remove()", () => {
    const relu = new ReLU();
    const x = tensor([-1, 2, 3], { requiresGrad: true });
    const handle = relu.registerFullBackwardHook((_m, gradInput) => [gradInput[0]!.mul(10)]);
    relu.forward(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 10, 10]);
    handle.remove();
    x.grad = null;
    relu.forward(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1]);
  });

  it("gives every input's gradient at once for a module of two inputs, null where none is needed", () => {
    const product = new Product();
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const seen: (number[] | null)[][] = [];
    product.registerFullBackwardHook((_m, gradInput) => {
      seen.push(gradInput.map((g) => (g ? (g.toArray() as number[]) : null)));
      return [gradInput[0]!.mul(2), gradInput[1]];
    });
    product.forward(a, b).sum().backward();
    expect(seen).toEqual([[[3, 4], [1, 2]]]);
    expect(a.grad!.toArray()).toEqual([6, 8]);
    expect(b.grad!.toArray()).toEqual([1, 2]);

    const c = tensor([5, 6]);
    seen.length = 0;
    product.forward(a, c).sum().backward();
    expect(seen).toEqual([[[5, 6], null]]);
  });

  it("runs later modules' hooks first in a Sequential, as the backward pass visits them", () => {
    const first = new Dense(2, 3, { seed: 1 });
    const second = new Dense(3, 1, { seed: 2 });
    const model = new Sequential(first, new ReLU(), second);
    const order: string[] = [];
    first.registerFullBackwardHook(() => void order.push("first"));
    second.registerFullBackwardHook(() => void order.push("second"));
    const x = tensor([[1, 2]], { requiresGrad: true });
    model.forward(x).sum().backward();
    expect(order).toEqual(["second", "first"]);
  });

  it("is called with null input gradients when no input needs one, and refuses a malformed result", () => {
    const layer = new Dense(2, 1, { seed: 3 });
    let gradInput: (Tensor | null)[] | undefined;
    const handle = layer.registerFullBackwardHook((_m, g) => void (gradInput = g));
    layer.forward(tensor([[1, 2]])).sum().backward();
    expect(gradInput).toEqual([null]);
    handle.remove();
    layer.registerFullBackwardHook(() => [tensor([1, 2, 3])]);
    expect(() => layer.forward(tensor([[1, 2]], { requiresGrad: true })).sum().backward()).toThrow(
      /full backward hook returned a gradient of shape \[3\] for input 0 of shape \[1,2\]/,
    );
  });

  it("leaves gradients of the parameters unchanged and works with gradients()", () => {
    const layer = new Dense(2, 2, { seed: 4 });
    const x = tensor([[1, -2]], { requiresGrad: true });
    const [plainW] = gradients(layer.forward(x).sum(), [layer.weight]);
    layer.registerFullBackwardHook(() => undefined);
    const [hookedW, hookedX] = gradients(layer.forward(x).sum(), [layer.weight, x]);
    expect(hookedW!.toArray()).toEqual(plainW!.toArray());
    expect(hookedX!.toArray()).toEqual(layer.weight.detach().sum(0).reshape(1, 2).toArray());
  });
  it("hands the hooks gradients that nothing changes later, through the next VJPs and into .grad", () => {
    const tanh = new Tanh();
    const x = tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true });
    const seen: { gradInput: Tensor; gradOutput: Tensor }[] = [];
    tanh.registerFullBackwardHook((_m, gradInput, gradOutput) => void seen.push({ gradInput: gradInput[0]!, gradOutput: gradOutput[0]! }));
    const upstream = tensor([[1, 2], [3, 4]]);
    // exp after tanh: its VJP, and x's accumulation, come after the hook saw the gradients.
    const run = () => tanh.forward(x.mul(2)).exp().mul(upstream).sum().backward();
    run();
    run();
    const y = (x.toArray() as number[][]).map((row) => row.map((v) => Math.tanh(2 * v)));
    const u = upstream.toArray() as number[][];
    // ∂/∂tanh-output = u·exp(y); ∂/∂tanh-input = u·exp(y)·(1 − y²), by hand.
    const gradOutput = y.map((row, i) => row.map((v, j) => u[i]![j]! * Math.exp(v)));
    const gradInput = y.map((row, i) => row.map((v, j) => gradOutput[i]![j]! * (1 - v * v)));
    for (const s of seen) {
      (s.gradOutput.toArray() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(gradOutput[i]![j]!, 13)));
      (s.gradInput.toArray() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(gradInput[i]![j]!, 13)));
    }
    expect(seen).toHaveLength(2);
  });
});
