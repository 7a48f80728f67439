import { checkOptions } from "../options.js";
import { Optimizer, checkHyper, type OptimizerParams, type ParamState } from "./optimizer.js";

/** Hyperparameters of Adagrad, with torch.optim.Adagrad's defaults. */
export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

const KEYS = ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const;

/** Checks one full set of Adagrad hyperparameters (torch's ranges). */
function validate(h: Required<AdagradOptions>, where: string): void {
  checkHyper(where, "lr", h.lr, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "lrDecay", h.lrDecay, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "weightDecay", h.weightDecay, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "initialAccumulatorValue", h.initialAccumulatorValue, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "eps", h.eps, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
}

/**
 * Adagrad, the update rule of torch.optim.Adagrad: g = g + λp; s = s + g²;
 * p = p − lr/(1 + (t − 1)·lrDecay) · g/(√s + ε), with s starting at `initialAccumulatorValue`.
 * State: `step` and `sum`, created for every parameter at construction, as torch does.
 */
export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  /**
   * @param params tensors, or parameter groups `{ params, lr?, lrDecay?, … }`.
   * @throws DataError on an unknown option (suggesting the close name), a negative
   *   hyperparameter, or invalid parameters.
   */
  constructor(params: OptimizerParams<Required<AdagradOptions>>, options?: AdagradOptions) {
    const o = checkOptions("Adagrad", options, KEYS);
    const defaults = {
      lr: o.lr ?? 1e-2,
      lrDecay: o.lrDecay ?? 0,
      weightDecay: o.weightDecay ?? 0,
      initialAccumulatorValue: o.initialAccumulatorValue ?? 0,
      eps: o.eps ?? 1e-10,
    } as Required<AdagradOptions>;
    validate(defaults, "Adagrad");
    super(params, { name: "Adagrad", defaults, validate });
    for (const group of this.paramGroups) {
      for (const p of group.params) this.state.set(p, { step: 0, sum: new Float64Array(p.size).fill(group.initialAccumulatorValue) });
    }
  }

  protected update(value: Float64Array, rawGrad: Float64Array, state: ParamState, group: Required<AdagradOptions>): void {
    const { lr, lrDecay, weightDecay, eps } = group;
    const n = value.length;
    // A group added by addParamGroup after construction gets its state here.
    if (!(state.sum instanceof Float64Array)) state.sum = new Float64Array(n).fill(group.initialAccumulatorValue);
    const sum = state.sum;
    const step = (state.step = ((state.step as number | undefined) ?? 0) + 1);
    let grad = rawGrad;
    if (weightDecay !== 0) {
      grad = new Float64Array(n);
      for (let i = 0; i < n; i++) grad[i] = rawGrad[i]! + weightDecay * value[i]!;
    }
    // torch's order: state_sum.addcmul_(g, g, 1); std = state_sum.sqrt().add_(ε); p.addcdiv_(g, std, −clr).
    const clr = lr / (1 + (step - 1) * lrDecay);
    for (let i = 0; i < n; i++) {
      const g = grad[i]!;
      sum[i] = sum[i]! + 1 * g * g;
      value[i] = value[i]! + -clr * (g / (Math.sqrt(sum[i]!) + eps));
    }
  }
}
