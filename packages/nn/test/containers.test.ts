import { describe, expect, expectTypeOf, it } from "vitest";
import { Tensor, noGrad, ones, randn, tensor } from "@tapegrad/autograd";
import { Dense, MSELoss, Module, ModuleDict, ModuleList, Parameter, ParameterList, ReLU } from "@tapegrad/nn";

/** One plain gradient-descent step, as `with torch.no_grad(): p -= lr * p.grad`. */
function sgdStep(model: Module<any, any>, lr: number): void {
  noGrad(() => {
    for (const p of model.parameters()) p.sub_(p.grad!.mul(lr));
  });
}

/** Runs one step and checks every parameter moved by exactly −lr·grad. */
function expectTrained(model: Module<any, any>, loss: () => Tensor): void {
  const lr = 0.5;
  model.zeroGrad();
  loss().backward();
  const before = model.parameters().map((p) => p.toFloat64Array());
  const grads = model.parameters().map((p) => p.grad!.toFloat64Array());
  expect(grads.every((g) => g.some((v) => v !== 0))).toBe(true);
  sgdStep(model, lr);
  model.parameters().forEach((p, i) => {
    expect(Array.from(p.toFloat64Array())).toEqual(Array.from(before[i]!, (v, j) => v - lr * grads[i]![j]!));
  });
}

describe("ModuleList", () => {
  class Mlp extends Module {
    layers = new ModuleList([new Dense(2, 4, { seed: 1 }), new Dense(4, 1, { seed: 2 })]);
    act = new ReLU();
    forward(x: Tensor): Tensor {
      let h = x;
      for (const [i, layer] of [...this.layers].entries()) h = i < this.layers.length - 1 ? this.act.forward(layer.forward(h)) : layer.forward(h);
      return h;
    }
  }

  it("registers its modules under their positions and they train", () => {
    const mlp = new Mlp();
    expect(Object.keys(mlp.stateDict())).toEqual(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]);
    expect(mlp.namedModules().map(([n]) => n)).toEqual(["", "layers", "layers.0", "layers.1", "act"]);
    expectTypeOf(mlp.layers.get(0)).toEqualTypeOf<Dense>();
    const x = tensor([[1, -1], [0.5, 2], [-1, 0]]);
    const y = tensor([[1], [0], [2]]);
    expectTrained(mlp, () => new MSELoss().forward(mlp.forward(x), y));
    mlp.eval();
    expect(mlp.layers.get(1).training).toBe(false);
  });

  it("append, extend, insert, set, get with negative indices, length and iteration behave as a Python list", () => {
    const [a, b, c, d] = [new Dense(1, 1), new Dense(1, 2), new Dense(1, 3), new Dense(1, 4)];
    const list = new ModuleList<Dense>();
    expect(list.length).toBe(0);
    list.append(a).extend([c]);
    list.insert(1, b);
    list.insert(-100, d); // clamped to the front, as list.insert
    expect([...list]).toEqual([d, a, b, c]);
    expect(list.get(-1)).toBe(c);
    list.set(0, a);
    expect(list.length).toBe(4);
    expect(list.namedChildren().map(([n]) => n)).toEqual(["0", "1", "2", "3"]);
    expect(list.children()).toEqual([a, b, c]); // a appears twice, listed once
    expect(list.parameters()).toHaveLength(6);
    expect(() => list.get(4)).toThrow(/ModuleList.get: index 4 is out of range for length 4/);
    expect(() => list.append(tensor([1]) as never)).toThrow(/ModuleList.append: expected a Module/);
    expect(() => list.forward()).toThrow(/ModuleList is a container and has no forward/);
  });

  it("prints its entries as PyTorch does", () => {
    expect(new ModuleList([new ReLU(), new Dense(1, 2)]).toString()).toBe(
      ["ModuleList(", "  (0): ReLU()", "  (1): Dense(inFeatures=1, outFeatures=2, bias=true)", ")"].join("\n"),
    );
  });
});

describe("ModuleDict", () => {
  it("keeps entries off the instance, so keys such as 'training' and 'forward' are safe", () => {
    const training = new Dense(2, 2);
    const forward = new Dense(2, 1);
    const dict = new ModuleDict({ training, forward });
    expect(dict.training).toBe(true);
    expect(dict.get("training")).toBe(training);
    expect(Object.keys(dict.stateDict())).toEqual(["training.weight", "training.bias", "forward.weight", "forward.bias"]);
    dict.eval();
    expect([dict.training, training.training, forward.training]).toEqual([false, false, false]);
    expect(() => dict.forward()).toThrow(/ModuleDict is a container and has no forward/);
  });

  it("is a map: get, set, has, delete, keys, values, entries; iterating gives keys as in PyTorch", () => {
    const a = new Dense(1, 1);
    const b = new ReLU();
    const dict = new ModuleDict<Module>([["a", a]]);
    dict.set("b", b);
    expect(dict.size).toBe(2);
    expect(dict.has("b")).toBe(true);
    expect(dict.get("missing")).toBeUndefined();
    expect([...dict]).toEqual(["a", "b"]);
    expect([...dict.keys()]).toEqual(["a", "b"]);
    expect([...dict.values()]).toEqual([a, b]);
    expect([...dict.entries()]).toEqual([["a", a], ["b", b]]);
    expect(dict.delete("a")).toBe(true);
    expect(dict.delete("a")).toBe(false);
    expect(dict.parameters()).toEqual([]);
    expect(() => dict.set("x.y", a)).toThrow(/key must be a non-empty string without "\."/);
    expect(() => dict.set("c", {} as never)).toThrow(/ModuleDict.set\("c"\): expected a Module/);
  });

  it("registers and trains its modules inside a model", () => {
    class TwoHeads extends Module {
      trunk = new Dense(3, 4, { seed: 1 });
      heads = new ModuleDict({ left: new Dense(4, 1, { seed: 2 }), right: new Dense(4, 2, { seed: 3 }) });
      forward(x: Tensor): Tensor {
        const h = this.trunk.forward(x).tanh();
        return this.heads.get("left")!.forward(h).add(this.heads.get("right")!.forward(h).sum(1, true));
      }
    }
    const model = new TwoHeads();
    expect(Object.keys(model.stateDict())).toEqual([
      "trunk.weight",
      "trunk.bias",
      "heads.left.weight",
      "heads.left.bias",
      "heads.right.weight",
      "heads.right.bias",
    ]);
    expectTrained(model, () => model.forward(randn([5, 3], { seed: 4 })).pow(2).mean());
  });
});

describe("ParameterList", () => {
  it("wraps plain tensors as Parameters sharing memory, names them by position, and they train", () => {
    const plain = tensor([1, 2]);
    const already = new Parameter(ones([2]));
    class Scales extends Module {
      scales = new ParameterList([plain, already]);
      forward(x: Tensor): Tensor {
        let y = x;
        for (const s of this.scales) y = y.mul(s);
        return y;
      }
    }
    const model = new Scales();
    const first = model.scales.get(0);
    expect(first).toBeInstanceOf(Parameter);
    expect(first.requiresGrad).toBe(true);
    expect(model.scales.get(-1)).toBe(already);
    noGrad(() => first.add_(10));
    expect(plain.toArray()).toEqual([11, 12]); // shares memory with the tensor it wraps
    expect(model.namedParameters().map(([n]) => n)).toEqual(["scales.0", "scales.1"]);
    expect(Object.keys(model.stateDict())).toEqual(["scales.0", "scales.1"]);
    expectTrained(model, () => model.forward(tensor([1, -3])).sum());
    model.scales.append(randn([2], { seed: 1 }));
    expect(model.parameters()).toHaveLength(3);
    expect(() => model.scales.append([1] as never)).toThrow(/ParameterList.append: expected a Tensor/);
    expect(() => model.scales.forward()).toThrow(/ParameterList is a container and has no forward/);
  });

  it("frozen entries stay parameters and print as PyTorch's ParameterList", () => {
    const list = new ParameterList([ones([2, 3]), ones([4])]);
    list.get(1).requiresGrad_(false);
    expect(list.parameters()).toHaveLength(2);
    expect(list.toString()).toBe(
      [
        "ParameterList(",
        "  (0): Parameter containing: [float64 of shape [2,3]]",
        "  (1): Parameter containing: [float64 of shape [4], requiresGrad=false]",
        ")",
      ].join("\n"),
    );
  });
});
