import { describe, expect, it } from "vitest";
import { Tensor, noGrad, tensor } from "@tapegrad/autograd";
import { Generator } from "@tapegrad/tensor";
import { BCELoss, Dense, ReLU, Sequential, Sigmoid, Tanh, optim } from "@tapegrad/nn";

// torch.optim's update rules written out as plain loops (from the PyTorch documentation's
// pseudo-code), applied to copies of the weights and gradients, must agree with tapegrad's
// optimizers step after step on a 2-16-16-1 network.

function network(hidden: "relu" | "tanh"): Sequential {
  const act = () => (hidden === "relu" ? new ReLU() : new Tanh());
  return new Sequential(new Dense(2, 16, { seed: 1 }), act(), new Dense(16, 16, { seed: 2 }), act(), new Dense(16, 1, { seed: 3 }), new Sigmoid());
}

const g = new Generator(11);
const X = new Tensor(g.normalArray([32, 2]));
const Y = tensor(Array.from({ length: 32 }, (_, i) => [i % 2]));

interface Rule {
  init(n: number): Record<string, Float64Array | number>;
  step(p: Float64Array, grad: Float64Array, s: Record<string, Float64Array | number>): void;
}

const sgdRule = (lr: number, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false): Rule => ({
  init: (n) => ({ buf: new Float64Array(n), t: 0 }),
  step(p, grad, s) {
    const buf = s.buf as Float64Array;
    const first = s.t === 0;
    s.t = (s.t as number) + 1;
    for (let i = 0; i < p.length; i++) {
      let d = weightDecay !== 0 ? grad[i]! + weightDecay * p[i]! : grad[i]!;
      if (momentum !== 0) {
        buf[i] = first ? d : momentum * buf[i]! + (1 - dampening) * d; // b₁ = d, then μb + (1 − τ)d
        d = nesterov ? d + momentum * buf[i]! : buf[i]!;
      }
      p[i] = p[i]! - lr * d;
    }
  },
});

const adamRule = (lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean): Rule => ({
  init: (n) => ({ m: new Float64Array(n), v: new Float64Array(n), t: 0 }),
  step(p, grad, s) {
    const m = s.m as Float64Array;
    const v = s.v as Float64Array;
    const t = (s.t = (s.t as number) + 1);
    for (let i = 0; i < p.length; i++) {
      let gi = grad[i]!;
      if (decoupled) p[i] = p[i]! * (1 - lr * weightDecay);
      else if (weightDecay !== 0) gi = gi + weightDecay * p[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * gi;
      v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
      const mHat = m[i]! / (1 - beta1 ** t);
      const vHat = v[i]! / (1 - beta2 ** t);
      p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  },
});

const rmspropRule = (lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean): Rule => ({
  init: (n) => ({ v: new Float64Array(n), gAvg: new Float64Array(n), b: new Float64Array(n) }),
  step(p, grad, s) {
    const v = s.v as Float64Array;
    const gAvg = s.gAvg as Float64Array;
    const b = s.b as Float64Array;
    for (let i = 0; i < p.length; i++) {
      const gi = grad[i]! + weightDecay * p[i]!;
      v[i] = alpha * v[i]! + (1 - alpha) * gi * gi;
      let vHat = v[i]!;
      if (centered) {
        gAvg[i] = alpha * gAvg[i]! + (1 - alpha) * gi;
        vHat -= gAvg[i]! ** 2;
      }
      const update = gi / (Math.sqrt(vHat) + eps);
      if (momentum > 0) {
        b[i] = momentum * b[i]! + update;
        p[i] = p[i]! - lr * b[i]!;
      } else p[i] = p[i]! - lr * update;
    }
  },
});

const adagradRule = (lr: number, lrDecay: number, weightDecay: number, initial: number, eps: number): Rule => ({
  init: (n) => ({ sum: new Float64Array(n).fill(initial), t: 0 }),
  step(p, grad, s) {
    const sum = s.sum as Float64Array;
    const t = (s.t = (s.t as number) + 1);
    const rate = lr / (1 + (t - 1) * lrDecay);
    for (let i = 0; i < p.length; i++) {
      const gi = grad[i]! + weightDecay * p[i]!;
      sum[i] = sum[i]! + gi * gi;
      p[i] = p[i]! - (rate * gi) / (Math.sqrt(sum[i]!) + eps);
    }
  },
});

function follow(makeOptimizer: (params: Tensor[]) => optim.Optimizer, rule: Rule, hidden: "relu" | "tanh", steps = 6): void {
  const model = network(hidden);
  const params = model.parameters();
  const reference = params.map((p) => p.toFloat64Array());
  const state = params.map((p) => rule.init(p.size));
  const optimizer = makeOptimizer(params);
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    new BCELoss().forward(model.forward(X), Y).backward();
    // The rule sees the same gradients, computed at tapegrad's current weights.
    params.forEach((p, i) => {
      const current = p.toFloat64Array();
      current.forEach((v, j) => {
        if (Math.abs(v - reference[i]![j]!) > 1e-12 * Math.max(1, Math.abs(v))) throw new Error(`step ${step}: param ${i}[${j}] ${v} vs rule ${reference[i]![j]}`);
      });
      rule.step(reference[i]!, p.grad!.toFloat64Array(), state[i]!);
    });
    optimizer.step();
  }
  params.forEach((p, i) => {
    p.toFloat64Array().forEach((v, j) => {
      expect(Math.abs(v - reference[i]![j]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
    });
  });
}

describe("optimizers follow torch.optim's update rules", () => {
  it("SGD", () => follow((p) => new optim.SGD(p, { lr: 0.1 }), sgdRule(0.1), "tanh"));
  it("SGD with momentum and dampening", () => follow((p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1 }), sgdRule(0.05, 0.9, 0.1), "relu"));
  it("SGD with weight decay and Nesterov", () =>
    follow((p) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, weightDecay: 0.01, nesterov: true }), sgdRule(0.05, 0.8, 0, 0.01, true), "tanh"));
  it("Adam", () => follow((p) => new optim.Adam(p, { lr: 0.01 }), adamRule(0.01, 0.9, 0.999, 1e-8, 0, false), "relu"));
  it("Adam with L2 weight decay", () =>
    follow((p) => new optim.Adam(p, { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }), adamRule(0.02, 0.8, 0.99, 1e-6, 0.1, false), "tanh"));
  it("AdamW (decoupled weight decay, default 0.01)", () => follow((p) => new optim.AdamW(p, { lr: 0.01 }), adamRule(0.01, 0.9, 0.999, 1e-8, 0.01, true), "relu"));
  it("RMSprop (defaults lr 1e-2, alpha 0.99, eps 1e-8)", () => follow((p) => new optim.RMSprop(p), rmspropRule(1e-2, 0.99, 1e-8, 0, 0, false), "tanh"));
  it("RMSprop centered, with momentum and weight decay", () =>
    follow(
      (p) => new optim.RMSprop(p, { lr: 0.005, alpha: 0.9, eps: 1e-6, weightDecay: 0.05, momentum: 0.7, centered: true }),
      rmspropRule(0.005, 0.9, 1e-6, 0.05, 0.7, true),
      "relu",
    ));
  it("Adagrad (defaults lr 1e-2, eps 1e-10)", () => follow((p) => new optim.Adagrad(p), adagradRule(1e-2, 0, 0, 0, 1e-10), "relu"));
  it("Adagrad with lr decay, weight decay and an initial accumulator", () =>
    follow((p) => new optim.Adagrad(p, { lr: 0.05, lrDecay: 0.1, weightDecay: 0.01, initialAccumulatorValue: 0.5, eps: 1e-6 }), adagradRule(0.05, 0.1, 0.01, 0.5, 1e-6), "tanh"));
});

describe("optimizer safety", () => {
  const params = () => network("relu").parameters();
  it.each([
    ["negative lr", () => new optim.SGD(params(), { lr: -1 }), /SGD: invalid lr -1/],
    ["negative momentum", () => new optim.SGD(params(), { lr: 0.1, momentum: -0.5 }), /invalid momentum/],
    ["nesterov without momentum", () => new optim.SGD(params(), { lr: 0.1, nesterov: true }), /Nesterov momentum requires/],
    ["beta1 = 1", () => new optim.Adam(params(), { betas: [1, 0.999] }), /Adam: invalid beta1 1: expected a number in \[0, 1\)/],
    ["beta2 < 0", () => new optim.Adam(params(), { betas: [0.9, -0.1] }), /invalid beta2/],
    ["eps = 0", () => new optim.AdamW(params(), { eps: 0 }), /AdamW: invalid eps 0/],
    ["negative weight decay", () => new optim.Adam(params(), { weightDecay: -1 }), /invalid weightDecay/],
    ["empty parameter list", () => new optim.SGD([], { lr: 0.1 }), /empty parameter list/],
    ["a non-leaf", () => new optim.SGD([tensor([1], { requiresGrad: true }).mul(2)], { lr: 0.1 }), /SGD: parameter 0 is not a leaf tensor \(it is the output of mul\)/],
  ])("rejects %s", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("skips parameters without a gradient", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.mul(a).sum().backward();
    opt.step();
    expect(b.toArray()).toEqual([3, 4]);
    expect(a.toArray()).not.toEqual([1, 2]);
  });

  it("saves and restores its state: a resumed run continues exactly", () => {
    const run = (resumeAt: number | null) => {
      const model = network("tanh");
      let opt = new optim.Adam(model.parameters(), { lr: 0.01 });
      for (let step = 0; step < 6; step++) {
        if (step === resumeAt) {
          const saved = JSON.parse(JSON.stringify(opt.stateDict()));
          opt = new optim.Adam(model.parameters(), { lr: 0.01 });
          opt.loadStateDict(saved);
        }
        opt.zeroGrad();
        new BCELoss().forward(model.forward(X), Y).backward();
        opt.step();
      }
      return model.parameters().map((p) => p.toFloat64Array());
    };
    expect(run(3)).toEqual(run(null));
  });

  it("rejects a state dict for other parameters without changing its state", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    a.sum().backward();
    opt.step();
    const before = JSON.stringify(opt.stateDict());
    const saved = opt.stateDict();
    expect(() => opt.loadStateDict({ ...saved, state: { 0: { momentumBuffer: [1, 2, 3] } } })).toThrow(/buffer momentumBuffer of parameter 0 must be 2 numbers/);
    expect(() => opt.loadStateDict({ ...saved, state: { 5: {} } })).toThrow(/state for parameter 5/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it("zeroGrad clears gradients", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1 });
    a.sum().backward();
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    noGrad(() => expect(a.requiresGrad).toBe(true));
  });
});

describe("in-place safety", () => {
  it("forward, optimizer.step(), backward: backward refuses, naming the op, and changes nothing", () => {
    const model = new Sequential(new Dense(2, 3, { seed: 1 }), new ReLU(), new Dense(3, 1, { seed: 2 }), new Sigmoid());
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const loss = new BCELoss().forward(model.forward(X), Y);
    loss.backward(undefined, { retainGraph: true });
    const grads = model.parameters().map((p) => p.grad!.toFloat64Array());
    opt.step(); // modifies the weights the graph saved
    expect(() => loss.backward()).toThrow(/input 1 \(shape \[1,3\], now at version 1\) of linear\(\[32,3\], \[1,3\], \[1\]\) was modified in place/);
    model.parameters().forEach((p, i) => expect(p.grad!.toFloat64Array()).toEqual(grads[i]));
  });
});

describe("parameter groups", () => {
  const leaf = (values: number[]) => tensor(values, { requiresGrad: true });
  const weightsAndBiases = () => {
    const named = network("tanh").namedParameters();
    return { weights: named.filter(([n]) => n.endsWith("weight")).map(([, p]) => p), biases: named.filter(([n]) => n.endsWith("bias")).map(([, p]) => p) };
  };

  it("fills each group from the defaults and keeps its overrides", () => {
    const { weights, biases } = weightsAndBiases();
    const opt = new optim.SGD([{ params: weights, lr: 0.5, weightDecay: 0.1 }, { params: biases }], { lr: 0.05, momentum: 0.9 });
    expect(opt.paramGroups.map(({ params, ...h }) => ({ n: params.length, ...h }))).toEqual([
      { n: 3, lr: 0.5, momentum: 0.9, dampening: 0, weightDecay: 0.1, nesterov: false },
      { n: 3, lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
    ]);
    expect(opt.defaults).toEqual({ lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false });
  });

  it("updates each group with its own learning rate, read at step time", () => {
    const a = leaf([1, 2]);
    const b = leaf([3]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.mul(a).sum().add(b.mul(3).sum()).backward(); // ∂a = 2a = [2, 4], ∂b = 3
    opt.paramGroups[0]!.lr = 0.25; // as a scheduler would
    opt.step();
    expect(a.toArray()).toEqual([1 - 0.25 * 2, 2 - 0.25 * 4]);
    expect(b.toArray()).toEqual([3 - 0.5 * 3]);
  });

  it("optimizer.lr reads the first group's and sets every group's", () => {
    const opt = new optim.Adam([{ params: [leaf([1])] }, { params: [leaf([2])], lr: 0.5 }], { lr: 0.1 });
    expect(opt.lr).toBe(0.1);
    opt.lr = 0.02;
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.02, 0.02]);
    expect(() => (opt.lr = -1)).toThrow(/Adam: invalid lr -1/);
  });

  it("lr may be given per group only (SGD has no default lr, as in torch)", () => {
    const opt = new optim.SGD([{ params: [leaf([1])], lr: 0.1 }, { params: [leaf([2])], lr: 0.2 }], {} as never);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.2]);
    expect(() => new optim.SGD([{ params: [leaf([1])], lr: 0.1 }, { params: [leaf([2])] }], {} as never)).toThrow(/SGD: param group 1: lr is required/);
  });

  it("addParamGroup adds a group that trains with its own hyperparameters", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 1 });
    a.add(b).sum().backward();
    opt.step();
    expect([a.item(), b.item()]).toEqual([1 - 0.1, 0]);
  });

  it.each([
    ["a parameter in two groups", (a: Tensor, b: Tensor) => new optim.SGD([{ params: [a, b] }, { params: [b] }], { lr: 0.1 }), /SGD: param group 1, parameter 0 is already in another parameter group/],
    ["a parameter twice in one group", (a: Tensor) => new optim.Adam([{ params: [a, a] }]), /Adam: param group 0, parameter 1 appears more than once/],
    ["a snake_case key in a group", (a: Tensor) => new optim.Adam([{ params: [a], weight_decay: 0.1 } as never]), /Adam: param group 0: unknown option "weight_decay"; did you mean "weightDecay"\?/],
    ["a group without params", (a: Tensor) => new optim.SGD([{ params: [a] }, { lr: 0.1 } as never], { lr: 0.1 }), /SGD: param group 1: a parameter group needs a 'params' entry/],
    ["params that are not tensors", (a: Tensor) => new optim.SGD([{ params: [a] }, { params: 3 } as never], { lr: 0.1 }), /SGD: param group 1: params must be a tensor or an iterable of tensors/],
    ["a non-Tensor in a group", (a: Tensor) => new optim.SGD([{ params: [a, [1]] } as never], { lr: 0.1 }), /SGD: param group 0, parameter 1 is not a Tensor/],
    ["a mix of groups and tensors", (a: Tensor, b: Tensor) => new optim.SGD([{ params: [a] }, b] as never, { lr: 0.1 }), /SGD: param group 1 is a Tensor: pass either tensors or groups/],
    ["a non-Tensor in a list", (a: Tensor) => new optim.SGD([a, 5] as never, { lr: 0.1 }), /SGD: parameter 1 is not a Tensor/],
    ["an invalid group hyperparameter", (a: Tensor, b: Tensor) => new optim.RMSprop([{ params: [a] }, { params: [b], alpha: -1 }]), /RMSprop: param group 1: invalid alpha -1/],
    ["a non-boolean flag in a group", (a: Tensor) => new optim.RMSprop([{ params: [a], centered: 1 as never }]), /RMSprop: param group 0: centered must be a boolean, got 1/],
  ])("rejects %s", (_, make, message) => {
    expect(() => make(leaf([1]), leaf([2]))).toThrow(message);
  });

  it("addParamGroup with a parameter already present throws and adds nothing", () => {
    const a = leaf([1]);
    const opt = new optim.SGD([a], { lr: 0.1 });
    expect(() => opt.addParamGroup({ params: [leaf([2]), a] })).toThrow(/param group 1, parameter 1 is already in another parameter group/);
    expect(opt.paramGroups).toHaveLength(1);
  });

  it("accepts frozen parameters (requiresGrad false) and skips them while they have no gradient", () => {
    const frozen = tensor([5, 6]);
    const live = leaf([1]);
    const opt = new optim.Adam([frozen, live], { lr: 0.1 });
    live.mul(2).sum().backward();
    const before = frozen.version;
    opt.step();
    expect(frozen.toArray()).toEqual([5, 6]);
    expect(frozen.version).toBe(before);
    expect(live.item()).not.toBe(1);
    expect(opt.stateDict().state).toHaveProperty("1");
    expect(opt.stateDict().state).not.toHaveProperty("0");
  });

  it("bumps each updated parameter's version once per step", () => {
    const { weights, biases } = weightsAndBiases();
    const params = [...weights, ...biases];
    const opt = new optim.SGD([{ params: weights }, { params: biases, lr: 0.2 }], { lr: 0.1, momentum: 0.5 });
    params.forEach((p) => (p.grad = tensor(new Float64Array(p.size).fill(1), { shape: [...p.shape] } as never)));
    const before = params.map((p) => p.version);
    opt.step();
    expect(params.map((p) => p.version)).toEqual(before.map((v) => v + 1));
  });
});

describe("options objects", () => {
  const params = () => [tensor([1, 2], { requiresGrad: true })];
  it.each([
    ["Adam weight_decay", () => new optim.Adam(params(), { weight_decay: 0.1 } as never), /Adam: unknown option "weight_decay"; did you mean "weightDecay"\?/],
    ["SGD weightdecay", () => new optim.SGD(params(), { lr: 0.1, weightdecay: 0.1 } as never), /did you mean "weightDecay"/],
    ["RMSprop centred", () => new optim.RMSprop(params(), { centred: true } as never), /RMSprop: unknown option "centred"; did you mean "centered"\?/],
    ["Adagrad lr_decay", () => new optim.Adagrad(params(), { lr_decay: 0.1 } as never), /did you mean "lrDecay"/],
    ["Adagrad initial_accumulator_value", () => new optim.Adagrad(params(), { initial_accumulator_value: 0.1 } as never), /did you mean "initialAccumulatorValue"/],
    ["an unrelated key", () => new optim.SGD(params(), { lr: 0.1, foo: 1 } as never), /SGD: unknown option "foo"; expected one of "lr", "momentum", "dampening", "weightDecay", "nesterov"/],
    ["a non-boolean nesterov", () => new optim.SGD(params(), { lr: 0.1, momentum: 0.9, nesterov: "yes" } as never), /SGD: nesterov must be a boolean, got "yes"/],
    ["a string lr", () => new optim.Adam(params(), { lr: "0.1" } as never), /Adam: invalid lr "0.1"/],
    ["options that are not an object", () => new optim.RMSprop(params(), 0.1 as never), /RMSprop: options must be an object/],
    ["zeroGrad set_to_none", () => new optim.SGD(params(), { lr: 0.1 }).zeroGrad({ set_to_none: false } as never), /zeroGrad: unknown option "set_to_none"; did you mean "setToNone"\?/],
  ])("rejects %s", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("zeroGrad({ setToNone: false }) fills gradients with zeros, in place", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1 });
    a.mul(3).sum().backward();
    const grad = a.grad;
    opt.zeroGrad({ setToNone: false });
    expect(a.grad).toBe(grad);
    expect(a.grad!.toArray()).toEqual([0, 0]);
  });
});

describe("stateDict in torch.optim's layout", () => {
  const twoGroupAdam = (model: Sequential) => {
    const named = model.namedParameters();
    return new optim.Adam(
      [
        { params: named.filter(([n]) => n.endsWith("weight")).map(([, p]) => p), weightDecay: 0.01 },
        { params: named.filter(([n]) => n.endsWith("bias")).map(([, p]) => p), lr: 0.02, betas: [0.8, 0.9] },
      ],
      { lr: 0.01 },
    );
  };

  it("numbers parameters across groups and lists each group's hyperparameters", () => {
    const model = network("tanh");
    const opt = twoGroupAdam(model);
    opt.zeroGrad();
    new BCELoss().forward(model.forward(X), Y).backward();
    opt.step();
    const dict = opt.stateDict();
    expect(dict.paramGroups).toEqual([
      { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, params: [0, 1, 2] },
      { lr: 0.02, betas: [0.8, 0.9], eps: 1e-8, weightDecay: 0, params: [3, 4, 5] },
    ]);
    expect(Object.keys(dict.state)).toEqual(["0", "1", "2", "3", "4", "5"]);
    expect(dict.state[3]!.step).toBe(1);
    expect((dict.state[4]!.expAvg as number[]).length).toBe(16); // the second bias, [16]
  });

  const resume = (make: (model: Sequential) => optim.Optimizer, resumeAt: number | null) => {
    const model = network("tanh");
    let opt = make(model);
    for (let step = 0; step < 6; step++) {
      if (step === resumeAt) {
        const saved = JSON.parse(JSON.stringify(opt.stateDict()));
        // A fresh optimizer built with other hyperparameters: loading restores the saved ones.
        opt = make(model);
        opt.paramGroups.forEach((g) => (g.lr = 123));
        opt.loadStateDict(saved);
      }
      opt.zeroGrad();
      new BCELoss().forward(model.forward(X), Y).backward();
      opt.step();
    }
    return model.parameters().map((p) => Array.from(p.toFloat64Array()));
  };
  it.each([
    ["Adam with two groups", twoGroupAdam],
    ["SGD with Nesterov momentum", (m: Sequential) => new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true })],
    ["RMSprop centered with momentum", (m: Sequential) => new optim.RMSprop(m.parameters(), { momentum: 0.5, centered: true })],
    ["Adagrad with lr decay", (m: Sequential) => new optim.Adagrad(m.parameters(), { lrDecay: 0.1 })],
  ])("%s: a run resumed from a JSON round trip continues bit for bit", (_, make) => {
    expect(resume(make as never, 3)).toEqual(resume(make as never, null));
  });

  it("loadStateDict with the wrong layout throws and changes nothing", () => {
    const model = network("tanh");
    const opt = twoGroupAdam(model);
    new BCELoss().forward(model.forward(X), Y).backward();
    opt.step();
    const before = JSON.stringify(opt.stateDict());
    const good = opt.stateDict();
    const bad: [unknown, RegExp][] = [
      [{ ...good, paramGroups: [good.paramGroups[0]] }, /Adam.loadStateDict: the state has 1 parameter groups, the optimizer 2/],
      [{ ...good, paramGroups: [good.paramGroups[0], { ...good.paramGroups[1], params: [3, 4] }] }, /param group 1 has 2 parameters, the optimizer's has 3/],
      [{ ...good, state: { ...good.state, 5: { ...good.state[5], expAvgSq: [1, 2] } } }, /buffer expAvgSq of parameter 5 must be 1 numbers for shape \[1\]/],
      [{ ...good, state: { ...good.state, 9: {} } }, /state for parameter 9/],
      [{ ...good, paramGroups: [good.paramGroups[0], { ...good.paramGroups[1], lr: -1 }] }, /Adam.loadStateDict: param group 1: invalid lr -1/],
      [{ ...good, paramGroups: [good.paramGroups[0], { ...good.paramGroups[1], weight_decay: 0 }] }, /unknown option "weight_decay"; did you mean "weightDecay"/],
      [{ hyperparameters: {}, state: {} }, /expected \{ state, paramGroups \}/],
    ];
    for (const [dict, message] of bad) {
      // The valid state comes first in each bad dict, so a partial write would show.
      expect(() => opt.loadStateDict(dict as never)).toThrow(message);
      expect(JSON.stringify(opt.stateDict())).toBe(before);
    }
  });

  it("a saved dict shares no memory with the optimizer", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.Adam([a], { betas: [0.8, 0.9] });
    a.sum().backward();
    opt.step();
    const saved = opt.stateDict();
    (saved.state[0]!.expAvg as number[])[0] = 99;
    (saved.paramGroups[0]!.betas as unknown as number[])[0] = 0.1;
    opt.loadStateDict(saved);
    (saved.paramGroups[0]!.betas as unknown as number[])[1] = 0.2;
    expect(opt.paramGroups[0]!.betas).toEqual([0.1, 0.9]);
    expect((opt.stateDict().state[0]!.expAvg as number[])[0]).toBe(99);
  });
});
