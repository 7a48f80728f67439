import { type Tensor } from "@tapegrad/autograd";
import { Module } from "./module.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  huberLoss,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  type BinaryCrossEntropyOptions,
  type BinaryCrossEntropyWithLogitsOptions,
  type CrossEntropyOptions,
  type HuberLossOptions,
  type KLDivOptions,
  type KLDivReduction,
  type NLLLossOptions,
  type Reduction,
  type SmoothL1LossOptions,
} from "./functional/losses.js";
import { checkBoolean, checkOptions, optionalNumber } from "./options.js";
import { REDUCTIONS, bufferTensor, crossEntropySettings, lossOptions, nllSettings } from "./loss-options.js";

/** Options of every loss: how per-element losses are reduced (default mean). */
export interface LossOptions {
  reduction?: Reduction;
}

export type {
  BinaryCrossEntropyOptions as BCELossOptions,
  BinaryCrossEntropyWithLogitsOptions as BCEWithLogitsLossOptions,
  CrossEntropyOptions as CrossEntropyLossOptions,
  NLLLossOptions,
  SmoothL1LossOptions,
  HuberLossOptions,
  KLDivOptions as KLDivLossOptions,
};

/**
 * Base of the loss modules: `loss.forward(input, target)`. `R` is the type of its
 * reduction: the common three, or more for a loss that has more (KLDivLoss's 'batchmean').
 */
export abstract class Loss<R extends string = Reduction> extends Module<[input: Tensor, target: Tensor | number[]], Tensor> {
  readonly reduction: R;

  /**
   * Checks the options against the names this loss accepts, so that `label_smoothing` or
   * `pos_weight` from PyTorch habit fails loudly instead of training with the default.
   * `reductions` lists the reductions it accepts ('mean', 'sum' and 'none' by default).
   * @throws DataError on an unknown option (suggesting the close name) or reduction.
   */
  constructor(options: { reduction?: R } = {}, allowed: readonly string[] = [], reductions: readonly string[] = REDUCTIONS) {
    super();
    const keys = [...allowed, "reduction"];
    this.reduction = lossOptions(new.target.name, checkOptions(new.target.name, options, keys), allowed, reductions).reduction as string as R;
  }

  abstract override forward(input: Tensor, target: Tensor | number[]): Tensor;
}

/**
 * Binary cross-entropy of probabilities in [0, 1] (logs clamped at −100, as PyTorch), each
 * element's loss scaled by `weight` (a buffer, broadcast to the input) when given.
 * `forward(probabilities, targets)`, both of one shape.
 */
export class BCELoss extends Loss {
  declare readonly weight: Tensor | null;

  /** @throws DataError on an unknown option or reduction. */
  constructor(options: BinaryCrossEntropyOptions = {}) {
    super(options, ["weight"]);
    this.registerBuffer("weight", bufferTensor("BCELoss", "weight", options.weight));
  }

  /** @throws DataError when an input lies outside [0, 1]; ShapeError, with the fix, when shapes differ. */
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Binary cross-entropy of logits, numerically stable for any logit; `posWeight` scales the
 * positive term (one value per class balances rare positives), `weight` each element.
 * Both are buffers, as in PyTorch.
 */
export class BCEWithLogitsLoss extends Loss {
  declare readonly weight: Tensor | null;
  declare readonly posWeight: Tensor | null;

  /** @throws DataError on an unknown option or reduction. */
  constructor(options: BinaryCrossEntropyWithLogitsOptions = {}) {
    super(options, ["weight", "posWeight"]);
    this.registerBuffer("weight", bufferTensor("BCEWithLogitsLoss", "weight", options.weight));
    this.registerBuffer("posWeight", bufferTensor("BCEWithLogitsLoss", "posWeight", options.posWeight));
  }

  /** @throws ShapeError, with the fix, when shapes differ or a weight does not broadcast. */
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

/** Mean squared error. */
export class MSELoss extends Loss {
  /** @throws DataError on an unknown option or reduction. */
  constructor(options: LossOptions = {}) {
    super(options);
  }

  /** @throws ShapeError, with the fix, when shapes differ. */
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return mseLoss(input, target, this.reduction);
  }
}

/**
 * Cross-entropy of logits `[C]`, `[N, C]` or `[N, C, d1, …]` against class indices (a
 * Tensor or number[] of the input's shape without the class dimension; a number for `[C]`) or class
 * probabilities (the input's shape), with torch.nn.CrossEntropyLoss's `weight` (a buffer),
 * `ignoreIndex` and `labelSmoothing`. See `functional.crossEntropy` for the exact semantics.
 */
export class CrossEntropyLoss extends Loss {
  declare readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  /** @throws DataError on an unknown option, a reduction, ignoreIndex or labelSmoothing that is invalid. */
  constructor(options: CrossEntropyOptions = {}) {
    super(options, ["weight", "ignoreIndex", "labelSmoothing"]);
    // Checked here, with the functional form's rules, so a bad option fails at construction.
    const o = crossEntropySettings("CrossEntropyLoss", options);
    this.ignoreIndex = o.ignoreIndex;
    this.labelSmoothing = o.labelSmoothing;
    this.registerBuffer("weight", bufferTensor("CrossEntropyLoss", "weight", options.weight));
  }

  /**
   * `target` holds class indices (a number for an unbatched `[C]` input) or class probabilities.
   * @throws ShapeError when the target fits neither form; DataError on a target that is not a class index.
   */
  forward(input: Tensor, target: Tensor | number[] | number): Tensor {
    return crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing, reduction: this.reduction });
  }
}

/**
 * Negative log-likelihood of log-probabilities `[C]`, `[N, C]` or `[N, C, d1, …]` against
 * class indices, as torch.nn.NLLLoss, with its `weight` (a buffer, one value per class) and
 * `ignoreIndex`. `new NLLLoss()` after `logSoftmax(1)` is `CrossEntropyLoss`. See
 * `functional.nllLoss` for the exact semantics.
 */
export class NLLLoss extends Loss {
  declare readonly weight: Tensor | null;
  readonly ignoreIndex: number;

  /** @throws DataError on an unknown option, a reduction or an ignoreIndex that is invalid. */
  constructor(options: NLLLossOptions = {}) {
    super(options, ["weight", "ignoreIndex"]);
    this.ignoreIndex = nllSettings("NLLLoss", options).ignoreIndex;
    this.registerBuffer("weight", bufferTensor("NLLLoss", "weight", options.weight));
  }

  /**
   * `target` holds class indices (a number for an unbatched `[C]` input).
   * @throws ShapeError when the target's or the weight's shape does not fit; DataError on a target that is not a class index.
   */
  forward(input: Tensor, target: Tensor | number[] | number): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Mean absolute error |x − y|, as torch.nn.L1Loss; the gradient where x = y is 0. */
export class L1Loss extends Loss {
  /** @throws DataError on an unknown option or reduction. */
  constructor(options: LossOptions = {}) {
    super(options);
  }

  /** @throws ShapeError, with the fix, when shapes differ. */
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return l1Loss(input, target, this.reduction);
  }
}

/**
 * Smooth L1 loss, as torch.nn.SmoothL1Loss: quadratic (0.5·z²/β) below β = `beta`
 * (default 1), linear (z − 0.5·β) above; `beta: 0` is the L1 loss.
 */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  /** @throws DataError on an unknown option, a reduction, or β that is negative or not a number. */
  constructor(options: SmoothL1LossOptions = {}) {
    super(options, ["beta"]);
    this.beta = optionalNumber("SmoothL1Loss", "beta", options.beta, 1, (v) => v >= 0 && Number.isFinite(v), "a finite number ≥ 0");
  }

  /** @throws ShapeError, with the fix, when shapes differ. */
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return smoothL1Loss(input, target, { beta: this.beta, reduction: this.reduction });
  }
}

/**
 * Huber loss, as torch.nn.HuberLoss: quadratic (0.5·z²) below δ = `delta` (default 1),
 * linear (δ·(z − 0.5·δ)) above.
 */
export class HuberLoss extends Loss {
  readonly delta: number;

  /** @throws DataError on an unknown option, a reduction, or δ that is not a number > 0. */
  constructor(options: HuberLossOptions = {}) {
    super(options, ["delta"]);
    this.delta = optionalNumber("HuberLoss", "delta", options.delta, 1, (v) => v > 0 && Number.isFinite(v), "a finite number > 0");
  }

  /** @throws ShapeError, with the fix, when shapes differ. */
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return huberLoss(input, target, { delta: this.delta, reduction: this.reduction });
  }
}

/**
 * Kullback–Leibler divergence loss, as torch.nn.KLDivLoss: the input holds
 * log-probabilities, the target probabilities (or log-probabilities with `logTarget`).
 * `reduction: 'batchmean'` gives the KL divergence per sample; the default 'mean' averages
 * over every element, as torch 1.13 does (with its warning). See `functional.klDiv`.
 */
export class KLDivLoss extends Loss<KLDivReduction> {
  readonly logTarget: boolean;

  /** @throws DataError on an unknown option, a reduction, or a logTarget that is not a boolean. */
  constructor(options: KLDivOptions = {}) {
    super(options, ["logTarget"], [...REDUCTIONS, "batchmean"]);
    this.logTarget = checkBoolean("KLDivLoss", "logTarget", options.logTarget, false);
  }

  /** @throws ShapeError, with the fix, when shapes differ. */
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
