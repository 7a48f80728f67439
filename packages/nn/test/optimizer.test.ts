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
