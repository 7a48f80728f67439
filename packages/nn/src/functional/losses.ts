import {
  DataError,
  ShapeError,
  Tensor,
  binaryCrossEntropy as bce,
  binaryCrossEntropyWithLogits as bceLogits,
  onesLike,
  tensor,
  where,
} from "@tapegrad/autograd";
import { formatShape, sameShape } from "@tapegrad/tensor";
import { checkBoolean, optionalNumber } from "../options.js";
import { REDUCTIONS, asTensor, classWeight, crossEntropySettings, lossOptions, nllSettings, target, weightTensor } from "../loss-options.js";

// Losses built from primitives get their gradients from the graph. The two binary
// cross-entropies are fused ops in @tapegrad/autograd (ops/loss.ts), because their
// composite gradients break at the edges.

/** How a per-element loss is reduced: averaged, summed, or returned as is. */
export type Reduction = "mean" | "sum" | "none";

/** Keyword options shared by every loss: how per-element losses are reduced (default mean). */
export interface ReductionOptions {
  reduction?: Reduction;
}

/** Options of `binaryCrossEntropy`, as torch.nn.functional.binary_cross_entropy. */
export interface BinaryCrossEntropyOptions extends ReductionOptions {
  /** Rescales each element's loss; broadcast to the input's shape (a constant: gets no gradient). */
  weight?: Tensor | number[] | null;
}

/** Options of `binaryCrossEntropyWithLogits`, as torch.nn.functional.binary_cross_entropy_with_logits. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /**
   * Weight of the positive term, broadcast against the target (usually one value per class,
   * `[C]`): `posWeight = nNegative / nPositive` balances a rare positive class.
   */
  posWeight?: Tensor | number[] | null;
}

/** Options of `crossEntropy`, as torch.nn.functional.cross_entropy. */
export interface CrossEntropyOptions extends ReductionOptions {
  /** One weight per class, `[C]`; a weighted mean divides by the summed weights of the counted targets. */
  weight?: Tensor | number[] | null;
  /** A class-index target equal to this is skipped: no loss, no gradient, not counted in the mean (default −100). */
  ignoreIndex?: number;
  /** ε in [0, 1]: the target becomes (1 − ε)·target + ε/C over the classes (default 0). */
  labelSmoothing?: number;
}

/** Applies a reduction to per-element losses. @throws DataError on an unknown reduction. */
export function reduce(losses: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === "mean") return losses.mean();
  if (reduction === "sum") return losses.sum();
  if (reduction === "none") return losses;
  throw new DataError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
}

/**
 * Binary cross-entropy of probabilities, −w·[y·log x + (1 − y)·log(1 − x)] with logs
 * clamped at −100 (PyTorch semantics). `input` and `target` have the same shape; `weight`
 * broadcasts to it. Options may be a bare reduction.
 * @throws DataError when an input lies outside [0, 1] (logits belong in
 *   binaryCrossEntropyWithLogits) or on an unknown option; ShapeError when shapes differ.
 */
export function binaryCrossEntropy(input: Tensor, targetValue: Tensor | number[], options: Reduction | BinaryCrossEntropyOptions = {}): Tensor {
  const op = "BCELoss";
  const o = lossOptions(op, options, ["weight"]);
  const y = target(input, targetValue, op);
  const weight = weightTensor(o.weight, op, "weight", input.shape);
  const values = input.array.values();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 1)) {
      throw new DataError(`${op}: every input must lie in [0, 1], got ${v} at flat index ${i}; for logits use BCEWithLogitsLoss (or apply sigmoid first)`);
    }
  }
  const losses = bce([input, y], undefined);
  return reduce(weight === null ? losses : losses.mul(weight), o.reduction, op);
}

/**
 * Binary cross-entropy on logits, in the stable form max(x, 0) − x·y + log(1 + e^−|x|):
 * finite for logits of ±1000. With `posWeight` p the positive term is scaled,
 * (1 − y)·x + (1 + (p − 1)·y)·softplus(−x), as PyTorch; `weight` scales each element.
 * @throws ShapeError when shapes differ or a weight does not broadcast; DataError on an unknown option.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  targetValue: Tensor | number[],
  options: Reduction | BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  const op = "BCEWithLogitsLoss";
  const o = lossOptions(op, options, ["weight", "posWeight"]);
  const y = target(input, targetValue, op);
  const weight = weightTensor(o.weight, op, "weight", input.shape);
  const posWeight = weightTensor(o.posWeight, op, "posWeight", input.shape);
  let losses: Tensor;
  if (posWeight === null) {
    losses = bceLogits([input, y], undefined);
  } else {
    // softplus(−x) is the fused loss at y = 1, so its gradient σ(x) − 1 stays exact for any logit.
    const logWeight = posWeight.sub(1).mul(y).add(1);
    losses = y.neg().add(1).mul(input).add(logWeight.mul(bceLogits([input, onesLike(input)], undefined)));
  }
  return reduce(weight === null ? losses : losses.mul(weight), o.reduction, op);
}

/**
 * Mean squared error (x − y)², reduced. Options may be a bare reduction.
 * @throws ShapeError, with the fix, when shapes differ; DataError on an unknown option.
 */
export function mseLoss(input: Tensor, targetValue: Tensor | number[], options: Reduction | ReductionOptions = {}): Tensor {
  const o = lossOptions("MSELoss", options, []);
  const y = target(input, targetValue, "MSELoss");
  return reduce(input.sub(y).square(), o.reduction, "MSELoss");
}

/** Shape and strides of the class dimension: input [C], [N, C] or [N, C, d1, …]. */
function classLayout(input: Tensor, op: string, what = "logits"): { classDim: number; classes: number; inner: number; indexShape: number[] } {
  if (!(input instanceof Tensor) || input.ndim === 0) {
    throw new ShapeError(`${op}: expected ${what} [C], [N, C] or [N, C, d1, …], got ${input instanceof Tensor ? formatShape(input.shape) : typeof input}`);
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim]!;
  const inner = input.shape.slice(classDim + 1).reduce((a, b) => a * b, 1);
  const indexShape = input.shape.filter((_, d) => d !== classDim);
  return { classDim, classes, inner, indexShape };
}

/**
 * Cross-entropy of logits against class indices or class probabilities, as
 * torch.nn.functional.cross_entropy (torch 1.13): logits `[C]`, `[N, C]` or
 * `[N, C, d1, …]`; targets either class indices of the input's shape without the class
 * dimension (`[]`, `[N]`, `[N, d1, …]`, as a Tensor, a number[], or a number for `[C]`), or probabilities of the
 * input's own shape. With class indices, `ignoreIndex` targets count for nothing and a
 * weighted mean divides by the summed weights of the counted targets; label smoothing
 * mixes in −logSoftmax summed over the classes (weighted by class), divided by C, averaged
 * like the main term. With probabilities, the mean
 * divides by the number of positions. `reduction: 'none'` gives the index shape.
 * Composed from logSoftmax, so it is stable for large logits.
 * @throws ShapeError when the target fits neither form (the message lists both);
 *   DataError when a class index is not an integer in [0, C), on an invalid option, or
 *   ignoreIndex ≥ 0 with probability targets.
 */
export function crossEntropy(input: Tensor, targets: Tensor | number[] | number, options: Reduction | CrossEntropyOptions = {}): Tensor {
  const op = "CrossEntropyLoss";
  const o = crossEntropySettings(op, options);
  const { ignoreIndex, labelSmoothing: smoothing } = o;
  const { classDim, classes, inner, indexShape } = classLayout(input, op);
  // A bare number is the class index of an unbatched input, as torch's 0-d target.
  const t = typeof targets === "number" ? tensor(targets) : asTensor(targets, op, "target");
  const weight = o.weight === undefined || o.weight === null ? null : asTensor(o.weight, op, "weight").detach();
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new ShapeError(`${op}: weight must hold one value per class, [${classes}], got ${formatShape(weight.shape)}`);
  }
  // Weights shaped to broadcast along the class dimension: [C] for [C] inputs, [C, 1, …] otherwise.
  const classShaped = weight?.reshape(input.shape.map((s, d) => (d === classDim ? s : 1)).slice(classDim));
  const logProbabilities = input.logSoftmax(classDim);

  if (sameShape(t.shape, input.shape)) {
    if (ignoreIndex >= 0) throw new DataError(`${op}: ignoreIndex is not supported with class-probability targets (got ${ignoreIndex})`);
    const smoothed = smoothing > 0 ? t.mul(1 - smoothing).add(smoothing / classes) : t;
    let products = logProbabilities.mul(smoothed);
    if (classShaped) products = products.mul(classShaped);
    if (o.reduction === "none") return products.sum(classDim).neg();
    const total = products.sum().neg();
    return o.reduction === "sum" ? total : total.div(input.size / classes);
  }

  if (!sameShape(t.shape, indexShape)) {
    throw new ShapeError(
      `${op}: target shape ${formatShape(t.shape)} fits neither accepted form for logits ${formatShape(input.shape)}: ` +
        `class indices of shape ${formatShape(indexShape)} (integers in [0, ${classes})) ` +
        `or class probabilities of the input's shape ${formatShape(input.shape)}`,
    );
  }
  const indices = t.toFloat64Array();
  const weights = weight?.toFloat64Array();
  // A selection mask instead of a gather: −w[k] at each target's class, 0 elsewhere and on ignored targets.
  const selected = new Float64Array(input.size);
  const picked = new Float64Array(input.size);
  const counted = new Float64Array(indices.length);
  let totalWeight = 0;
  let countedTargets = 0;
  for (let p = 0; p < indices.length; p++) {
    const k = indices[p]!;
    if (k === ignoreIndex) continue;
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      const probabilities = Number.isInteger(k) ? "" : `; class probabilities need the input's shape ${formatShape(input.shape)}`;
      throw new DataError(`${op}: target ${k} at position ${p} is not a class index in [0, ${classes})${probabilities}`);
    }
    const w = weights ? weights[k]! : 1;
    const n = Math.floor(p / inner);
    const at = n * classes * inner + k * inner + (p % inner);
    selected[at] = 1;
    picked[at] = -w;
    counted[p] = 1;
    totalWeight += w;
    countedTargets++;
  }
  const shape = { shape: [...input.shape] };
  // where() keeps a −∞ logit of another class from turning 0·∞ into NaN.
  const losses = where(tensor(selected, shape), logProbabilities, 0).mul(tensor(picked, shape)).sum(classDim);
  const nll = o.reduction === "none" ? losses : o.reduction === "sum" ? losses.sum() : losses.sum().div(totalWeight);
  if (smoothing === 0) return nll;

  const keep = tensor(counted, { shape: indexShape });
  const smoothTerms = classShaped ? logProbabilities.mul(classShaped) : logProbabilities;
  const smooth = where(keep, smoothTerms.sum(classDim).neg(), 0);
  const smoothReduced =
    o.reduction === "none" ? smooth : o.reduction === "sum" ? smooth.sum() : smooth.sum().div(weights ? totalWeight : countedTargets);
  return nll.mul(1 - smoothing).add(smoothReduced.mul(smoothing / classes));
}

/** Options of `nllLoss`, as torch.nn.functional.nll_loss. */
export interface NLLLossOptions extends ReductionOptions {
  /** One weight per class, `[C]`; a weighted mean divides by the summed weights of the counted targets. */
  weight?: Tensor | number[] | null;
  /** A target equal to this is skipped: no loss, no gradient, not counted in the mean (default −100). */
  ignoreIndex?: number;
}

/**
 * Negative log-likelihood of log-probabilities against class indices, as
 * torch.nn.functional.nll_loss (torch 1.13): the loss at a position is −w[k]·input[k] for
 * its target class k. Input `[C]`, `[N, C]` or `[N, C, d1, …]` (classes on dim 1, or dim 0
 * unbatched); targets of the input's shape without the class dimension (`[]` — a number —,
 * `[N]`, `[N, d1, …]`). Ignored targets give 0 and count for nothing; the mean divides by
 * the summed weights of the counted targets (the count without `weight`), so a batch with
 * every target ignored gives NaN, as PyTorch. `reduction: 'none'` gives the target's shape.
 * Picks the values with `gather`, so the gradient is −w[k] at each target's class and 0
 * elsewhere. Pair it with `logSoftmax(1)`: together they are `crossEntropy`.
 * @throws ShapeError when the input is 0-d, the target's shape does not fit, or the weight
 *   is not `[C]`; DataError when a target is not an integer in [0, C) (nor ignoreIndex), or
 *   on an invalid option.
 */
export function nllLoss(input: Tensor, targets: Tensor | number[] | number, options: Reduction | NLLLossOptions = {}): Tensor {
  const op = "NLLLoss";
  const o = nllSettings(op, options);
  const { classDim, classes, indexShape } = classLayout(input, op, "log-probabilities");
  const t = typeof targets === "number" ? tensor(targets) : asTensor(targets, op, "target");
  if (!sameShape(t.shape, indexShape)) {
    throw new ShapeError(
      `${op}: target shape ${formatShape(t.shape)} does not fit input ${formatShape(input.shape)}: expected class indices of shape ${formatShape(indexShape)}`,
    );
  }
  const weight = classWeight(o.weight, op, classes)?.toFloat64Array();
  const indices = t.toFloat64Array();
  // Ignored targets gather class 0 (any valid index), then where() drops them; their weight is 0.
  const safe = new Float64Array(indices.length);
  const keep = new Float64Array(indices.length);
  const negativeWeights = new Float64Array(indices.length);
  let totalWeight = 0;
  for (let p = 0; p < indices.length; p++) {
    const k = indices[p]!;
    if (k === o.ignoreIndex) continue;
    if (!Number.isInteger(k) || k < 0 || k >= classes) {
      throw new DataError(`${op}: target ${k} at position ${p} is not a class index in [0, ${classes}) (nor ignoreIndex ${o.ignoreIndex})`);
    }
    const w = weight ? weight[k]! : 1;
    safe[p] = k;
    keep[p] = 1;
    negativeWeights[p] = -w;
    totalWeight += w;
  }
  const shape = { shape: indexShape };
  const picked = input.gather(classDim, tensor(safe, shape).unsqueeze(classDim)).squeeze(classDim);
  // where() after the product: an ignored position's gradient is 0 even when the mean is 0/0.
  const losses = where(tensor(keep, shape), picked.mul(tensor(negativeWeights, shape)), 0);
  if (o.reduction === "none") return losses;
  return o.reduction === "sum" ? losses.sum() : losses.sum().div(totalWeight);
}

/**
 * Mean absolute error |x − y|, reduced, as torch.nn.functional.l1_loss; the gradient where
 * x = y is 0, as PyTorch's. Options may be a bare reduction.
 * @throws ShapeError, with the fix, when shapes differ; DataError on an unknown option.
 */
export function l1Loss(input: Tensor, targetValue: Tensor | number[], options: Reduction | ReductionOptions = {}): Tensor {
  const o = lossOptions("L1Loss", options, []);
  const y = target(input, targetValue, "L1Loss");
  return reduce(input.sub(y).abs(), o.reduction, "L1Loss");
}

/** Options of `smoothL1Loss`, as torch.nn.functional.smooth_l1_loss. */
export interface SmoothL1LossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear, ≥ 0 (default 1); 0 gives the L1 loss (gradient −1 where x = y, as PyTorch). */
  beta?: number;
}

/**
 * Smooth L1 loss, as torch.nn.functional.smooth_l1_loss: with z = |x − y|, 0.5·z²/β where
 * z < β and z − 0.5·β elsewhere. Its gradient is continuous (±1 at z = β on both sides);
 * β = 0 is the L1 loss, as in PyTorch, but with PyTorch's gradient −1 where x = y (where
 * `l1Loss` has 0).
 * @throws ShapeError, with the fix, when shapes differ; DataError on an unknown option or β < 0.
 */
export function smoothL1Loss(input: Tensor, targetValue: Tensor | number[], options: Reduction | SmoothL1LossOptions = {}): Tensor {
  const op = "SmoothL1Loss";
  const o = lossOptions(op, options, ["beta"]);
  const beta = optionalNumber(op, "beta", o.beta, 1, (v) => v >= 0 && Number.isFinite(v), "a finite number ≥ 0");
  const y = target(input, targetValue, op);
  const difference = input.sub(y);
  if (beta === 0) {
    // |x − y| written as d − 2·min(d, 0): the value is L1's, and the gradient where x = y is
    // −1, as torch 1.13's smooth_l1_loss_backward gives there (its first branch is x ≤ −β).
    const nonPositive = where(difference.gt(0), 0, difference);
    return reduce(difference.sub(nonPositive.mul(2)), o.reduction, op);
  }
  const z = difference.abs();
  // The quadratic piece squares the difference itself, so its gradient is x − y, not |x − y|·sign.
  const losses = where(z.lt(beta), difference.square().mul(0.5).div(beta), z.sub(0.5 * beta));
  return reduce(losses, o.reduction, op);
}

/** Options of `huberLoss`, as torch.nn.functional.huber_loss. */
export interface HuberLossOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear, > 0 (default 1). */
  delta?: number;
}

/**
 * Huber loss, as torch.nn.functional.huber_loss: with z = |x − y|, 0.5·z² where z < δ and
 * δ·(z − 0.5·δ) elsewhere (δ times the smooth L1 loss with β = δ). The gradient is
 * continuous (±δ at z = δ), 0 where x = y.
 * @throws ShapeError, with the fix, when shapes differ; DataError on an unknown option or δ ≤ 0.
 */
export function huberLoss(input: Tensor, targetValue: Tensor | number[], options: Reduction | HuberLossOptions = {}): Tensor {
  const op = "HuberLoss";
  const o = lossOptions(op, options, ["delta"]);
  const delta = optionalNumber(op, "delta", o.delta, 1, (v) => v > 0 && Number.isFinite(v), "a finite number > 0");
  const y = target(input, targetValue, op);
  const difference = input.sub(y);
  const z = difference.abs();
  const losses = where(z.lt(delta), difference.square().mul(0.5), z.sub(0.5 * delta).mul(delta));
  return reduce(losses, o.reduction, op);
}

/** How `klDiv` reduces: the common three, or 'batchmean' (the sum divided by the batch size). */
export type KLDivReduction = Reduction | "batchmean";

/** Options of `klDiv`, as torch.nn.functional.kl_div. */
export interface KLDivOptions {
  /**
   * 'mean' (the default, averaging over every element as torch 1.13 does, with its
   * warning), 'batchmean' (the sum over the first dimension's size: the KL divergence per
   * sample), 'sum' or 'none'.
   */
  reduction?: KLDivReduction;
  /** The target holds log-probabilities instead of probabilities (default false). */
  logTarget?: boolean;
}

let warnedKLDivMean = false;

/** PyTorch's warning about 'mean', once per process. */
function warnKLDivMean(): void {
  if (warnedKLDivMean) return;
  warnedKLDivMean = true;
  console.warn(
    "tapegrad: KLDivLoss: reduction: 'mean' divides the total loss by both the batch size and the support size. " +
      "'batchmean' divides only by the batch size, and aligns with the KL div math definition " +
      "(PyTorch's warning: 'mean' is to behave as 'batchmean' in a later major release; tapegrad follows torch 1.13).",
  );
}

/**
 * Kullback–Leibler divergence of a target distribution from the input's, as
 * torch.nn.functional.kl_div (torch 1.13): the input holds log-probabilities, and each
 * element's loss is y·(log y − x) (0 where y = 0), or e^y·(y − x) with `logTarget` (the
 * target as log-probabilities). Reductions: 'mean' averages over every element (as torch
 * 1.13, which warns that 'batchmean' is the KL divergence; so does tapegrad, once),
 * 'batchmean' divides the sum by the input's first dimension (a 0-d input: the sum),
 * 'sum', 'none'. The input's gradient is −y (−e^y with logTarget). Options may be a bare reduction.
 * @throws ShapeError, with the fix, when shapes differ; DataError on an unknown option,
 *   reduction, or a logTarget that is not a boolean.
 */
export function klDiv(input: Tensor, targetValue: Tensor | number[], options: KLDivReduction | KLDivOptions = {}): Tensor {
  const op = "KLDivLoss";
  const o = lossOptions(op, options, ["logTarget"], [...REDUCTIONS, "batchmean"]);
  const logTarget = checkBoolean(op, "logTarget", o.logTarget, false);
  const y = target(input, targetValue, op);
  let losses: Tensor;
  if (logTarget) {
    losses = y.exp().mul(y.sub(input));
  } else {
    // xlogy(y, y) − y·x: y·log y with 0·log 0 = 0 (log of 1 there, so no 0·(−∞) in the gradient either).
    const safe = where(y.eq(0), 1, y);
    losses = y.mul(safe.log()).sub(y.mul(input));
  }
  const reduction = o.reduction as KLDivReduction;
  if (reduction === "batchmean") return input.ndim === 0 ? losses.sum() : losses.sum().div(input.shape[0]!);
  if (reduction === "mean") warnKLDivMean();
  return reduce(losses, reduction, op);
}
