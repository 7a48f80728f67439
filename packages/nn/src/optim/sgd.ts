import { kernels } from "@tapegrad/tensor";
import { DataError } from "@tapegrad/autograd";
import { checkOptions } from "../options.js";
import { Optimizer, checkFlag, checkHyper, type OptimizerParams, type ParamState } from "./optimizer.js";

/** Hyperparameters of SGD, with torch.optim.SGD's defaults. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

const KEYS = ["lr", "momentum", "dampening", "weightDecay", "nesterov"] as const;

/** Checks one full set of SGD hyperparameters; `lr` may be missing from the defaults when every group sets it, as in torch. */
function validate(h: Required<SGDOptions>, where: string, lrOptional = false): void {
  if (!(lrOptional && h.lr === undefined)) {
    if (h.lr === undefined) throw new DataError(`${where}: lr is required (in the options, or in every parameter group)`);
    checkHyper(where, "lr", h.lr, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  }
  checkHyper(where, "momentum", h.momentum, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkHyper(where, "dampening", h.dampening, Number.isFinite, "a finite number");
  checkHyper(where, "weightDecay", h.weightDecay, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
  checkFlag(where, "nesterov", h.nesterov);
  if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) throw new DataError(`${where}: Nesterov momentum requires a momentum > 0 and zero dampening`);
}

/**
 * Stochastic gradient descent with optional momentum, dampening, L2 weight decay and
 * Nesterov momentum; the update rule of torch.optim.SGD:
 * d = g + λp; b = μb + (1 − τ)d (b = d at the first step); d = d + μb (Nesterov) or b; p = p − lr·d.
 */
export class SGD extends Optimizer<Required<SGDOptions>> {
  /**
   * @param params tensors, or parameter groups `{ params, lr?, momentum?, … }`.
   * @throws DataError on an unknown option (suggesting the close name), invalid
   *   hyperparameters (negative lr, momentum, weight decay; Nesterov without momentum), or
   *   invalid parameters.
   */
  constructor(params: OptimizerParams<Required<SGDOptions>>, options: SGDOptions) {
    if (options === undefined) throw new DataError("SGD: options { lr } are required");
    const o = checkOptions("SGD", options, KEYS);
    const defaults = {
      lr: o.lr,
      momentum: o.momentum ?? 0,
      dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0,
      nesterov: o.nesterov ?? false,
    } as Required<SGDOptions>;
    validate(defaults, "SGD", true);
    super(params, { name: "SGD", defaults, validate: (h, where) => validate(h, where) });
  }

  protected update(value: Float64Array, grad: Float64Array, state: ParamState, group: Required<SGDOptions>): void {
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
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
    kernels.axpy(value, d, -lr);
  }
}
