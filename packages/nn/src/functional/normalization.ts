// torch.nn.functional: the normalization functions. Both standardize with the fused
// `standardize` op of @tapegrad/autograd (ops/normalization.ts, whose VJP is an op with its
// own VJP) and add the affine part with mul and add.
import { DataError, ShapeError, Tensor, noGrad, standardize } from "@tapegrad/autograd";
import { formatShape } from "@tapegrad/tensor";
import { checkBoolean, checkOptions, optionalNumber } from "../options.js";
import { checkEps, checkNormalizedShape, tensorArgument } from "../layer-checks.js";

/** Options of `layerNorm`, as torch.nn.functional.layer_norm's optional arguments. */
export interface LayerNormOptions {
  /** Scale, of the normalized shape (none by default). */
  weight?: Tensor | null;
  /** Shift, of the normalized shape (none by default). */
  bias?: Tensor | null;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Options of `batchNorm`, as torch.nn.functional.batch_norm's optional arguments. */
export interface BatchNormOptions {
  /** Scale per channel, `[C]` (none by default). */
  weight?: Tensor | null;
  /** Shift per channel, `[C]` (none by default). */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the batch statistic in the running average (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** An optional affine tensor of the given shape. @throws DataError / ShapeError otherwise. */
function affineTensor(op: string, name: string, value: unknown, shape: readonly number[]): Tensor | null {
  if (value === undefined || value === null) return null;
  const t = tensorArgument(op, value, name);
  if (t.ndim !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new ShapeError(`${op}: ${name} must have shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
  return t;
}

/**
 * Layer normalization, as torch.nn.functional.layer_norm(input, normalized_shape, weight,
 * bias, eps): each slice over the last `normalizedShape.length` dimensions is shifted to
 * mean 0 and divided by √(var + eps) with the biased variance, then scaled by `weight`
 * and shifted by `bias` (both of `normalizedShape`, optional). `[*, ...normalizedShape]` →
 * the same shape.
 * @throws ShapeError when the input's trailing dimensions are not normalizedShape or an
 *   affine tensor has another shape; DataError on an invalid normalizedShape, eps or option.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  const op = "layerNorm";
  const input = tensorArgument(op, x);
  const shape = checkNormalizedShape(op, normalizedShape);
  const o = checkOptions(op, options, ["weight", "bias", "eps"]) as LayerNormOptions;
  const eps = checkEps(op, o.eps);
  const weight = affineTensor(op, "weight", o.weight, shape);
  const bias = affineTensor(op, "bias", o.bias, shape);
  const k = shape.length;
  const lead = input.ndim - k;
  if (lead < 0 || shape.some((s, i) => input.shape[lead + i] !== s)) {
    throw new ShapeError(`${op}: expected input [*, ${shape.join(", ")}], got ${formatShape(input.shape)}`);
  }
  let y = standardize(input, shape.map((_, i) => lead + i), { eps });
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/** A running statistic: null or a tensor of shape [C] that needs no gradient. */
function runningTensor(op: string, name: string, value: unknown, channels: number): Tensor | null {
  if (value === undefined || value === null) return null;
  const t = tensorArgument(op, value, name);
  if (t.ndim !== 1 || t.shape[0] !== channels) throw new ShapeError(`${op}: ${name} must have shape [${channels}] (the input's channels), got ${formatShape(t.shape)}`);
  if (t.requiresGrad) throw new DataError(`${op}: ${name} must not require grad (it is updated in place)`);
  return t;
}

/**
 * Batch normalization, as torch.nn.functional.batch_norm(input, running_mean,
 * running_var, weight, bias, training, momentum, eps), over every dimension but the
 * channels (dimension 1): `[N, C]`, `[N, C, L]`, `[N, C, H, W]`, … → the same shape.
 * With `training` the batch's mean and biased variance normalise, and the running
 * statistics (when given) are updated in place, without gradient, as
 * `running = momentum·batch + (1 − momentum)·running`, the variance with the unbiased
 * batch variance. Without `training` the running statistics normalise.
 * Everything is checked before anything is written.
 * @throws ShapeError when the input has fewer than 2 dimensions, a statistic or affine
 *   tensor is not `[C]`, or when training with one value per channel; DataError when not
 *   training without running statistics, on a running statistic that requires grad, or an
 *   invalid option.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const op = "batchNorm";
  const input = tensorArgument(op, x);
  const o = checkOptions(op, options, ["weight", "bias", "training", "momentum", "eps"]) as BatchNormOptions;
  const training = checkBoolean(op, "training", o.training, false);
  const momentum = optionalNumber(op, "momentum", o.momentum, 0.1);
  const eps = checkEps(op, o.eps);
  if (input.ndim < 2) throw new ShapeError(`${op}: expected input [N, C, *], got ${formatShape(input.shape)}`);
  const channels = input.shape[1]!;
  const mean = runningTensor(op, "runningMean", runningMean, channels);
  const variance = runningTensor(op, "runningVar", runningVar, channels);
  const weight = affineTensor(op, "weight", o.weight, [channels]);
  const bias = affineTensor(op, "bias", o.bias, [channels]);
  const dims = input.shape.flatMap((_, d) => (d === 1 ? [] : [d]));
  const count = dims.reduce((n, d) => n * input.shape[d]!, 1);
  if (training && count === 1) {
    throw new ShapeError(`${op}: expected more than 1 value per channel when training, got input ${formatShape(input.shape)}`);
  }
  if (!training && (mean === null || variance === null)) {
    throw new DataError(`${op}: runningMean and runningVar are needed when not training`);
  }
  // [C] → [C, 1, …]: broadcasts against [N, C, …].
  const perChannel = (t: Tensor) => t.reshape([channels, ...input.shape.slice(2).map(() => 1)]);
  let y: Tensor;
  if (!training) {
    y = input.sub(perChannel(mean!)).mul(perChannel(variance!).add(eps).rsqrt());
  } else if (count === 0) {
    // An empty batch: nothing to normalise and no statistics to learn, as PyTorch.
    y = input;
  } else {
    y = standardize(input, dims, { eps });
    noGrad(() => {
      if (mean) mean.copy_(input.mean(dims).mul(momentum).add(mean.mul(1 - momentum)));
      if (variance) variance.copy_(input.var(dims).mul(momentum).add(variance.mul(1 - momentum)));
    });
  }
  if (weight) y = y.mul(perChannel(weight));
  if (bias) y = y.add(perChannel(bias));
  return y;
}
