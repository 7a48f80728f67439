import { ShapeError, Tensor, noGrad, ones, tensor, zeros } from "@tapegrad/autograd";
import { formatShape } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkBoolean, checkOptions, optionalNumber } from "../options.js";
import { checkEps, checkNormalizedShape, positiveInteger, tensorArgument } from "../layer-checks.js";
import { batchNorm, layerNorm } from "../functional/normalization.js";

/** Options of LayerNorm, as torch.nn.LayerNorm's. */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a scale `weight` (initialised to 1) and shift `bias` (0) of normalizedShape (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalization, as torch.nn.LayerNorm(normalized_shape, eps=1e-5,
 * elementwise_affine=True): each slice over the trailing `normalizedShape` is shifted to
 * mean 0 and divided by √(var + eps), with the biased variance, then scaled by `weight`
 * and shifted by `bias`. The statistics are always those of the input (train and eval
 * alike). `[*, ...normalizedShape]` → the same shape.
 */
export class LayerNorm extends Module {
  /** The trailing shape normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance. */
  readonly eps: number;
  /** Whether weight and bias exist. */
  readonly elementwiseAffine: boolean;
  /** Scale of normalizedShape, initialised to ones; null without elementwiseAffine. */
  weight: Parameter | null;
  /** Shift of normalizedShape, initialised to zeros; null without elementwiseAffine. */
  bias: Parameter | null;

  /** @throws DataError when normalizedShape is not a positive integer or a non-empty array of them, on an invalid eps or an unknown option. */
  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = checkNormalizedShape("LayerNorm", normalizedShape);
    const o = checkOptions("LayerNorm", options, ["eps", "elementwiseAffine"]) as LayerNormOptions;
    this.eps = checkEps("LayerNorm", o.eps);
    this.elementwiseAffine = checkBoolean("LayerNorm", "elementwiseAffine", o.elementwiseAffine, true);
    this.weight = this.elementwiseAffine ? new Parameter(ones([...this.normalizedShape])) : null;
    this.bias = this.elementwiseAffine ? new Parameter(zeros([...this.normalizedShape])) : null;
  }

  /**
   * The normalised input.
   * @throws ShapeError when the input's trailing dimensions are not normalizedShape.
   */
  forward(x: Tensor): Tensor {
    const input = tensorArgument("LayerNorm", x);
    const k = this.normalizedShape.length;
    if (input.ndim < k || this.normalizedShape.some((s, i) => input.shape[input.ndim - k + i] !== s)) {
      throw new ShapeError(`LayerNorm: expected input [*, ${this.normalizedShape.join(", ")}], got ${formatShape(input.shape)}`);
    }
    return layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  /** `[4], eps=0.00001, elementwiseAffine=true`, for `toString()`. */
  override extraRepr(): string {
    return `[${this.normalizedShape.join(", ")}], eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

/** Options of BatchNorm1d and BatchNorm2d, as torch.nn.BatchNorm1d's. */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /**
   * Weight of each batch's statistics in the running ones (default 0.1); null for a
   * cumulative moving average (the plain mean of all batches seen), as PyTorch's None.
   */
  momentum?: number | null;
  /** Learn a scale `weight` (initialised to 1) and shift `bias` (0) per channel (default true). */
  affine?: boolean;
  /**
   * Keep running statistics and use them in eval mode (default true); false normalises
   * with the batch's statistics in both modes and registers no buffers.
   */
  trackRunningStats?: boolean;
}

/**
 * What BatchNorm1d and BatchNorm2d share, as PyTorch's _BatchNorm: parameters `weight` and
 * `bias` `[C]`, buffers `runningMean` `[C]` (zeros), `runningVar` `[C]` (ones) and
 * `numBatchesTracked` `[]` (0). In training mode the input is normalised per channel with
 * the batch's mean and biased variance, and (with trackRunningStats) the running
 * statistics move toward the batch's, the variance with the unbiased batch variance; in
 * eval mode the running statistics normalise. The statistics update without gradient and
 * only after the input is checked.
 */
export abstract class BatchNormBase extends Module {
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of a batch in the running statistics; null for a cumulative average. */
  readonly momentum: number | null;
  /** Whether weight and bias exist. */
  readonly affine: boolean;
  /** Whether running statistics are kept. */
  readonly trackRunningStats: boolean;
  /** Scale per channel, `[C]`, initialised to ones; null without affine. */
  weight: Parameter | null;
  /** Shift per channel, `[C]`, initialised to zeros; null without affine. */
  bias: Parameter | null;
  /** Running mean per channel, `[C]` (a buffer); null without trackRunningStats. */
  declare runningMean: Tensor | null;
  /** Running (unbiased) variance per channel, `[C]` (a buffer); null without trackRunningStats. */
  declare runningVar: Tensor | null;
  /** Number of training batches seen, `[]` (a buffer); null without trackRunningStats. */
  declare numBatchesTracked: Tensor | null;

  /** @throws DataError when numFeatures is not a positive integer, on an invalid option or an unknown one. */
  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    const op = new.target.name;
    positiveInteger(op, "numFeatures", numFeatures);
    const o = checkOptions(op, options, ["eps", "momentum", "affine", "trackRunningStats"]) as BatchNormOptions;
    this.eps = checkEps(op, o.eps);
    this.momentum = o.momentum === null ? null : optionalNumber(op, "momentum", o.momentum, 0.1);
    this.affine = checkBoolean(op, "affine", o.affine, true);
    this.trackRunningStats = checkBoolean(op, "trackRunningStats", o.trackRunningStats, true);
    this.weight = this.affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures])) : null;
    const track = this.trackRunningStats;
    this.registerBuffer("runningMean", track ? zeros([numFeatures]) : null);
    this.registerBuffer("runningVar", track ? ones([numFeatures]) : null);
    this.registerBuffer("numBatchesTracked", track ? tensor(0) : null);
  }

  /** Sets runningMean to 0, runningVar to 1 and numBatchesTracked to 0, in place. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** Resets the running statistics, and weight to 1 and bias to 0, in place. */
  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.zero_();
    });
  }

  /**
   * The expected input shapes in words (`[N, 3] or [N, 3, L]`) and whether a rank is accepted.
   * @internal
   */
  protected abstract expectedInput(): { shapes: string; accepts: (ndim: number) => boolean };

  /**
   * The input normalised per channel (see the class).
   * @throws ShapeError when the input's rank or channel count is wrong, or in training mode
   *   when a channel has a single value (`N·L = 1`, as PyTorch's "Expected more than 1 value
   *   per channel").
   */
  forward(x: Tensor): Tensor {
    const op = this.constructor.name;
    const input = tensorArgument(op, x);
    const { shapes, accepts } = this.expectedInput();
    if (!accepts(input.ndim) || input.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${op}: expected input ${shapes}, got ${formatShape(input.shape)}`);
    }
    const count = input.size / this.numFeatures;
    if (this.training && count === 1) {
      throw new ShapeError(`${op}: expected more than 1 value per channel when training, got input ${formatShape(input.shape)}`);
    }
    const updating = this.training && this.trackRunningStats;
    const tracked = this.numBatchesTracked;
    // momentum null: the k-th batch weighs 1/k, so the running statistics are the plain means.
    const factor = updating && this.momentum === null ? 1 / (tracked!.item() + 1) : (this.momentum ?? 0);
    // Without running statistics, the batch's are used in eval mode too.
    const useBatch = this.training || this.runningMean === null;
    const useRunning = !this.training || this.trackRunningStats;
    const y = batchNorm(input, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatch,
      momentum: factor,
      eps: this.eps,
    });
    if (updating && tracked) noGrad(() => tracked.add_(1));
    return y;
  }

  /** `5, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true`, for `toString()`. */
  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/**
 * Batch normalization over `[N, C]` or `[N, C, L]` inputs, as torch.nn.BatchNorm1d(
 * num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True): each
 * channel is normalised over the batch (and length) dimensions. See BatchNormBase for the
 * training and eval behaviour. `[N, C]` or `[N, C, L]` → the same shape.
 */
export class BatchNorm1d extends BatchNormBase {
  /** @internal */
  protected expectedInput() {
    return { shapes: `[N, ${this.numFeatures}] or [N, ${this.numFeatures}, L]`, accepts: (ndim: number) => ndim === 2 || ndim === 3 };
  }
}

/**
 * Batch normalization over `[N, C, H, W]` inputs, as torch.nn.BatchNorm2d(num_features,
 * eps=1e-5, momentum=0.1, affine=True, track_running_stats=True): each channel is
 * normalised over the batch and both spatial dimensions. See BatchNormBase for the
 * training and eval behaviour. `[N, C, H, W]` → the same shape.
 */
export class BatchNorm2d extends BatchNormBase {
  /** @internal */
  protected expectedInput() {
    return { shapes: `[N, ${this.numFeatures}, H, W]`, accepts: (ndim: number) => ndim === 4 };
  }
}
