import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Tensor, tensor } from "@tapegrad/autograd";
import { BCELoss, Dense, Sequential, Sigmoid, Tanh, optim } from "@tapegrad/nn";

// torch.optim trained a 2-16-16-1 tanh network for 5 steps from the same weights
// (scripts/torch-fixtures.py); tapegrad's optimizers must land on the same weights.
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-optim.json", import.meta.url), "utf8")) as {
  x: number[][];
  y: number[][];
  initial: Record<string, number[] | number[][]>;
  steps: number;
  results: Record<string, { losses: number[]; state: Record<string, number[] | number[][]> }>;
};

const configs: Record<string, (params: ReturnType<Sequential["parameters"]>) => optim.Optimizer> = {
  sgd: (p) => new optim.SGD(p, { lr: 0.1 }),
  sgd_momentum: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  sgd_nesterov: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true }),
  adam: (p) => new optim.Adam(p, { lr: 0.01 }),
  adam_l2: (p) => new optim.Adam(p, { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }),
  adamw: (p) => new optim.AdamW(p, { lr: 0.01 }),
};

describe("optimizers agree with torch.optim", () => {
  it("covers every optimizer in the fixture", () => {
    expect(Object.keys(configs).sort()).toEqual(Object.keys(fixture.results).sort());
  });
  for (const [name, make] of Object.entries(configs)) {
    it(`${name}: losses and weights after ${fixture.steps} steps agree to 1e-12`, () => {
      const model = new Sequential(new Dense(2, 16), new Tanh(), new Dense(16, 16), new Tanh(), new Dense(16, 1), new Sigmoid());
      model.loadStateDict(Object.fromEntries(Object.entries(fixture.initial).map(([k, v]) => [k, tensor(v)])));
      const optimizer = make(model.parameters());
      const x = tensor(fixture.x);
      const y = tensor(fixture.y);
      const losses: number[] = [];
      for (let step = 0; step < fixture.steps; step++) {
        optimizer.zeroGrad();
        const loss = new BCELoss().forward(model.forward(x), y);
        loss.backward();
        optimizer.step();
        losses.push(loss.item());
      }
      const expected = fixture.results[name]!;
      losses.forEach((l, i) => expect(Math.abs(l - expected.losses[i]!)).toBeLessThan(1e-12));
      for (const [key, t] of Object.entries(model.stateDict())) {
        const want = (expected.state[key] as number[] | number[][]).flat();
        Array.from(t.toFloat64Array()).forEach((v, i) => expect(Math.abs(v - want[i]!) / Math.max(1, Math.abs(want[i]!))).toBeLessThan(1e-12));
      }
    });
  }
});

// Parameter groups (weights, then biases, with their own hyperparameters), RMSprop and
// Adagrad: 8 steps from fixed weights (optimizer_groups() in scripts/torch-fixtures.py).
const groupsFixture = JSON.parse(readFileSync(new URL("./fixtures/torch-optim-groups.json", import.meta.url), "utf8")) as typeof fixture;

type Split = { weights: Tensor[]; biases: Tensor[] };
const groupConfigs: Record<string, (p: Split) => optim.Optimizer> = {
  sgd_groups: ({ weights, biases }) =>
    new optim.SGD(
      [
        { params: weights, lr: 0.1, weightDecay: 0.01 },
        { params: biases },
      ],
      { lr: 0.05, momentum: 0.9 },
    ),
  adam_groups: ({ weights, biases }) =>
    new optim.Adam(
      [
        { params: weights, weightDecay: 0.1 },
        { params: biases, lr: 0.03, betas: [0.8, 0.99] },
      ],
      { lr: 0.01 },
    ),
  rmsprop: ({ weights, biases }) => new optim.RMSprop([...weights, ...biases], { lr: 0.01 }),
  rmsprop_centered: ({ weights, biases }) =>
    new optim.RMSprop([...weights, ...biases], { lr: 0.01, alpha: 0.9, eps: 1e-6, weightDecay: 0.01, momentum: 0.8, centered: true }),
  adagrad: ({ weights, biases }) => new optim.Adagrad([...weights, ...biases], { lr: 0.1 }),
  adagrad_decay: ({ weights, biases }) =>
    new optim.Adagrad([...weights, ...biases], { lr: 0.1, lrDecay: 0.01, weightDecay: 0.02, initialAccumulatorValue: 0.1, eps: 1e-8 }),
};

describe("parameter groups, RMSprop and Adagrad agree with torch.optim", () => {
  it("covers every configuration in the fixture", () => {
    expect(Object.keys(groupConfigs).sort()).toEqual(Object.keys(groupsFixture.results).sort());
  });
  for (const [name, make] of Object.entries(groupConfigs)) {
    it(`${name}: losses and weights after ${groupsFixture.steps} steps agree to 1e-12 relative`, () => {
      const model = new Sequential(new Dense(2, 16), new Tanh(), new Dense(16, 16), new Tanh(), new Dense(16, 1), new Sigmoid());
      model.loadStateDict(Object.fromEntries(Object.entries(groupsFixture.initial).map(([k, v]) => [k, tensor(v)])));
      const named = model.namedParameters();
      const split = {
        weights: [...named].filter(([n]) => n.endsWith("weight")).map(([, p]) => p),
        biases: [...named].filter(([n]) => n.endsWith("bias")).map(([, p]) => p),
      };
      const optimizer = make(split);
      const x = tensor(groupsFixture.x);
      const y = tensor(groupsFixture.y);
      const expected = groupsFixture.results[name]!;
      let worst = 0;
      const relative = (got: number, want: number) => Math.abs(got - want) / Math.max(1e-300, Math.abs(want));
      for (let step = 0; step < groupsFixture.steps; step++) {
        optimizer.zeroGrad();
        const loss = new BCELoss().forward(model.forward(x), y);
        loss.backward();
        optimizer.step();
        worst = Math.max(worst, relative(loss.item(), expected.losses[step]!));
      }
      for (const [key, t] of Object.entries(model.stateDict())) {
        const want = (expected.state[key] as number[] | number[][]).flat();
        Array.from(t.toFloat64Array()).forEach((v, i) => (worst = Math.max(worst, relative(v, want[i]!))));
      }
      expect(worst).toBeLessThan(1e-12);
    });
  }
});
