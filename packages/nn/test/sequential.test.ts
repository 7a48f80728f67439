import { describe, expect, it } from "vitest";
import { Tensor, manualSeed, randn, traceBackward } from "@tapegrad/autograd";
import { BCELoss, Dense, ReLU, Sequential, Sigmoid, type Module } from "@tapegrad/nn";

/** The tutorials' network with its weights from `seed`, and a batch of inputs and targets. */
function setup(seed: number, sizes = [2, 25, 50, 25, 1]) {
  manualSeed(seed);
  const layers: Module[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) layers.push(new Dense(sizes[i]!, sizes[i + 1]!), i + 2 < sizes.length ? new ReLU() : new Sigmoid());
  const model = new Sequential(...layers);
  const x = randn(64, sizes[0]!);
  const y = randn(64, 1).gt(0);
  return { model, layers, x, y };
}

/** The loss and every parameter's gradient, as plain numbers. */
function lossAndGrads(model: Sequential, forward: (x: Tensor) => Tensor, x: Tensor, y: Tensor) {
  model.zeroGrad();
  const loss = new BCELoss().forward(forward(x), y);
  loss.backward();
  return { loss: loss.item(), grads: model.parameters().map((p) => Array.from(p.grad!.array.values())) };
}

describe("Sequential", () => {
  it("runs a Dense followed by a ReLU as one op, with the same loss and gradients, bit for bit, as running each module in turn", () => {
    for (const seed of [0, 1, 2]) {
      const { model, layers, x, y } = setup(seed);
      const oneByOne = lossAndGrads(model, (h) => layers.reduce((t, m) => m.forward(t), h), x, y);
      const fused = lossAndGrads(model, (h) => model.forward(h), x, y);
      expect(fused).toEqual(oneByOne);
      const ops = traceBackward(new BCELoss().forward(model.forward(x), y)).steps.map((s) => s.op);
      expect(ops.filter((op) => op === "linearRelu")).toHaveLength(3);
      expect(ops).not.toContain("relu");
    }
  });

  it("runs modules with hooks, or subclasses, one by one so their hooks and overrides still apply", () => {
    const { model, layers, x } = setup(3, [2, 4, 1]);
    const seen: string[] = [];
    const handle = layers[1]!.registerForwardHook(() => void seen.push("relu hook"));
    const withHook = model.forward(x);
    expect(seen).toEqual(["relu hook"]);
    expect(Array.from(withHook.array.values())).toEqual(Array.from(layers.reduce((t, m) => m.forward(t), x).array.values()));
    handle.remove();

    class Leaky extends ReLU {
      override forward(h: Tensor): Tensor {
        return h.relu().add(h.mul(0.5));
      }
    }
    const dense = new Dense(2, 3);
    const leaky = new Leaky();
    const expected = leaky.forward(dense.forward(x));
    expect(Array.from(new Sequential(dense, leaky).forward(x).array.values())).toEqual(Array.from(expected.array.values()));
  });

  it("keeps Dense's input errors when it runs a Dense and a ReLU together", () => {
    const model = new Sequential(new Dense(3, 2), new ReLU());
    expect(() => model.forward(randn(4, 2))).toThrow("Dense.forward: expected input [..., 3], got [4,2]");
  });
});
