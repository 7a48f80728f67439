// torch.nn.utils: gradient clipping.
import { DataError, Tensor, noGrad, stack } from "@tapegrad/autograd";
import { checkBoolean, checkOptions, optionalNumber } from "../options.js";

/** Options of `clipGradNorm_`, as torch.nn.utils.clip_grad_norm_'s keywords. */
export interface ClipGradNormOptions {
  /** Order p of the norm: 2 (default), 1, Infinity (the largest |g|), any number `Tensor.norm` takes. */
  normType?: number;
  /** Throw instead of scaling when the total norm is NaN or ±Infinity (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/** The gradients of the parameters that have one, in order; a single tensor stands for [tensor]. */
function gradientsOf(op: string, parameters: Iterable<Tensor> | Tensor): Tensor[] {
  if (parameters instanceof Tensor) parameters = [parameters];
  if (parameters === null || typeof parameters !== "object" || typeof (parameters as Iterable<Tensor>)[Symbol.iterator] !== "function") {
    throw new DataError(`${op}: parameters must be a Tensor or an iterable of Tensors (e.g. model.parameters()), got ${parameters === null ? "null" : typeof parameters}`);
  }
  const grads: Tensor[] = [];
  let position = 0;
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new DataError(`${op}: parameter ${position} is not a Tensor (got ${p === null ? "null" : typeof p})`);
    if (p.grad !== null) grads.push(p.grad);
    position++;
  }
  return grads;
}

/**
 * Rescales the gradients of `parameters` in place so that their total norm is at most
 * `maxNorm`, as torch.nn.utils.clip_grad_norm_ (torch 1.13), and returns the total norm
 * before clipping as a number. The total norm is the p-norm of the per-gradient p-norms,
 * which is the norm of all gradients joined into one vector (for p = Infinity, the largest
 * |g|). Every gradient is multiplied by maxNorm / (total + 1e-6) when that is below 1, and
 * left as it is otherwise. Parameters whose `.grad` is null are skipped; with none left the
 * result is 0. A NaN or infinite total turns the gradients into NaN (or 0) as in PyTorch,
 * unless `errorIfNonfinite` asks for an error. Runs under `noGrad`.
 * @throws DataError when parameters is not a Tensor or an iterable of Tensors, maxNorm is
 *   not a number ≥ 0, on an unknown option or an invalid normType, or (with
 *   errorIfNonfinite) when the total norm is not finite, before any gradient changes.
 */
export function clipGradNorm_(parameters: Iterable<Tensor> | Tensor, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const op = "clipGradNorm_";
  const o = checkOptions(op, options, ["normType", "errorIfNonfinite"]);
  const normType = optionalNumber(op, "normType", o.normType, 2, () => true, "a number (2, 1, Infinity, …)");
  const errorIfNonfinite = checkBoolean(op, "errorIfNonfinite", o.errorIfNonfinite, false);
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) throw new DataError(`${op}: maxNorm must be a number ≥ 0, got ${typeof maxNorm === "string" ? JSON.stringify(maxNorm) : String(maxNorm)}`);
  const grads = gradientsOf(op, parameters);
  if (grads.length === 0) return 0;
  return noGrad(() => {
    const total =
      normType === Infinity
        ? Math.max(...grads.map((g) => g.norm(Infinity).item()))
        : stack(grads.map((g) => g.norm(normType))).norm(normType).item();
    if (errorIfNonfinite && !Number.isFinite(total)) {
      throw new DataError(
        `${op}: the total norm of order ${normType} of the gradients is ${total}, so it cannot be clipped; ` +
          "to scale the gradients by the non-finite norm anyway, leave errorIfNonfinite false",
      );
    }
    const coefficient = maxNorm / (total + 1e-6);
    // PyTorch multiplies by min(coefficient, 1) always; by 1 changes nothing, and a NaN coefficient (NaN total) still multiplies.
    if (!(coefficient >= 1)) for (const g of grads) g.mul_(coefficient);
    return total;
  });
}

/**
 * Clamps every gradient of `parameters` in place into [−clipValue, clipValue], as
 * torch.nn.utils.clip_grad_value_. Parameters whose `.grad` is null are skipped. Runs
 * under `noGrad`.
 * @throws DataError when parameters is not a Tensor or an iterable of Tensors, or when
 *   clipValue is not a number ≥ 0 (PyTorch would clamp every gradient to −|clipValue|).
 */
export function clipGradValue_(parameters: Iterable<Tensor> | Tensor, clipValue: number): void {
  const op = "clipGradValue_";
  if (typeof clipValue !== "number" || !(clipValue >= 0)) {
    throw new DataError(`${op}: clipValue must be a number ≥ 0, got ${typeof clipValue === "string" ? JSON.stringify(clipValue) : String(clipValue)}`);
  }
  const grads = gradientsOf(op, parameters);
  noGrad(() => {
    for (const g of grads) g.copy_(g.clamp(-clipValue, clipValue));
  });
}
