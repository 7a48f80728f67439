import { afterEach, describe, expect, it, vi } from "vitest";
import { Tensor, enableGrad, grad, gradients, noGrad, ones, rand, randn, tensor, valueAndGrad, vjp, zeros } from "@tapegrad/autograd";
import { CrossEntropyLoss, Dense, Module, ModuleDict, ModuleList, Parameter, ParameterList, Sequential, data, optim } from "@tapegrad/nn";

// Issue 12: eight habits carried over from PyTorch that used to give a wrong result with no
// error. Each case is written as a PyTorch user would write it; each either behaves as in
// PyTorch or throws an error that says what to do.

afterEach(() => vi.restoreAllMocks());

describe("1. functional transforms inside noGrad", () => {
  it("grad, valueAndGrad and vjp ignore an outer noGrad, as torch.func does", () => {
    const f = (x: Tensor) => x.mul(x).sum();
    const x = tensor([1, 2, 3]);
    const g = noGrad(() => grad(f)(x));
    expect(g.toArray()).toEqual([2, 4, 6]);
    const [value, g2] = noGrad(() => valueAndGrad(f)(x));
    expect(value.item()).toBe(14);
    expect(g2.toArray()).toEqual([2, 4, 6]);
    const [, v] = noGrad(() => vjp((a) => a.mul(3), x, tensor([1, 1, 1])));
    expect(v.toArray()).toEqual([3, 3, 3]);
  });

  it("gradients(y, x) takes a lone tensor, as torch.autograd.grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = gradients(x.pow(3).sum(), x);
    expect(g!.toArray()).toEqual([3, 12]);
  });
});

describe("2. sub-modules and parameters in containers", () => {
  class Holder extends Module {
    constructor(readonly layers: unknown) {
      super();
    }
    forward(x: Tensor): Tensor {
      return x;
    }
  }

  it("a Map, a plain object or an array of tensors is refused, naming the container to use", () => {
    expect(() => new Holder(new Map([["a", new Dense(2, 2)]])).parameters()).toThrow(/ModuleDict/);
    expect(() => new Holder({ encoder: new Dense(2, 2) }).parameters()).toThrow(/ModuleDict/);
    expect(() => new Holder([tensor([1], { requiresGrad: true })]).parameters()).toThrow(/ParameterList/);
  });

  it("ModuleList, ModuleDict and ParameterList register what they hold", () => {
    const list = new ModuleList([new Dense(2, 3), new Dense(3, 1)]);
    const dict = new ModuleDict({ encoder: new Dense(2, 2) });
    const params = new ParameterList([tensor([1, 2])]);
    class Model extends Module {
      layers = list;
      heads = dict;
      extra = params;
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(Object.keys(new Model().stateDict())).toEqual([
      "layers.0.weight",
      "layers.0.bias",
      "layers.1.weight",
      "layers.1.bias",
      "heads.encoder.weight",
      "heads.encoder.bias",
      "extra.0",
    ]);
  });

  it("a plain requires-grad tensor on a property is refused with how to declare it", () => {
    class Scale extends Module {
      w = tensor([1, 2], { requiresGrad: true });
      forward(x: Tensor): Tensor {
        return x.mul(this.w);
      }
    }
    expect(() => new Scale().parameters()).toThrow(/new Parameter/);
  });
});

describe("3. unknown and snake_case option keys", () => {
  it("are errors that suggest the camelCase name", () => {
    const model = new Dense(2, 1);
    // @ts-expect-error weight_decay is PyTorch's spelling
    expect(() => new optim.Adam(model.parameters(), { weight_decay: 0.1 })).toThrow(/weight_decay.*weightDecay/);
    // @ts-expect-error requires_grad is PyTorch's spelling
    expect(() => zeros([2], { requires_grad: true })).toThrow(/requires_grad.*requiresGrad/);
    // @ts-expect-error keep_dim is not an option
    expect(() => ones([2, 2]).sum(1, { keep_dim: true })).toThrow(/keep_dim.*keepdim/);
    // @ts-expect-error retain_graph is PyTorch's spelling
    expect(() => tensor([1], { requiresGrad: true }).sum().backward(undefined, { retain_graph: true })).toThrow(/retain_graph.*retainGraph/);
    const X = zeros([8, 2]);
    const y = zeros([8, 1]);
    // @ts-expect-error batch_size is PyTorch's spelling; it used to fall back to batches of 1
    expect(() => new data.DataLoader({ X, y }, { batch_size: 4 })).toThrow(/batch_size.*batchSize/);
    // @ts-expect-error label_smoothing is PyTorch's spelling
    expect(() => new CrossEntropyLoss({ label_smoothing: 0.1 })).toThrow(/label_smoothing.*labelSmoothing/);
  });

  it("options PyTorch has are implemented, not just accepted", () => {
    const logits = tensor([[2, 0.5, -1], [0.1, 0.2, 3]]);
    const plain = new CrossEntropyLoss().forward(logits, [0, 2]).item();
    const smoothed = new CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(logits, [0, 2]).item();
    const ignored = new CrossEntropyLoss({ ignoreIndex: 2 }).forward(logits, [0, 2]).item();
    const first = -logits.logSoftmax(1).array.get(0, 0);
    expect(smoothed).toBeGreaterThan(plain);
    expect(ignored).toBeCloseTo(first, 14);
  });
});

describe("4. state is parameters plus registered buffers", () => {
  it("a module that caches its last input does not save it, so a fresh instance loads the file", () => {
    class Cached extends Module {
      layer = new Dense(2, 1, { seed: 0 });
      last: Tensor | null = null;
      forward(x: Tensor): Tensor {
        this.last = x;
        return this.layer.forward(x);
      }
    }
    const trained = new Cached();
    trained.forward(tensor([[1, 2]]));
    const state = trained.stateDict();
    expect(Object.keys(state)).toEqual(["layer.weight", "layer.bias"]);
    const fresh = new Cached();
    fresh.loadStateDict(state);
    expect(fresh.layer.weight.toArray()).toEqual(trained.layer.weight.toArray());
  });
});

describe("5. view of a non-contiguous tensor", () => {
  it("throws as PyTorch does, pointing at reshape and contiguous()", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => x.t().view(6)).toThrow(/view: .*cannot be viewed as \[6\].*reshape.*contiguous\(\)/);
    const v = x.view(3, 2);
    noGrad(() => v.fill_(0));
    expect(x.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]); // a real view: the write is seen
    expect(x.t().reshape(6).toArray()).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("6. boolean options", () => {
  it("keepdim works positionally and as { keepdim }, and a non-boolean is refused", () => {
    const x = ones([2, 3]);
    expect(x.sum(1, { keepdim: false }).shape).toEqual([2]);
    expect(x.sum(1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(x.mean(1, true).shape).toEqual([2, 1]);
    expect(x.max(0, { keepdim: true }).shape).toEqual([1, 3]);
    expect(x.argmax(1, { keepdim: true }).shape).toEqual([2, 1]);
    // @ts-expect-error a string is not a boolean
    expect(() => x.sum(1, "false")).toThrow(/keepdim must be true or false/);
    // @ts-expect-error nor is a number
    expect(() => x.sum(1, { keepdim: 0 })).toThrow(/keepdim must be true or false/);
    // @ts-expect-error requiresGrad must be a boolean
    expect(() => tensor([1], { requiresGrad: "yes" })).toThrow(/requiresGrad must be true or false/);
  });
});

describe("7. await inside noGrad", () => {
  it("an async fn is refused with what to do instead, and the mode is restored", async () => {
    const x = tensor([1], { requiresGrad: true });
    expect(() => noGrad(async () => x.mul(2))).toThrow(/noGrad: fn returned a Promise.*await load\(\)/);
    expect(() => enableGrad(async () => x.mul(2))).toThrow(/enableGrad: fn returned a Promise/);
    expect(x.mul(2).requiresGrad).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
  });
});

describe("8. a manual step that makes a parameter a non-leaf", () => {
  it("reading .grad of a non-leaf warns once, and retainGrad keeps an intermediate's gradient", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    let w = tensor([1, 2], { requiresGrad: true });
    w.mul(w).sum().backward();
    w = w.sub(w.grad!.mul(0.1)); // PyTorch habit: now a non-leaf
    w.mul(w).sum().backward();
    expect(w.grad).toBeNull();
    // The warning is printed once per process; another test file may have triggered it.
    if (warn.mock.calls.length > 0) expect(String(warn.mock.calls[0]![0])).toMatch(/retainGrad\(\).*sub_/);
    const h = tensor([1, 2], { requiresGrad: true }).mul(3);
    h.retainGrad();
    h.sum().backward();
    expect(h.grad!.toArray()).toEqual([1, 1]);
  });
});

describe("creation functions take shapes as separate numbers", () => {
  it("randn(256, 3) and rand(2, 3, options) as zeros(2, 3) does", () => {
    expect(randn(256, 3).shape).toEqual([256, 3]);
    expect(rand(2, 3, { seed: 1 }).toArray()).toEqual(rand([2, 3], { seed: 1 }).toArray());
    expect(randn(4, { seed: 2, requiresGrad: true }).requiresGrad).toBe(true);
  });
});

describe("frozen parameters and optimizers", () => {
  it("an optimizer over a partly frozen model skips the frozen weight, which stays a parameter", () => {
    const model = new Sequential(new Dense(2, 2, { seed: 0 }), new Dense(2, 1, { seed: 1 }));
    const frozen = (model[0] as Dense).weight;
    frozen.requiresGrad_(false);
    expect(frozen).toBeInstanceOf(Parameter);
    const before = frozen.toArray();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    model.forward(tensor([[1, 2]])).sum().backward();
    opt.step();
    expect(frozen.toArray()).toEqual(before);
    expect(model.parameters()).toContain(frozen);
  });
});
