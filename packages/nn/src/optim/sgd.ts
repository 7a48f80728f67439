import type { Tensor } from "@tapegrad/autograd";
import { DataError } from "@tapegrad/autograd";
import { Optimizer, checkHyper } from "./optimizer.js";

/** Hyperparameters of SGD, with torch.optim.SGD's defaults. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, dampening, L2 weight decay and
 * Nesterov momentum; the update rule of torch.optim.SGD:
 * d = g + λp; b = μb + (1 − τ)d (b = d at the first step); d = d + μb (Nesterov) or b; p = p − lr·d.
 */
export class SGD extends Optimizer {
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  /** @throws DataError on invalid hyperparameters (negative lr, momentum, weight decay; Nesterov without momentum). */
  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    if (typeof options !== "object" || options === null) throw new DataError("SGD: options { lr } are required");
    const lr = checkHyper("SGD", "lr", options.lr, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
    const momentum = checkHyper("SGD", "momentum", options.momentum ?? 0, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
    const dampening = checkHyper("SGD", "dampening", options.dampening ?? 0, Number.isFinite, "a finite number");
    const weightDecay = checkHyper("SGD", "weightDecay", options.weightDecay ?? 0, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
    const nesterov = options.nesterov ?? false;
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new DataError("SGD: Nesterov momentum requires a momentum > 0 and zero dampening");
    super(params, "SGD");
    this.lr = lr;
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  protected hyperparameters(): Record<string, unknown> {
    const { lr, momentum, dampening, weightDecay, nesterov } = this;
    return { lr, momentum, dampening, weightDecay, nesterov };
  }

  step(): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = this;
    for (const { value, grad, state } of this.updates()) {
      const n = value.length;
      let d = grad;
      if (weightDecay !== 0) {
        d = new Float64Array(n);
        for (let i = 0; i < n; i++) d[i] = grad[i]! + weightDecay * value[i]!;
      }
      if (momentum !== 0) {
        let buffer = state.momentumBuffer as Float64Array | undefined;
        if (!buffer) {
          state.momentumBuffer = buffer = Float64Array.from(d);
        } else {
          for (let i = 0; i < n; i++) buffer[i] = buffer[i]! * momentum + (1 - dampening) * d[i]!;
        }
        if (nesterov) {
          const ahead = new Float64Array(n);
          for (let i = 0; i < n; i++) ahead[i] = d[i]! + momentum * buffer[i]!;
          d = ahead;
        } else {
          d = buffer;
        }
      }
      for (let i = 0; i < n; i++) value[i] = value[i]! + -lr * d[i]!;
    }
  }
}
