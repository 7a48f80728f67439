import { checkOptions } from "../options.js";
import { Optimizer, checkFlag, checkHyper, type OptimizerParams, type ParamState } from "./optimizer.js";

/** Hyperparameters of RMSprop, with torch.optim.RMSprop's defaults. */
export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
}

const KEYS = ["lr", "alpha", "eps", "weightDecay", "momentum", "centered"] as const;

/** Checks one full set of RMSprop hyperparameters (torch's ranges). */
function validate(h: Required<RMSpropOptions>, where: string): void {
  checkHyper(where, "lr", h.lr, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "alpha", h.alpha, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "eps", h.eps, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "weightDecay", h.weightDecay, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "momentum", h.momentum, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkFlag(where, "centered", h.centered);
}

/**
 * RMSprop, the update rule of torch.optim.RMSprop: g = g + λp; v = αv + (1 − α)g²;
 * centered: ḡ = αḡ + (1 − α)g and v̂ = v − ḡ², else v̂ = v; with momentum
 * b = μb + g/(√v̂ + ε), p = p − lr·b; without, p = p − lr·g/(√v̂ + ε).
 * State: `step`, `squareAvg`, `momentumBuffer` (momentum > 0), `gradAvg` (centered).
 */
export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  /**
   * @param params tensors, or parameter groups `{ params, lr?, alpha?, … }`.
   * @throws DataError on an unknown option (suggesting the close name), a negative
   *   hyperparameter, a non-boolean `centered`, or invalid parameters.
   */
  constructor(params: OptimizerParams<Required<RMSpropOptions>>, options?: RMSpropOptions) {
    const o = checkOptions("RMSprop", options, KEYS);
    const defaults = {
      lr: o.lr ?? 1e-2,
      alpha: o.alpha ?? 0.99,
      eps: o.eps ?? 1e-8,
      weightDecay: o.weightDecay ?? 0,
      momentum: o.momentum ?? 0,
      centered: o.centered ?? false,
    } as Required<RMSpropOptions>;
    validate(defaults, "RMSprop");
    super(params, { name: "RMSprop", defaults, validate });
  }

  protected update(value: Float64Array, rawGrad: Float64Array, state: ParamState, group: Required<RMSpropOptions>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group;
    const n = value.length;
    state.step = ((state.step as number | undefined) ?? 0) + 1;
    const squareAvg = buffer(state, "squareAvg", n);
    let grad = rawGrad;
    if (weightDecay !== 0) {
      grad = new Float64Array(n);
      for (let i = 0; i < n; i++) grad[i] = rawGrad[i]! + weightDecay * value[i]!;
    }
    // torch's operation order: square_avg.mul_(α).addcmul_(g, g, 1 − α); grad_avg.mul_(α).add_(g, 1 − α);
    // avg = square_avg.addcmul(grad_avg, grad_avg, −1).sqrt_().add_(ε); buf.mul_(μ).addcdiv_(g, avg).
    const scale = 1 - alpha;
    const avg = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const g = grad[i]!;
      squareAvg[i] = squareAvg[i]! * alpha + scale * g * g;
    }
    if (centered) {
      const gradAvg = buffer(state, "gradAvg", n);
      for (let i = 0; i < n; i++) {
        gradAvg[i] = gradAvg[i]! * alpha + scale * grad[i]!;
        avg[i] = Math.sqrt(squareAvg[i]! + -1 * gradAvg[i]! * gradAvg[i]!) + eps;
      }
    } else {
      for (let i = 0; i < n; i++) avg[i] = Math.sqrt(squareAvg[i]!) + eps;
    }
    if (momentum > 0) {
      const b = buffer(state, "momentumBuffer", n);
      for (let i = 0; i < n; i++) {
        b[i] = b[i]! * momentum + 1 * (grad[i]! / avg[i]!);
        value[i] = value[i]! + -lr * b[i]!;
      }
    } else {
      for (let i = 0; i < n; i++) value[i] = value[i]! + -lr * (grad[i]! / avg[i]!);
    }
  }
}

/** The state buffer `name`, created as zeros at first use (as torch's `zeros_like`). */
function buffer(state: ParamState, name: string, n: number): Float64Array {
  const b = state[name];
  if (b instanceof Float64Array) return b;
  const fresh = new Float64Array(n);
  state[name] = fresh;
  return fresh;
}
