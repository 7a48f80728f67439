import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tensor } from "@tapegrad/autograd";
import { optim } from "@tapegrad/nn";

const { lrScheduler } = optim;

// torch.optim.lr_scheduler's rates over 30 steps, two groups (lr 0.1 and 0.05), from
// optimizer_groups() in scripts/torch-fixtures.py; "momenta" are each group's momentum
// (SGD) or β₁ (Adam) after each step, which OneCycleLR cycles.
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-optim-groups.json", import.meta.url), "utf8")) as {
  schedulers: Record<string, { lrs: number[][]; momenta: number[][] }>;
};

const param = () => tensor([0], { requiresGrad: true });
const sgd = () => new optim.SGD([{ params: [param()] }, { params: [param()], lr: 0.05 }], { lr: 0.1, momentum: 0.9 });
const adam = () => new optim.Adam([{ params: [param()] }, { params: [param()], lr: 0.05 }], { lr: 0.1 });

const configs: Record<string, [() => optim.Optimizer, (o: optim.Optimizer) => optim.lrScheduler.LRScheduler]> = {
  step: [sgd, (o) => new lrScheduler.StepLR(o, 7, { gamma: 0.5 })],
  multistep: [sgd, (o) => new lrScheduler.MultiStepLR(o, [3, 8, 8, 20], { gamma: 0.3 })],
  exponential: [sgd, (o) => new lrScheduler.ExponentialLR(o, 0.9)],
  cosine: [sgd, (o) => new lrScheduler.CosineAnnealingLR(o, 10, { etaMin: 0.001 })],
  cosine_zero: [sgd, (o) => new lrScheduler.CosineAnnealingLR(o, 12)],
  linear: [sgd, (o) => new lrScheduler.LinearLR(o, { startFactor: 0.25, endFactor: 0.9, totalIters: 10 })],
  linear_default: [sgd, (o) => new lrScheduler.LinearLR(o)],
  lambda: [sgd, (o) => new lrScheduler.LambdaLR(o, (e) => 0.95 ** e)],
  onecycle: [sgd, (o) => new lrScheduler.OneCycleLR(o, [0.5, 0.2], { totalSteps: 30 })],
  onecycle_three_phase: [
    adam,
    (o) =>
      new lrScheduler.OneCycleLR(o, 0.3, { epochs: 5, stepsPerEpoch: 6, pctStart: 0.25, annealStrategy: "linear", divFactor: 10, finalDivFactor: 100, threePhase: true }),
  ],
  onecycle_no_momentum: [sgd, (o) => new lrScheduler.OneCycleLR(o, 1, { totalSteps: 30, pctStart: 0.4, cycleMomentum: false })],
};

const momenta = (o: optim.Optimizer) => o.paramGroups.map((g) => ("betas" in g ? (g.betas as number[])[0]! : (g as unknown as { momentum: number }).momentum));
const relative = (got: number, want: number) => (got === want ? 0 : Math.abs(got - want) / Math.abs(want));

describe("LR schedulers agree with torch.optim.lr_scheduler over 30 steps", () => {
  it("covers every scheduler in the fixture", () => {
    expect(Object.keys(configs).sort()).toEqual(Object.keys(fixture.schedulers).sort());
  });
  for (const [name, [makeOptimizer, makeScheduler]] of Object.entries(configs)) {
    it(`${name}: getLastLr(), the groups' lr and momenta agree to 1e-12 relative`, () => {
      const optimizer = makeOptimizer();
      const scheduler = makeScheduler(optimizer);
      const want = fixture.schedulers[name]!;
      const lrs = [scheduler.getLastLr()];
      const moms = [momenta(optimizer)];
      for (let step = 0; step < 30; step++) {
        optimizer.step();
        scheduler.step();
        lrs.push(scheduler.getLastLr());
        expect(optimizer.paramGroups.map((g) => g.lr)).toEqual(lrs.at(-1));
        moms.push(momenta(optimizer));
      }
      let worst = 0;
      lrs.forEach((row, i) => row.forEach((v, g) => (worst = Math.max(worst, relative(v, want.lrs[i]![g]!)))));
      moms.forEach((row, i) => row.forEach((v, g) => (worst = Math.max(worst, relative(v, want.momenta[i]![g]!)))));
      expect(lrs).toHaveLength(want.lrs.length);
      expect(worst).toBeLessThan(1e-12);
    });
  }
});

describe("LR schedulers: formulas and safety", () => {
  it("StepLR follows initialLr · γ^⌊epoch/stepSize⌋ and the optimizer trains with it", () => {
    const p = param();
    const opt = new optim.SGD([p], { lr: 1 });
    const s = new lrScheduler.StepLR(opt, 3, { gamma: 0.5 });
    for (let epoch = 0; epoch < 10; epoch++) {
      expect(s.getLastLr()).toEqual([0.5 ** Math.floor(epoch / 3)]);
      p.grad = tensor([1]);
      const before = p.item();
      opt.step();
      expect(before - p.item()).toBe(0.5 ** Math.floor(epoch / 3));
      s.step();
    }
  });

  it("CosineAnnealingLR follows the closed form etaMin + (base − etaMin)(1 + cos(π t/T))/2 over a full period", () => {
    const opt = new optim.SGD([param()], { lr: 0.3 });
    const s = new lrScheduler.CosineAnnealingLR(opt, 8, { etaMin: 0.01 });
    for (let t = 0; t <= 16; t++) {
      expect(s.getLastLr()[0]!).toBeCloseTo(0.01 + ((0.3 - 0.01) * (1 + Math.cos((Math.PI * t) / 8))) / 2, 14);
      s.step();
    }
  });

  it("LinearLR follows initialLr · (start + (end − start)·min(t, n)/n)", () => {
    const opt = new optim.SGD([param()], { lr: 2 });
    const s = new lrScheduler.LinearLR(opt, { startFactor: 0.1, endFactor: 0.7, totalIters: 6 });
    for (let t = 0; t < 12; t++) {
      expect(s.getLastLr()[0]!).toBeCloseTo(2 * (0.1 + ((0.7 - 0.1) * Math.min(t, 6)) / 6), 14);
      s.step();
    }
  });

  it("records initialLr once; a second scheduler builds on the same base rates", () => {
    const opt = new optim.SGD([param()], { lr: 0.1 });
    new lrScheduler.ExponentialLR(opt, 0.5).step();
    expect(opt.paramGroups[0]!.lr).toBe(0.05);
    const second = new lrScheduler.LambdaLR(opt, (e) => e + 1);
    expect(opt.paramGroups[0]!.initialLr).toBe(0.1);
    expect(second.baseLrs).toEqual([0.1]);
    expect(second.getLastLr()).toEqual([0.1]);
  });

  it("LambdaLR takes one function per group", () => {
    const opt = sgd();
    const s = new lrScheduler.LambdaLR(opt, [(e) => 1 / (e + 1), (e) => 2 * (e + 1)]);
    s.step();
    expect(s.getLastLr()).toEqual([0.1 / 2, 0.05 * 4]);
    expect(() => new lrScheduler.LambdaLR(sgd(), [(e) => e])).toThrow(/LambdaLR: expected 2 lrLambdas \(one per parameter group\), got 1/);
  });

  it.each([
    ["StepLR step_size", () => new lrScheduler.StepLR(sgd(), 3, { step_size: 2 } as never), /StepLR: unknown option "step_size"/],
    ["CosineAnnealingLR eta_min", () => new lrScheduler.CosineAnnealingLR(sgd(), 3, { eta_min: 0 } as never), /did you mean "etaMin"\?/],
    ["LinearLR total_iters", () => new lrScheduler.LinearLR(sgd(), { total_iters: 3 } as never), /did you mean "totalIters"\?/],
    ["OneCycleLR pct_start", () => new lrScheduler.OneCycleLR(sgd(), 1, { totalSteps: 10, pct_start: 0.2 } as never), /did you mean "pctStart"\?/],
    ["a zero stepSize", () => new lrScheduler.StepLR(sgd(), 0), /StepLR: invalid stepSize 0: expected a positive integer/],
    ["a non-optimizer", () => new lrScheduler.ExponentialLR({} as never, 0.9), /ExponentialLR: expected an optimizer/],
    ["OneCycleLR without a length", () => new lrScheduler.OneCycleLR(sgd(), 1), /OneCycleLR: give \{ totalSteps \} or \{ epochs, stepsPerEpoch \}/],
    ["OneCycleLR with a wrong number of maxLr", () => new lrScheduler.OneCycleLR(sgd(), [1], { totalSteps: 5 }), /expected 2 values for maxLr/],
    [
      "OneCycleLR cycling momentum of Adagrad",
      () => new lrScheduler.OneCycleLR(new optim.Adagrad([param()]), 1, { totalSteps: 5 }),
      /cycleMomentum needs an optimizer with momentum or betas/,
    ],
  ])("rejects %s", (_, make, message) => {
    expect(make).toThrow(message);
  });

  it("OneCycleLR refuses to step past totalSteps, as torch", () => {
    const s = new lrScheduler.OneCycleLR(new optim.Adagrad([param()]), 1, { totalSteps: 4, cycleMomentum: false });
    for (let i = 0; i < 4; i++) s.step();
    expect(() => s.step()).toThrow(/OneCycleLR: tried to step 6 times; the specified number of total steps is 4/);
  });

  it("an optimizer's stateDict carries initialLr and loadStateDict restores it", () => {
    const opt = sgd();
    const s = new lrScheduler.StepLR(opt, 1, { gamma: 0.5 });
    s.step();
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    expect(saved.paramGroups.map((g: { lr: number; initialLr: number }) => [g.lr, g.initialLr])).toEqual([
      [0.05, 0.1],
      [0.025, 0.05],
    ]);
    const fresh = sgd();
    fresh.loadStateDict(saved);
    expect(fresh.paramGroups.map((g) => [g.lr, g.initialLr])).toEqual([
      [0.05, 0.1],
      [0.025, 0.05],
    ]);
  });
});
