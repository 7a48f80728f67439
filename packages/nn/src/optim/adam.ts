import { DataError } from "@tapegrad/autograd";
import { checkOptions } from "../options.js";
import { Optimizer, checkHyper, type OptimizerParams, type ParamState } from "./optimizer.js";

/** Hyperparameters of Adam and AdamW, with torch.optim's defaults. */
export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

const KEYS = ["lr", "betas", "eps", "weightDecay"] as const;

/** Checks one full set of Adam hyperparameters. */
function validate(h: Required<AdamOptions>, where: string): void {
  checkHyper(where, "lr", h.lr, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  const betas = h.betas;
  if (!Array.isArray(betas) || betas.length !== 2) throw new DataError(`${where}: betas must be a pair [beta1, beta2]`);
  betas.forEach((b, i) => checkHyper(where, `beta${i + 1}`, b, (v) => v >= 0 && v < 1, "a number in [0, 1)"));
  checkHyper(where, "eps", h.eps, (v) => Number.isFinite(v) && v > 0, "a finite number > 0");
  checkHyper(where, "weightDecay", h.weightDecay, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
}

/** The Adam update shared by Adam (L2 folded into the gradient) and AdamW (decoupled decay). */
abstract class AdamBase extends Optimizer<Required<AdamOptions>> {
  constructor(params: OptimizerParams<Required<AdamOptions>>, options: AdamOptions | undefined, name: string, defaultDecay: number) {
    const o = checkOptions(name, options, KEYS);
    const betas = (o.betas ?? [0.9, 0.999]) as readonly [number, number];
    const defaults = {
      lr: o.lr ?? 1e-3,
      betas: Array.isArray(betas) ? ([betas[0], betas[1]] as const) : betas,
      eps: o.eps ?? 1e-8,
      weightDecay: o.weightDecay ?? defaultDecay,
    } as Required<AdamOptions>;
    if (Array.isArray(betas) && betas.length !== 2) throw new DataError(`${name}: betas must be a pair [beta1, beta2]`);
    validate(defaults, name);
    super(params, { name, defaults, validate });
  }

  /** Decoupled decay (AdamW) shrinks the weights before the Adam step; Adam folds it into g. */
  protected abstract readonly decoupled: boolean;

  protected update(value: Float64Array, rawGrad: Float64Array, state: ParamState, group: Required<AdamOptions>): void {
    const { lr, eps, weightDecay } = group;
    const [beta1, beta2] = group.betas;
    const n = value.length;
    const { expAvg, expAvgSq } = moments(state, n);
    const step = (state.step = ((state.step as number | undefined) ?? 0) + 1);
    let grad = rawGrad;
    if (weightDecay !== 0) {
      if (this.decoupled) {
        const shrink = 1 - lr * weightDecay;
        for (let i = 0; i < n; i++) value[i]! *= shrink;
      } else {
        grad = new Float64Array(n);
        for (let i = 0; i < n; i++) grad[i] = rawGrad[i]! + weightDecay * value[i]!;
      }
    }
    // The operation order of torch's CPU kernels (lerp, mul+addcmul, addcdiv), so the
    // results agree to the last bit wherever Math.pow agrees with C's pow.
    const w = 1 - beta1;
    const stepSize = lr / (1 - beta1 ** step);
    const correction2Sqrt = Math.sqrt(1 - beta2 ** step);
    const scale = 1 - beta2;
    for (let i = 0; i < n; i++) {
      const g = grad[i]!;
      const m = Math.abs(w) < 0.5 ? expAvg[i]! + w * (g - expAvg[i]!) : g - (g - expAvg[i]!) * (1 - w);
      const v = expAvgSq[i]! * beta2 + scale * g * g;
      expAvg[i] = m;
      expAvgSq[i] = v;
      value[i] = value[i]! + -stepSize * (m / (Math.sqrt(v) / correction2Sqrt + eps));
    }
  }
}

function moments(state: ParamState, n: number): { expAvg: Float64Array; expAvgSq: Float64Array } {
  if (!(state.expAvg instanceof Float64Array)) state.expAvg = new Float64Array(n);
  if (!(state.expAvgSq instanceof Float64Array)) state.expAvgSq = new Float64Array(n);
  return { expAvg: state.expAvg, expAvgSq: state.expAvgSq };
}

/**
 * Adam with L2 weight decay added to the gradient, the update rule of torch.optim.Adam:
 * m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p = p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  /**
   * @param params tensors, or parameter groups `{ params, lr?, betas?, … }`.
   * @throws DataError on an unknown option (suggesting the close name), invalid
   *   hyperparameters (negative lr, betas outside [0, 1), eps ≤ 0) or invalid parameters.
   */
  constructor(params: OptimizerParams<Required<AdamOptions>>, options?: AdamOptions) {
    super(params, options, "Adam", 0);
  }
}

/**
 * Adam with decoupled weight decay (torch.optim.AdamW): p = p·(1 − lr·λ) before the Adam
 * step. Default weightDecay 0.01, as in PyTorch.
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  /** @throws DataError on an unknown option, invalid hyperparameters or invalid parameters. */
  constructor(params: OptimizerParams<Required<AdamOptions>>, options?: AdamOptions) {
    super(params, options, "AdamW", 1e-2);
  }
}
