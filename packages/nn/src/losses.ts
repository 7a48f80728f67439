import { type Tensor } from "@tapegrad/autograd";
import { Module } from "./module.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  mseLoss,
  type BinaryCrossEntropyOptions,
  type BinaryCrossEntropyWithLogitsOptions,
  type CrossEntropyOptions,
  type Reduction,
} from "./functional/losses.js";
import { checkOptions } from "./options.js";
import { bufferTensor, crossEntropySettings, lossOptions } from "./loss-options.js";

/** Options of every loss: how per-element losses are reduced (default mean). */
export interface LossOptions {
  reduction?: Reduction;
}

export type { BinaryCrossEntropyOptions as BCELossOptions, BinaryCrossEntropyWithLogitsOptions as BCEWithLogitsLossOptions, CrossEntropyOptions as CrossEntropyLossOptions };

/** Base of the loss modules: `loss.forward(input, target)`. */
export abstract class Loss extends Module<[input: Tensor, target: Tensor | number[]], Tensor> {
  readonly reduction: Reduction;

  /**
   * Checks the options against the names this loss accepts, so that `label_smoothing` or
   * `pos_weight` from PyTorch habit fails loudly instead of training with the default.
   * @throws DataError on an unknown option (suggesting the close name) or reduction.
   */
  constructor(options: LossOptions = {}, allowed: readonly string[] = []) {
    super();
    const keys = [...allowed, "reduction"];
    this.reduction = lossOptions(new.target.name, checkOptions(new.target.name, options, keys), allowed).reduction;
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
