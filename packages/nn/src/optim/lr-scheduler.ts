import { DataError } from "@tapegrad/autograd";
import { checkOptions } from "../options.js";
import { Optimizer, checkFlag, checkHyper, type ParamGroup } from "./optimizer.js";

/**
 * Base of the learning-rate schedulers, as torch.optim.lr_scheduler's `_LRScheduler`
 * (torch 1.13, chainable form): construction records each group's `initialLr` (its `lr`
 * unless a scheduler set it before) and takes the first step; every `step()` advances the
 * epoch counter and writes the new rate into each group's `lr`, which the optimizer reads
 * at its next step. Call `optimizer.step()` before `scheduler.step()`, as in PyTorch.
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler writes. */
  readonly optimizer: Optimizer;
  /** Each group's `initialLr` when the scheduler was made: the rates schedules are relative to. */
  readonly baseLrs: readonly number[];
  /** Steps taken since construction, counting the one the constructor takes from -1 to 0 (torch's `last_epoch`). */
  lastEpoch = -1;
  /** Number of `step()` calls including the constructor's (torch's `_step_count`). */
  protected stepCount = 0;
  private lastLr: number[] = [];

  /** @throws DataError when `optimizer` is not an Optimizer. */
  protected constructor(optimizer: Optimizer, name: string) {
    if (!(optimizer instanceof Optimizer)) throw new DataError(`${name}: expected an optimizer such as optim.SGD, got ${typeof optimizer}`);
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** Takes the constructor's step (lastEpoch -1 → 0); subclasses call it once their fields are set. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The groups, as the rates are computed from them. */
  protected get groups(): ParamGroup<{ lr: number }>[] {
    return this.optimizer.paramGroups;
  }

  /** Each group's learning rate for the epoch `lastEpoch` (torch's `get_lr`, chainable form). */
  protected abstract computeLr(): number[];

  /** Advances one epoch (or one batch, for OneCycleLR) and writes each group's new `lr`. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const values = this.computeLr();
    this.groups.forEach((group, i) => (group.lr = values[i]!));
    this.lastLr = this.groups.map((g) => g.lr);
  }

  /** The learning rate of each group as the last `step()` set it (torch's `get_last_lr()`). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }
}

/** Checks a count such as a step size or a number of iterations. */
function positiveInteger(op: string, name: string, value: unknown): number {
  return checkHyper(op, name, value, (v) => Number.isInteger(v) && v > 0, "a positive integer");
}

/**
 * Multiplies each group's rate by `gamma` every `stepSize` epochs: lr = initialLr · γ^⌊epoch/stepSize⌋.
 * @throws DataError on a non-positive-integer stepSize, a non-finite gamma or an unknown option.
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** Factor applied at each decay. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, stepSize: number, options?: { gamma?: number }) {
    super(optimizer, "StepLR");
    const o = checkOptions("StepLR", options, ["gamma"]);
    this.stepSize = positiveInteger("StepLR", "stepSize", stepSize);
    this.gamma = checkHyper("StepLR", "gamma", o.gamma ?? 0.1, Number.isFinite, "a finite number");
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
}

/**
 * Multiplies each group's rate by `gamma` at each milestone epoch (by γ² at a milestone
 * listed twice, as torch counts them).
 * @throws DataError when milestones are not non-negative integers, or on an unknown option.
 */
export class MultiStepLR extends LRScheduler {
  /** How many times each milestone epoch was listed. */
  readonly milestones: ReadonlyMap<number, number>;
  /** Factor applied at each milestone. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, milestones: readonly number[], options?: { gamma?: number }) {
    super(optimizer, "MultiStepLR");
    const o = checkOptions("MultiStepLR", options, ["gamma"]);
    if (!Array.isArray(milestones)) throw new DataError(`MultiStepLR: milestones must be an array of epochs`);
    const counts = new Map<number, number>();
    milestones.forEach((m, i) => {
      checkHyper("MultiStepLR", `milestones[${i}]`, m, (v) => Number.isInteger(v) && v >= 0, "a non-negative integer");
      counts.set(m, (counts.get(m) ?? 0) + 1);
    });
    this.milestones = counts;
    this.gamma = checkHyper("MultiStepLR", "gamma", o.gamma ?? 0.1, Number.isFinite, "a finite number");
    this.initialStep();
  }

  protected computeLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** count);
  }
}

/**
 * Multiplies each group's rate by `gamma` every epoch: lr = initialLr · γ^epoch.
 * @throws DataError on a non-finite gamma.
 */
export class ExponentialLR extends LRScheduler {
  /** Factor applied every epoch. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, gamma: number) {
    super(optimizer, "ExponentialLR");
    this.gamma = checkHyper("ExponentialLR", "gamma", gamma, Number.isFinite, "a finite number");
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
}

/**
 * Cosine annealing from each group's initial rate down to `etaMin` over `tMax` epochs and
 * back up over the next `tMax` (SGDR without restarts), in torch's recursive form:
 * lr = etaMin + (initialLr − etaMin)(1 + cos(π·epoch/tMax))/2 while the rate is not changed from outside.
 * @throws DataError on a non-positive-integer tMax, a non-finite etaMin or an unknown option.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of one half period. */
  readonly tMax: number;
  /** The lowest rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer, tMax: number, options?: { etaMin?: number }) {
    super(optimizer, "CosineAnnealingLR");
    const o = checkOptions("CosineAnnealingLR", options, ["etaMin"]);
    this.tMax = positiveInteger("CosineAnnealingLR", "tMax", tMax);
    this.etaMin = checkHyper("CosineAnnealingLR", "etaMin", o.etaMin ?? 0, Number.isFinite, "a finite number");
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    // At the bottom of the cosine the recursive ratio would divide by zero; torch adds the next increment instead.
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return this.groups.map((g) => ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) * (g.lr - etaMin) + etaMin);
  }
}

/** Options of LinearLR, with torch's defaults. */
export interface LinearLROptions {
  startFactor?: number;
  endFactor?: number;
  totalIters?: number;
}

/**
 * Scales each group's rate linearly from `startFactor` to `endFactor` times its initial
 * rate over `totalIters` epochs, then holds it (a warm-up when startFactor < 1).
 * @throws DataError when a factor lies outside [0, 1] (startFactor must be > 0), totalIters is not a positive integer, or on an unknown option.
 */
export class LinearLR extends LRScheduler {
  /** Multiplier at epoch 0. */
  readonly startFactor: number;
  /** Multiplier from epoch totalIters on. */
  readonly endFactor: number;
  /** Epochs the ramp lasts. */
  readonly totalIters: number;

  constructor(optimizer: Optimizer, options?: LinearLROptions) {
    super(optimizer, "LinearLR");
    const o = checkOptions("LinearLR", options, ["startFactor", "endFactor", "totalIters"]);
    // torch accepts startFactor 0 but then divides by zero at the second step; require > 0.
    this.startFactor = checkHyper("LinearLR", "startFactor", o.startFactor ?? 1 / 3, (v) => v > 0 && v <= 1, "a number in (0, 1]");
    this.endFactor = checkHyper("LinearLR", "endFactor", o.endFactor ?? 1, (v) => v >= 0 && v <= 1, "a number in [0, 1]");
    this.totalIters = positiveInteger("LinearLR", "totalIters", o.totalIters ?? 5);
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters: n } = this;
    if (e === 0) return this.groups.map((g) => g.lr * s);
    if (e > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (f - s) / (n * s + (e - 1) * (f - s))));
  }
}

/**
 * Sets each group's rate to its initial rate times `lrLambda(epoch)`; one function for all
 * groups or one per group.
 * @throws DataError when lrLambda is not a function or a list of one function per group.
 */
export class LambdaLR extends LRScheduler {
  /** One multiplier function per group. */
  readonly lrLambdas: readonly ((epoch: number) => number)[];

  constructor(optimizer: Optimizer, lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[]) {
    super(optimizer, "LambdaLR");
    const n = optimizer.paramGroups.length;
    const list = Array.isArray(lrLambda) ? [...lrLambda] : Array.from({ length: n }, () => lrLambda as (epoch: number) => number);
    if (list.length !== n) throw new DataError(`LambdaLR: expected ${n} lrLambdas (one per parameter group), got ${list.length}`);
    if (!list.every((f) => typeof f === "function")) throw new DataError("LambdaLR: lrLambda must be a function of the epoch, or a list of them");
    this.lrLambdas = list;
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}

/** Options of OneCycleLR, with torch's defaults; give totalSteps, or epochs and stepsPerEpoch. */
export interface OneCycleLROptions {
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number | readonly number[];
  maxMomentum?: number | readonly number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: "initialLr" | "maxLr" | "minLr";
  endLr: "initialLr" | "maxLr" | "minLr";
  startMomentum: "maxMomentum" | "baseMomentum";
  endMomentum: "maxMomentum" | "baseMomentum";
}

/**
 * The 1cycle policy (Smith, "Super-Convergence"), stepped once per batch: the rate rises
 * from maxLr/divFactor to maxLr over the first `pctStart` of the steps, then anneals to
 * initialLr/finalDivFactor (with `threePhase`, back to the initial rate first). With
 * `cycleMomentum` (the default, as torch) the momentum (SGD, RMSprop) or β₁ (Adam) moves
 * inversely between maxMomentum and baseMomentum. Sets each group's `initialLr`.
 * @throws DataError without totalSteps or epochs and stepsPerEpoch, on invalid values, on
 *   cycleMomentum with an optimizer that has no momentum (Adagrad), on an unknown option,
 *   and when stepped more than totalSteps times.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  private readonly bounds: Record<"maxLr" | "minLr" | "initialLr" | "maxMomentum" | "baseMomentum", number>[];
  private readonly useBeta1: boolean;
  private readonly cycleMomentum: boolean;

  constructor(optimizer: Optimizer, maxLr: number | readonly number[], options?: OneCycleLROptions) {
    const op = "OneCycleLR";
    if (!(optimizer instanceof Optimizer)) throw new DataError(`${op}: expected an optimizer such as optim.SGD, got ${typeof optimizer}`);
    const o = checkOptions(op, options, [
      "totalSteps",
      "epochs",
      "stepsPerEpoch",
      "pctStart",
      "annealStrategy",
      "cycleMomentum",
      "baseMomentum",
      "maxMomentum",
      "divFactor",
      "finalDivFactor",
      "threePhase",
    ]);
    let totalSteps: number;
    if (o.totalSteps !== undefined) totalSteps = positiveInteger(op, "totalSteps", o.totalSteps);
    else if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) totalSteps = positiveInteger(op, "epochs", o.epochs) * positiveInteger(op, "stepsPerEpoch", o.stepsPerEpoch);
    else throw new DataError(`${op}: give { totalSteps } or { epochs, stepsPerEpoch }`);
    const pctStart = checkHyper(op, "pctStart", o.pctStart ?? 0.3, (v) => v >= 0 && v <= 1, "a number in [0, 1]");
    const strategy = o.annealStrategy ?? "cos";
    if (strategy !== "cos" && strategy !== "linear") throw new DataError(`${op}: annealStrategy must be 'cos' or 'linear', got ${JSON.stringify(strategy)}`);
    const divFactor = checkHyper(op, "divFactor", o.divFactor ?? 25, (v) => Number.isFinite(v) && v > 0, "a finite number > 0");
    const finalDivFactor = checkHyper(op, "finalDivFactor", o.finalDivFactor ?? 1e4, (v) => Number.isFinite(v) && v > 0, "a finite number > 0");
    const threePhase = checkFlag(op, "threePhase", o.threePhase ?? false);
    const cycleMomentum = checkFlag(op, "cycleMomentum", o.cycleMomentum ?? true);
    const groups = optimizer.paramGroups;
    const perGroup = (name: string, value: unknown): number[] => {
      const list = Array.isArray(value) ? value : groups.map(() => value);
      if (list.length !== groups.length) throw new DataError(`${op}: expected ${groups.length} values for ${name} (one per parameter group), got ${list.length}`);
      return list.map((v, i) => checkHyper(op, Array.isArray(value) ? `${name}[${i}]` : name, v, Number.isFinite, "a finite number"));
    };
    const maxLrs = perGroup("maxLr", maxLr);
    const useBeta1 = "betas" in optimizer.defaults;
    if (cycleMomentum && !useBeta1 && !("momentum" in optimizer.defaults)) {
      throw new DataError(`${op}: cycleMomentum needs an optimizer with momentum or betas; pass { cycleMomentum: false }`);
    }
    const maxMomenta = cycleMomentum ? perGroup("maxMomentum", o.maxMomentum ?? 0.95) : [];
    const baseMomenta = cycleMomentum ? perGroup("baseMomentum", o.baseMomentum ?? 0.85) : [];
    // As torch: the initial rate replaces any earlier initialLr, and momentum starts at its maximum.
    const bounds = groups.map((group, i) => {
      const initialLr = maxLrs[i]! / divFactor;
      group.initialLr = initialLr;
      if (cycleMomentum) setMomentum(group, useBeta1, maxMomenta[i]!);
      return { initialLr, maxLr: maxLrs[i]!, minLr: initialLr / finalDivFactor, maxMomentum: maxMomenta[i] ?? 0, baseMomentum: baseMomenta[i] ?? 0 };
    });
    super(optimizer, op);
    this.totalSteps = totalSteps;
    this.bounds = bounds;
    this.useBeta1 = useBeta1;
    this.cycleMomentum = cycleMomentum;
    this.anneal =
      strategy === "cos"
        ? (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
        : (start, end, pct) => (end - start) * pct + start;
    this.phases = threePhase
      ? [
          { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: 2 * pctStart * totalSteps - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
          { endStep: totalSteps - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
        ]
      : [
          { endStep: pctStart * totalSteps - 1, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
          { endStep: totalSteps - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
        ];
    this.initialStep();
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new DataError(`OneCycleLR: tried to step ${stepNum + 1} times; the specified number of total steps is ${this.totalSteps}`);
    }
    return this.groups.map((group, g) => {
      const b = this.bounds[g]!;
      let startStep = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i]!;
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          if (this.cycleMomentum) setMomentum(group, this.useBeta1, this.anneal(b[phase.startMomentum], b[phase.endMomentum], pct));
          return this.anneal(b[phase.startLr], b[phase.endLr], pct);
        }
        startStep = phase.endStep;
      }
      throw new Error("unreachable");
    });
  }
}

/** Writes a cycled momentum into SGD's/RMSprop's `momentum` or Adam's β₁. */
function setMomentum(group: ParamGroup<{ lr: number }>, useBeta1: boolean, value: number): void {
  const g = group as ParamGroup<{ lr: number }> & { momentum?: number; betas?: readonly [number, number] };
  if (useBeta1) g.betas = [value, g.betas![1]];
  else g.momentum = value;
}
