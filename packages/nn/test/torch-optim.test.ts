import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
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
