import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { DataError, Tensor, eye, gradcheck, noGrad, ones, randn, tensor, zeros } from "@tapegrad/autograd";
import { NDArray } from "@tapegrad/tensor";
import {
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  Dense,
  Linear,
  MSELoss,
  Module,
  Parameter,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
  data,
  decodeStateDict,
  encodeStateDict,
  init,
  loadSafetensors,
  saveSafetensors,
} from "@tapegrad/nn";

class Block extends Module {
  encoder = new Dense(3, 4, { seed: 1 });
  heads = [new Dense(4, 2, { seed: 2 }), new Dense(4, 1, { bias: false, seed: 3 })];
  declare scale: Tensor;
  constructor() {
    super();
    this.registerBuffer("scale", tensor([2])); // state, saved but not trained
  }
  forward(x: Tensor): Tensor {
    const h = this.encoder.forward(x).relu();
    return this.heads[0]!.forward(h).sum(1, true).add(this.heads[1]!.forward(h)).mul(this.scale);
  }
}

const bytesOf = (m: Module) => Object.values(m.stateDict()).map((t) => Array.from(t.toFloat64Array()));

describe("Module", () => {
  it("finds parameters by property, in nested modules and arrays, with dotted names", () => {
    const block = new Block();
    expect(block.namedParameters().map(([n]) => n)).toEqual(["encoder.weight", "encoder.bias", "heads.0.weight", "heads.0.bias", "heads.1.weight"]);
    expect(block.namedBuffers().map(([n]) => n)).toEqual(["scale"]);
    expect(block.children().length).toBe(3);
    expect(block.numParameters()).toBe(12 + 4 + 8 + 2 + 4);
    const seq = new Sequential(new Dense(2, 3), new ReLU(), new Dense(3, 1), new Sigmoid());
    expect(Object.keys(seq.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
  });

  it("train() and eval() switch every module", () => {
    const block = new Block();
    block.eval();
    expect(block.namedModules().every(([, m]) => !m.training)).toBe(true);
    block.train();
    expect(block.namedModules().every(([, m]) => m.training)).toBe(true);
  });

  it("zeroGrad clears every parameter's gradient", () => {
    const block = new Block();
    block.forward(randn([5, 3], { seed: 1 })).sum().backward();
    expect(block.parameters().every((p) => p.grad !== null)).toBe(true);
    block.zeroGrad();
    expect(block.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("loadStateDict copies values and a failed load changes no weight at all", () => {
    const target = new Block();
    const source = new Block();
    for (const p of source.parameters()) init.normal(p, { seed: 5 });
    const before = bytesOf(target);
    const good = source.stateDict();
    const bad: [string, Record<string, Tensor>, RegExp][] = [
      ["missing key", Object.fromEntries(Object.entries(good).filter(([k]) => k !== "heads.0.bias")), /missing keys "heads.0.bias"/],
      ["unexpected key", { ...good, extra: tensor([1]) }, /unexpected keys "extra"/],
      ["wrong shape", { ...good, "heads.1.weight": tensor([[1, 2, 3]]) }, /shape mismatch for "heads.1.weight": the dict has \[1,3\], the module has \[1,4\]/],
      ["not a tensor", { ...good, "encoder.bias": [1, 2, 3, 4] as never }, /value for "encoder.bias" is not a Tensor/],
    ];
    for (const [, dict, message] of bad) {
      expect(() => target.loadStateDict(dict)).toThrow(message);
      expect(bytesOf(target)).toEqual(before);
    }
    target.loadStateDict(good);
    expect(bytesOf(target)).toEqual(bytesOf(source));
    const partial = new Block();
    const result = partial.loadStateDict({ "encoder.weight": good["encoder.weight"]!, other: tensor(1) }, { strict: false });
    expect(result.missingKeys).toContain("encoder.bias");
    expect(result.unexpectedKeys).toEqual(["other"]);
    expect(partial.encoder.weight.toArray()).toEqual(good["encoder.weight"]!.toArray());
  });
});

describe("Module v2: classification by type", () => {
  it("freezing keeps a parameter a parameter (E11) and requiresGrad_ round-trips", () => {
    const dense = new Dense(2, 3);
    dense.weight.requiresGrad_(false);
    expect(dense.namedParameters().map(([n]) => n)).toEqual(["weight", "bias"]);
    expect(dense.namedBuffers()).toEqual([]);
    expect(Object.keys(dense.stateDict())).toEqual(["weight", "bias"]);
    dense.forward(tensor([[1, 2]])).sum().backward();
    expect(dense.weight.grad).toBeNull();
    expect(dense.bias!.grad!.toArray()).toEqual([1, 1, 1]);

    const model = new Sequential(new Dense(2, 3), new ReLU(), new Dense(3, 1));
    expect(model.requiresGrad_(false)).toBe(model);
    expect(model.parameters().map((p) => p.requiresGrad)).toEqual([false, false, false, false]);
    model.requiresGrad_();
    expect(model.parameters().map((p) => p.requiresGrad)).toEqual([true, true, true, true]);
    expect(model.numParameters()).toBe(6 + 3 + 3 + 1);
  });

  it("a plain tensor property is not state (E12); a requires-grad one is refused by name", () => {
    class Masked extends Module {
      lin = new Dense(2, 2);
      mask = ones([2, 2]);
      lastOutput: Tensor | null = null;
      forward(x: Tensor): Tensor {
        this.lastOutput = this.lin.forward(x).mul(this.mask);
        return this.lastOutput;
      }
    }
    const masked = new Masked();
    masked.forward(tensor([[1, 2]])); // caches a non-leaf: a value, not a parameter
    expect(Object.keys(masked.stateDict())).toEqual(["lin.weight", "lin.bias"]);
    expect(masked.namedBuffers()).toEqual([]);
    expect(masked.parameters()).toHaveLength(2);

    class Forgot extends Module {
      scale = tensor([1, 2], { requiresGrad: true });
      forward(x: Tensor): Tensor {
        return x.mul(this.scale);
      }
    }
    const message = /Forgot\.scale is a plain Tensor that requires grad.*wrap it in new Parameter\(\.\.\.\) \(nn\.Parameter\) or registerBuffer\(\.\.\.\)/;
    expect(() => new Forgot().parameters()).toThrow(message);
    expect(() => new Forgot().stateDict()).toThrow(DataError);
    expect(() => new Sequential(new Forgot()).namedParameters()).toThrow(message);
  });

  it("modules, parameters or tensors hidden in a Map, a plain object or an array of tensors are refused, naming the container to use", () => {
    class InMap extends Module {
      blocks = new Map([["a", new Dense(2, 2)]]);
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    class InObject extends Module {
      heads = { left: new Dense(2, 2), right: new Dense(2, 2) };
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    class InArray extends Module {
      weights = [new Parameter(randn([2, 2])), new Parameter(randn([2]))]; // E14
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    class Nested extends Module {
      stages = [[new Dense(2, 2)], [new Dense(2, 2)]];
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    class Constants extends Module {
      table = [ones([2]), zeros([3])]; // no gradient wanted: ignored, as PyTorch does
      options = { eps: 1e-5, names: ["a"] };
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => new InMap().parameters()).toThrow(/InMap\.blocks is a Map holding a Module, .*use a ModuleDict/);
    expect(() => new InObject().parameters()).toThrow(/InObject\.heads is a plain object holding a Module, .*use a ModuleDict/);
    expect(() => new InArray().parameters()).toThrow(/InArray\.weights is an array holding a Parameter, .*use a ParameterList/);
    class PlainInObject extends Module {
      params = { w: randn([2], { requiresGrad: true }) };
      forward(x: Tensor): Tensor {
        return x.mul(this.params.w);
      }
    }
    expect(() => new PlainInObject().parameters()).toThrow(/PlainInObject\.params is a plain object holding a tensor that requires grad, .*use a ParameterList/);
    expect(() => new Nested().parameters()).toThrow(/Nested\.stages is an array holding a Module, .*use a ModuleList/);
    expect(new Constants().parameters()).toEqual([]);
    expect(new Constants().stateDict()).toEqual({});
  });

  it("a back-reference to the parent does not overflow (E13), and shared modules and parameters are listed once", () => {
    class Child extends Module {
      lin = new Dense(2, 2);
      constructor(readonly owner: Module) {
        super();
      }
      forward(x: Tensor): Tensor {
        return this.lin.forward(x);
      }
    }
    class Parent extends Module {
      child: Child;
      head = new Dense(2, 1);
      constructor() {
        super();
        this.child = new Child(this);
      }
      forward(x: Tensor): Tensor {
        return this.head.forward(this.child.forward(x));
      }
    }
    const parent = new Parent();
    expect(parent.namedModules().map(([n]) => n)).toEqual(["", "child", "child.lin", "head"]);
    expect(parent.namedParameters().map(([n]) => n)).toEqual(["child.lin.weight", "child.lin.bias", "head.weight", "head.bias"]);
    expect(parent.eval().modules().every((m) => !m.training)).toBe(true);
    expect(parent.toString()).toContain("(owner): Parent(...)");
    expect(parent.child.modules()).toHaveLength(4); // child, its owner, and their Dense layers

    const shared = new Dense(2, 2);
    const twice = new Sequential(shared, new ReLU(), shared);
    expect(twice.namedModules().map(([n]) => n)).toEqual(["", "0", "1"]);
    expect(twice.children()).toHaveLength(2);
    expect(twice.parameters()).toHaveLength(2);
    expect(Object.keys(twice.stateDict())).toEqual(["0.weight", "0.bias"]);
    expect(twice.length).toBe(3);
    const x = tensor([[1, -2]]);
    // Both uses run: the layer is applied twice.
    expect(twice.forward(x).toArray()).toEqual(shared.forward(shared.forward(x).relu()).toArray());

    class Tied extends Module {
      encoder = new Dense(3, 3);
      decoder = new Dense(3, 3);
      constructor() {
        super();
        this.decoder.weight = this.encoder.weight;
      }
      forward(x: Tensor): Tensor {
        return this.decoder.forward(this.encoder.forward(x));
      }
    }
    expect(new Tied().namedParameters().map(([n]) => n)).toEqual(["encoder.weight", "encoder.bias", "decoder.bias"]);
  });

  it("namedModules takes a prefix (also as a plain string) and a memo", () => {
    const inner = new Dense(2, 2);
    const model = new Sequential(new Dense(2, 2), new Sequential(inner));
    expect(model.namedModules({ prefix: "net" }).map(([n]) => n)).toEqual(["net", "net.0", "net.1", "net.1.0"]);
    expect(model.namedModules("net").map(([n]) => n)).toEqual(["net", "net.0", "net.1", "net.1.0"]);
    const memo = new Set<Module<any, any>>([inner]);
    expect(model.namedModules({ memo }).map(([n]) => n)).toEqual(["", "0", "1"]);
    expect(memo.size).toBe(4);
  });

  it("modules() lists every module once and apply(fn) visits children before their parent", () => {
    const first = new Dense(2, 3);
    const relu = new ReLU();
    const last = new Dense(3, 1);
    const inner = new Sequential(relu, last);
    const model = new Sequential(first, inner);
    expect(model.modules()).toEqual([model, first, inner, relu, last]);
    const visited: Module<any, any>[] = [];
    expect(model.apply((m) => visited.push(m))).toBe(model);
    expect(visited).toEqual([first, relu, last, inner, model]);
    model.apply((m) => {
      if (m instanceof Dense) init.constant(m.weight, 0.25);
    });
    expect([...first.weight.toFloat64Array(), ...last.weight.toFloat64Array()].every((v) => v === 0.25)).toBe(true);
  });
});

describe("Module v2: buffers", () => {
  class RunningMean extends Module {
    gain = new Parameter(ones([3]));
    declare runningMean: Tensor;
    declare cache: Tensor | null;
    constructor() {
      super();
      this.registerBuffer("runningMean", zeros([3]));
      this.registerBuffer("cache", ones([3]), { persistent: false });
    }
    forward(x: Tensor): Tensor {
      noGrad(() => this.runningMean.mul_(0.9).add_(x.detach().mean(0).mul(0.1)));
      return x.mul(this.gain);
    }
  }

  it("registerBuffer: readable as a property, persistent ones in the state dict, non-persistent ones not", () => {
    const m = new RunningMean();
    m.forward(tensor([[1, 2, 3], [3, 4, 5]]));
    expect(m.runningMean.toArray()).toEqual([0.2, 0.30000000000000004, 0.4]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["runningMean", "cache"]);
    expect(m.buffers()).toEqual([m.runningMean, m.cache]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(["gain"]);
    expect(Object.keys(m.stateDict())).toEqual(["gain", "runningMean"]);
    expect(Object.keys(m)).not.toContain("runningMean");
    // Assigning replaces the buffer, as in PyTorch.
    const replacement = tensor([7, 8, 9]);
    m.runningMean = replacement;
    expect(m.stateDict()["runningMean"]!.toArray()).toEqual([7, 8, 9]);
    m.cache = null;
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["runningMean"]);
    const nested = new Sequential(new Dense(3, 3), m);
    expect(Object.keys(nested.stateDict())).toEqual(["0.weight", "0.bias", "1.gain", "1.runningMean"]);
    expect(nested.namedBuffers().map(([n]) => n)).toEqual(["1.runningMean"]);
  });

  it("loadStateDict round-trips parameters and persistent buffers into a fresh instance", () => {
    const trained = new RunningMean();
    trained.forward(tensor([[10, 20, 30]]));
    noGrad(() => trained.gain.mul_(tensor([2, 3, 4])));
    const fresh = new RunningMean();
    const result = fresh.loadStateDict(trained.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(fresh.gain.toArray()).toEqual([2, 3, 4]);
    expect(fresh.runningMean.toArray()).toEqual([1, 2, 3]);
    expect(fresh.gain).toBeInstanceOf(Parameter);
    expect(() => fresh.loadStateDict({ ...trained.stateDict(), cache: ones([3]) })).toThrow(/unexpected keys "cache"/);
    expect(() => fresh.loadStateDict({ gain: ones([3]) })).toThrow(DataError);
  });

  it("registerBuffer refuses names that clash or cannot be dotted, and assigning a non-tensor", () => {
    const m = new RunningMean();
    expect(() => m.registerBuffer("training", zeros([1]))).toThrow(/already has an attribute "training"/);
    expect(() => m.registerBuffer("forward", zeros([1]))).toThrow(/already has an attribute "forward"/);
    expect(() => m.registerBuffer("gain", zeros([1]))).toThrow(/already has an attribute "gain"/);
    expect(() => m.registerBuffer("a.b", zeros([1]))).toThrow(/without "\."/);
    expect(() => m.registerBuffer("x", [1] as never)).toThrow(/must be a Tensor or null/);
    expect(() => {
      (m as unknown as { runningMean: unknown }).runningMean = 3;
    }).toThrow(/RunningMean\.runningMean: cannot assign number to buffer/);
  });
});

describe("Module v2: toString", () => {
  it("prints the tree as PyTorch's print(model)", () => {
    const model = new Sequential(new Linear(2, 25), new ReLU(), new Linear(25, 1, { bias: false }));
    expect(model.toString()).toBe(
      [
        "Sequential(",
        "  (0): Dense(inFeatures=2, outFeatures=25, bias=true)",
        "  (1): ReLU()",
        "  (2): Dense(inFeatures=25, outFeatures=1, bias=false)",
        ")",
      ].join("\n"),
    );
    class Net extends Module {
      body = new Sequential(new Dense(2, 3), new Softmax());
      head = new Sigmoid();
      forward(x: Tensor): Tensor {
        return this.head.forward(this.body.forward(x));
      }
    }
    expect(String(new Net())).toBe(
      [
        "Net(",
        "  (body): Sequential(",
        "    (0): Dense(inFeatures=2, outFeatures=3, bias=true)",
        "    (1): Softmax(dim=-1)",
        "  )",
        "  (head): Sigmoid()",
        ")",
      ].join("\n"),
    );
    expect(new ReLU().toString()).toBe("ReLU()");
  });
});

describe("Module v2: forward hooks", () => {
  it("pre-hooks and hooks run in registration order, may replace inputs and output, and are removable", () => {
    const dense = new Dense(2, 1, { seed: 3 });
    init.constant(dense.weight, 1);
    init.zeros(dense.bias!);
    const log: string[] = [];
    const pre1 = dense.registerForwardPreHook((m, [x]) => {
      expect(m).toBe(dense);
      log.push(`pre1 ${JSON.stringify(x.toArray())}`);
      return [x.mul(2)];
    });
    dense.registerForwardPreHook((_m, [x]) => void log.push(`pre2 ${JSON.stringify(x.toArray())}`));
    const post1 = dense.registerForwardHook((_m, [x], y) => {
      log.push(`post1 ${JSON.stringify(x.toArray())} ${JSON.stringify(y.toArray())}`);
      return y.add(100);
    });
    dense.registerForwardHook((_m, _inputs, y) => void log.push(`post2 ${JSON.stringify(y.toArray())}`));
    const model = new Sequential(dense, new ReLU());
    // x = [1, 2] doubled by pre1 → [2, 4]; y = 2 + 4 = 6, then 106 from post1.
    expect(model.forward(tensor([[1, 2]])).toArray()).toEqual([[106]]);
    expect(log).toEqual(["pre1 [[1,2]]", "pre2 [[2,4]]", "post1 [[2,4]] [[6]]", "post2 [[106]]"]);

    pre1.remove();
    post1.remove();
    post1.remove(); // a second remove does nothing
    log.length = 0;
    expect(dense.forward(tensor([[1, 2]])).toArray()).toEqual([[3]]);
    expect(log).toEqual(["pre2 [[1,2]]", "post2 [[3]]"]);
    // The wrapper is invisible to scanning: no new state, parameters or children.
    expect(Object.keys(dense)).not.toContain("forward");
    expect(Object.keys(dense.stateDict())).toEqual(["weight", "bias"]);
    expect(new Dense(2, 1).hasOwnProperty("forward")).toBe(false);
  });

  it("hooks see gradients flow through replaced outputs", () => {
    const dense = new Dense(2, 2);
    dense.registerForwardHook((_m, _inputs, y) => y.mul(3));
    dense.forward(tensor([[1, 1]])).sum().backward();
    expect(dense.bias!.grad!.toArray()).toEqual([3, 3]);
  });
});

describe("Module v2: generic forward (checked by tsc in pnpm typecheck)", () => {
  interface AttentionOptions {
    needWeights?: boolean;
  }
  interface AttentionOutput {
    output: Tensor;
    weights: Tensor | null;
  }
  class Attention extends Module<[query: Tensor, key: Tensor, value: Tensor, options?: AttentionOptions], AttentionOutput> {
    forward(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): AttentionOutput {
      const weights = q.matmul(k.transpose(0, 1)).softmax(-1);
      return { output: weights.matmul(v), weights: options.needWeights === false ? null : weights };
    }
  }

  it("a subclass declares several inputs, an options object and a structured output", () => {
    const attention = new Attention();
    const q = eye(2);
    const { output, weights } = attention.forward(q, q, tensor([[1, 0], [0, 1]]), { needWeights: true });
    expectTypeOf(output).toEqualTypeOf<Tensor>();
    expectTypeOf(weights).toEqualTypeOf<Tensor | null>();
    expectTypeOf(attention.forward).parameters.toEqualTypeOf<[Tensor, Tensor, Tensor, AttentionOptions?]>();
    const e = Math.E;
    expect(output.toArray()).toEqual([
      [expect.closeTo(e / (e + 1), 15), expect.closeTo(1 / (e + 1), 15)],
      [expect.closeTo(1 / (e + 1), 15), expect.closeTo(e / (e + 1), 15)],
    ]);
    const seen: number[] = [];
    attention.registerForwardHook((_m, inputs, out) => {
      expectTypeOf(inputs).toEqualTypeOf<[query: Tensor, key: Tensor, value: Tensor, options?: AttentionOptions]>();
      expectTypeOf(out).toEqualTypeOf<AttentionOutput>();
      seen.push(inputs.length);
    });
    expect(attention.forward(q, q, q, { needWeights: false }).weights).toBeNull();
    expect(seen).toEqual([4]);
    // @ts-expect-error: forward needs query, key and value
    expect(() => attention.forward(q)).toThrow();
    expectTypeOf(new BCELoss().forward).parameters.toEqualTypeOf<[input: Tensor, target: Tensor | number[]]>();
    expectTypeOf(new Dense(2, 2).forward).returns.toEqualTypeOf<Tensor>();
  });

  it("a plain tensor does not type-check where a Parameter is declared", () => {
    const dense = new Dense(1, 1);
    // @ts-expect-error: a Tensor is not a Parameter; wrap it in new Parameter(...)
    const assign = () => (dense.weight = tensor([[1]], { requiresGrad: true }));
    assign();
    // Plain JavaScript has no such check; there the traversal refuses it by name.
    expect(() => dense.parameters()).toThrow(/Dense\.weight is a plain Tensor that requires grad/);
  });
});

describe("Dense", () => {
  it("computes x·Wᵀ + b like a naive loop, for batched inputs", () => {
    const dense = new Dense(3, 2, { seed: 4 });
    const x = randn([2, 5, 3], { seed: 9 });
    const y = dense.forward(x).toArray() as number[][][];
    const W = dense.weight.toArray() as number[][];
    const b = dense.bias!.toArray() as number[];
    const xs = x.toArray() as number[][][];
    xs.forEach((batch, i) =>
      batch.forEach((row, r) =>
        W.forEach((w, o) => expect(y[i]![r]![o]).toBeCloseTo(row.reduce((s, v, k) => s + v * w[k]!, b[o]!), 14)),
      ),
    );
  });

  it("initialises from U(−1/√in, 1/√in) as PyTorch, reproducibly from a seed", () => {
    const dense = new Dense(64, 100, { seed: 7 });
    const bound = 1 / 8;
    const w = dense.weight.toFloat64Array();
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    // A uniform on [−a, a] has variance a²/3; 6400 draws estimate it within a few percent.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(Math.abs(variance - (bound * bound) / 3)).toBeLessThan(0.1 * ((bound * bound) / 3));
    expect(new Dense(64, 100, { seed: 7 }).weight.toFloat64Array()).toEqual(w);
    expect(Linear).toBe(Dense);
  });

  it("rejects bad sizes and inputs with clear messages", () => {
    expect(() => new Dense(0, 3)).toThrow(/Dense: inFeatures must be a positive integer, got 0/);
    expect(() => new Dense(2, 2.5)).toThrow(/outFeatures must be a positive integer/);
    expect(() => new Dense(3, 2).forward(tensor([[1, 2]]))).toThrow(/Dense.forward: expected input \[..., 3\], got \[1,2\]/);
  });
});

describe("losses", () => {
  const p = tensor([[0.1], [0.7], [0.95]], { requiresGrad: true });
  const y = tensor([[0], [1], [1]]);
  const bce = (pi: number, yi: number) => -(yi * Math.max(Math.log(pi), -100) + (1 - yi) * Math.max(Math.log(1 - pi), -100));

  it("BCELoss matches the formula with mean, sum and none", () => {
    const terms = [bce(0.1, 0), bce(0.7, 1), bce(0.95, 1)];
    expect(new BCELoss().forward(p, y).item()).toBeCloseTo(terms.reduce((a, b) => a + b) / 3, 15);
    expect(new BCELoss({ reduction: "sum" }).forward(p, y).item()).toBeCloseTo(terms.reduce((a, b) => a + b), 15);
    expect((new BCELoss({ reduction: "none" }).forward(p, y).toArray() as number[][]).flat()).toEqual(terms.map((t) => expect.closeTo(t, 15)));
    gradcheck((q) => new BCELoss().forward(q, y), [tensor([[0.2], [0.6], [0.9]], { requiresGrad: true })]);
  });

  it("BCELoss clamps log at −100: inputs of exactly 0 and 1 give finite losses and gradients", () => {
    const q = tensor([0, 1, 0, 1], { requiresGrad: true });
    const loss = new BCELoss({ reduction: "sum" }).forward(q, tensor([0, 1, 1, 0]));
    expect(loss.item()).toBe(200);
    loss.backward();
    expect(q.grad!.toFloat64Array().every(Number.isFinite)).toBe(true);
    expect(() => new BCELoss().forward(tensor([1.2]), tensor([1]))).toThrow(/BCELoss: every input must lie in \[0, 1\], got 1.2/);
    expect(() => new BCELoss().forward(tensor([0.5, 0.5]), tensor([1]))).toThrow(/target shape \[1\] differs from input shape \[2\]/);
  });

  it("BCEWithLogitsLoss is stable at ±1000 and has gradient σ(x) − y at 0", () => {
    const z = tensor([1000, -1000, 0, 2], { requiresGrad: true });
    const t = tensor([0, 1, 1, 0]);
    const loss = new BCEWithLogitsLoss({ reduction: "none" }).forward(z, t);
    const expected = [1000, 1000, Math.log(2), 2 + Math.log1p(Math.exp(-2))];
    (loss.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    loss.sum().backward();
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    expect(z.grad!.toArray()).toEqual([1, -1, 0.5 - 1, sig(2)].map((v) => expect.closeTo(v, 15)));
    gradcheck((q) => new BCEWithLogitsLoss().forward(q, tensor([0, 1, 0.3])), [tensor([-1.5, 0.4, 3], { requiresGrad: true })]);
  });

  it("MSELoss and CrossEntropyLoss match their formulas", () => {
    expect(new MSELoss().forward(tensor([1, 2, 4]), tensor([1, 0, 1])).item()).toBeCloseTo((0 + 4 + 9) / 3, 15);
    const logits = tensor([[1, 2, 3], [0.5, -1, 2]], { requiresGrad: true });
    const ce = (row: number[], k: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[k]!;
    expect(new CrossEntropyLoss().forward(logits, [2, 0]).item()).toBeCloseTo((ce([1, 2, 3], 2) + ce([0.5, -1, 2], 0)) / 2, 14);
    expect(new CrossEntropyLoss().forward(logits, tensor([2, 0])).item()).toBeCloseTo((ce([1, 2, 3], 2) + ce([0.5, -1, 2], 0)) / 2, 14);
    gradcheck((q) => new CrossEntropyLoss().forward(q, [1, 2]), [logits]);
    expect(() => new CrossEntropyLoss().forward(logits, [3, 0])).toThrow(/target 3 at position 0 is not a class index in \[0, 3\)/);
    expect(() => new CrossEntropyLoss().forward(logits, [0.5, 0])).toThrow(/not a class index/);
    expect(() => new CrossEntropyLoss().forward(logits, [0])).toThrow(/class indices of shape \[2\]/);
    expect(new CrossEntropyLoss().forward(tensor([[1000, -1000]]), [1]).item()).toBe(2000);
    expect(() => new MSELoss({ reduction: "avg" as never })).toThrow(/reduction must be 'mean', 'sum' or 'none'/);
  });
});

describe("init", () => {
  it("follows the fan-in/fan-out formulas and is reproducible", () => {
    const w = tensor(new Float64Array(200 * 300), { shape: [200, 300] });
    init.xavierUniform(w, { seed: 1 });
    const a = Math.sqrt(6 / 500);
    expect(Math.max(...w.toFloat64Array())).toBeLessThanOrEqual(a);
    expect(Math.max(...w.toFloat64Array())).toBeGreaterThan(0.99 * a);
    init.kaimingNormal(w, { seed: 1 });
    const std = Math.sqrt(w.toFloat64Array().reduce((s, v) => s + v * v, 0) / w.size);
    // gain √2 (leaky_relu with a = 0) over √fanIn; 60,000 draws estimate std within 1%.
    expect(Math.abs(std - Math.SQRT2 / Math.sqrt(300))).toBeLessThan(0.01 * (Math.SQRT2 / Math.sqrt(300)));
    const again = tensor(new Float64Array(200 * 300), { shape: [200, 300] });
    expect(init.kaimingNormal(again, { seed: 1 }).toFloat64Array()).toEqual(w.toFloat64Array());
    expect(init.calculateGain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(init.zeros(tensor([1, 2])).toArray()).toEqual([0, 0]);
  });
});

describe("data", () => {
  it("makeMoons has scikit-learn's noiseless geometry and balanced labels", () => {
    const { X, y } = data.makeMoons({ nSamples: 7, noise: 0, shuffle: false });
    const rows = X.toArray() as number[][];
    const labels = (y.toArray() as number[][]).flat();
    expect(labels).toEqual([0, 0, 0, 1, 1, 1, 1]);
    const t3 = [0, Math.PI / 2, Math.PI];
    const t4 = [0, Math.PI / 3, (2 * Math.PI) / 3, Math.PI];
    t3.forEach((t, i) => expect(rows[i]).toEqual([expect.closeTo(Math.cos(t), 15), expect.closeTo(Math.sin(t), 15)]));
    t4.forEach((t, i) => expect(rows[3 + i]).toEqual([expect.closeTo(1 - Math.cos(t), 15), expect.closeTo(1 - Math.sin(t) - 0.5, 15)]));
  });

  it("makeCircles puts the inner circle at radius factor", () => {
    const { X, y } = data.makeCircles({ nSamples: 10, factor: 0.3, shuffle: false });
    const rows = X.toArray() as number[][];
    (y.toArray() as number[][]).flat().forEach((label, i) => expect(Math.hypot(...(rows[i] as [number, number]))).toBeCloseTo(label ? 0.3 : 1, 14));
    expect(() => data.makeCircles({ factor: 1 })).toThrow(/factor must be a number in \(0, 1\), got 1/);
    expect(() => data.makeMoons({ nSamples: 0 })).toThrow(/nSamples must be a positive integer/);
    expect(() => data.makeMoons({ noise: -1 })).toThrow(/noise must be a finite number ≥ 0/);
  });

  it("is reproducible for a seed and noise has the requested standard deviation", () => {
    const a = data.makeMoons({ nSamples: 4000, noise: 0.2, seed: 3 });
    const b = data.makeMoons({ nSamples: 4000, noise: 0.2, seed: 3 });
    expect(a.X.toFloat64Array()).toEqual(b.X.toFloat64Array());
    expect(data.makeMoons({ nSamples: 4000, noise: 0.2, seed: 4 }).X.toFloat64Array()).not.toEqual(a.X.toFloat64Array());
    const clean = data.makeMoons({ nSamples: 4000, noise: 0, seed: 3 });
    const diff = Float64Array.from(a.X.toFloat64Array(), (v, i) => v - clean.X.toFloat64Array()[i]!);
    const std = Math.sqrt(diff.reduce((s, v) => s + v * v, 0) / diff.length);
    // 8000 draws: the sample std has standard error 0.2/√16000 ≈ 0.0016; allow 4 of them.
    expect(Math.abs(std - 0.2)).toBeLessThan(4 * 0.2 / Math.sqrt(16000));
  });

  it("trainTestSplit keeps rows aligned and covers every row once", () => {
    const X = tensor(Array.from({ length: 10 }, (_, i) => [i, 10 * i]));
    const y = tensor(Array.from({ length: 10 }, (_, i) => [i]));
    const [xTrain, xTest, yTrain, yTest] = data.trainTestSplit(X, y, { testSize: 0.25, seed: 1 });
    expect(xTest!.shape).toEqual([3, 2]); // ⌈0.25·10⌉
    expect(xTrain!.shape).toEqual([7, 2]);
    const ids = [...(yTrain!.toArray() as number[][]), ...(yTest!.toArray() as number[][])].flat();
    expect([...ids].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    (xTrain!.toArray() as number[][]).forEach((row, i) => expect(row).toEqual([(yTrain!.toArray() as number[][])[i]![0], 10 * (yTrain!.toArray() as number[][])[i]![0]!]));
    expect(() => data.trainTestSplit(X, tensor([[1]]))).toThrow(/first dimensions differ/);
    expect(() => data.trainTestSplit(X, y, { testSize: 10 })).toThrow(/leaves the train or test set empty/);
  });

  it("DataLoader batches every row once per epoch, shuffles per epoch, reproducibly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (n, batchSize, dropLast) => {
        const X = tensor(Array.from({ length: n }, (_, i) => [i, -i]));
        const y = tensor(Array.from({ length: n }, (_, i) => [i]));
        const loader = new data.DataLoader([X, y], { batchSize, shuffle: true, seed: 5, dropLast });
        const epochs = [0, 1].map(() => [...loader]);
        for (const batches of epochs) {
          expect(batches.length).toBe(loader.length);
          const seen = batches.flatMap(([xb, yb]) => {
            expect(xb!.shape[0]).toBeLessThanOrEqual(batchSize);
            if (dropLast) expect(xb!.shape[0]).toBe(batchSize);
            (xb!.toArray() as number[][]).forEach((row, i) => expect(row[1]).toBe(-(yb!.toArray() as number[][])[i]![0]!));
            return (yb!.toArray() as number[][]).flat();
          });
          expect(new Set(seen).size).toBe(seen.length);
          expect(seen.length).toBe(dropLast ? Math.floor(n / batchSize) * batchSize : n);
        }
        const again = new data.DataLoader([X, y], { batchSize, shuffle: true, seed: 5, dropLast });
        expect([...again].map(([, yb]) => yb!.toArray())).toEqual(epochs[0]!.map(([, yb]) => yb!.toArray()));
      }),
      { numRuns: 30 },
    );
    expect(() => new data.DataLoader([tensor([[1]])], { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});

describe("safetensors", () => {
  it("round-trips a model's state dict bit-exactly through a file", () => {
    const model = new Sequential(new Dense(2, 3, { seed: 1 }), new Tanh(), new Dense(3, 1, { seed: 2 }));
    const file = join(mkdtempSync(join(tmpdir(), "st-")), "m.safetensors");
    saveSafetensors(file, model.stateDict(), { metadata: { note: "test" } });
    const fresh = new Sequential(new Dense(2, 3, { seed: 8 }), new Tanh(), new Dense(3, 1, { seed: 9 }));
    fresh.loadStateDict(loadSafetensors(file));
    expect(bytesOf(fresh)).toEqual(bytesOf(model));
  });

  it("writes the header the format specifies, checked by parsing the bytes independently", () => {
    const bytes = encodeStateDict({ b: tensor([1.5, -0]), a: tensor([[1, 2], [3, 4]]) });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.a).toEqual({ dtype: "F64", shape: [2, 2], data_offsets: [0, 32] });
    expect(header.b).toEqual({ dtype: "F64", shape: [2], data_offsets: [32, 48] });
    expect(bytes.length).toBe(8 + n + 48);
    expect(view.getFloat64(8 + n + 24, true)).toBe(4);
    expect(Object.is(view.getFloat64(8 + n + 40, true), -0)).toBe(true);
  });

  it("round-trips special values, 0-d and empty tensors bit-exactly", () => {
    const specials = tensor([NaN, Infinity, -Infinity, -0, 5e-324, 1.7976931348623157e308]);
    const decoded = decodeStateDict(encodeStateDict({ s: specials, scalar: tensor(3.25), empty: tensor(new Float64Array(0), { shape: [0, 4] }) }));
    expect(new Uint8Array(decoded.s!.toFloat64Array().buffer)).toEqual(new Uint8Array(specials.toFloat64Array().buffer));
    expect(decoded.scalar!.shape).toEqual([]);
    expect(decoded.scalar!.item()).toBe(3.25);
    expect(decoded.empty!.shape).toEqual([0, 4]);
  });

  it("rejects malformed files with clear errors", () => {
    const good = encodeStateDict({ w: tensor([1, 2]) });
    const header = (text: string, dataBytes = 0) => {
      const json = new TextEncoder().encode(text);
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, 5), /too short/],
      [good.subarray(0, good.length - 3), /data_offsets \[0, 16\] lie outside|cover/],
      [header("not json"), /not valid UTF-8 JSON/],
      [header('{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}', 8), /dtype "C64" is not supported/],
      [header('{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}', 8), /span 8 bytes but shape \[2\] of F64 needs 16/],
      [header('{"w":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}', 16), /leave a gap/],
      [header('{"w":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}', 8), /shape must be a list of non-negative integers/],
    ];
    for (const [bytes, message] of cases) expect(() => decodeStateDict(bytes)).toThrow(message);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => decodeStateDict(huge)).toThrow(/exceeds/);
    const file = join(mkdtempSync(join(tmpdir(), "st-")), "bad.safetensors");
    writeFileSync(file, good.subarray(0, 10));
    expect(() => loadSafetensors(file)).toThrow(/runs past the end/);
    expect(readFileSync(file).length).toBe(10);
  });
});

export type { NDArray };

describe("Module options are checked (issue 12)", () => {
  it("loadStateDict(dict, { strict: false }) from habit works; strict: 'false' and typos are errors", () => {
    const model = new Sequential(new Dense(2, 1, { seed: 0 }));
    const partial = { "0.weight": model.stateDict()["0.weight"]! };
    expect(model.loadStateDict(partial, { strict: false }).missingKeys).toEqual(["0.bias"]);
    expect(() => model.loadStateDict(partial, { strict: "false" } as never)).toThrow('loadStateDict: strict must be true or false, got "false"');
    expect(() => model.loadStateDict(partial, { Strict: false } as never)).toThrow('loadStateDict: unknown option "Strict"; did you mean "strict"?');
  });
  it("registerBuffer persistent must be a boolean; namedModules options are checked", () => {
    const model = new Sequential(new Dense(2, 1, { seed: 0 }));
    expect(() => model.registerBuffer("running", zeros([1]), { persistant: false } as never)).toThrow('did you mean "persistent"?');
    expect(() => model.registerBuffer("running", zeros([1]), { persistent: 0 } as never)).toThrow("registerBuffer: persistent must be true or false, got 0");
    expect(() => model.namedModules({ prefx: "m" } as never)).toThrow('namedModules: unknown option "prefx"; did you mean "prefix"?');
  });
});
