import { TapegradError } from "@tapegrad/tensor";

/**
 * Thrown when the autograd engine cannot do what was asked: backward through a freed
 * graph, backward from a tensor that does not require grad, a non-scalar output without
 * an explicit gradient, a tensor modified in place after it was saved for backward.
 */
export class AutogradError extends TapegradError {}

/**
 * Thrown by `gradcheck` when an analytic gradient disagrees with central finite
 * differences; the message names the worst element. `report` holds the full comparison.
 */
export class GradcheckError extends AutogradError {
  constructor(
    message: string,
    /** The comparison that failed. */
    readonly report: unknown,
  ) {
    super(message);
  }
}

/**
 * Thrown in anomaly mode at the first op whose forward output or backward gradient holds
 * NaN or ±Infinity. The message names the op, its input shapes and where it was created.
 */
export class AnomalyError extends AutogradError {}
