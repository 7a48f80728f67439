import { DataError, type Tensor } from "@tapegrad/autograd";
import { Module } from "./module.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  mseLoss,
  type Reduction,
} from "./functional.js";

/** Options of every loss: how per-element losses are reduced (default mean). */
export interface LossOptions {
  reduction?: Reduction;
}

/** Base of the loss modules: `loss.forward(input, target)`. */
export abstract class Loss extends Module<[input: Tensor, target: Tensor | number[]], Tensor> {
  readonly reduction: Reduction;

  /** @throws DataError on an unknown reduction. */
  constructor(options: LossOptions = {}) {
    super();
    const reduction = options.reduction ?? "mean";
    if (!["mean", "sum", "none"].includes(reduction)) {
      throw new DataError(`${new.target.name}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
    }
    this.reduction = reduction;
  }

  abstract override forward(input: Tensor, target: Tensor | number[]): Tensor;
}

/** Binary cross-entropy of probabilities in [0, 1] (logs clamped at −100, as PyTorch). */
export class BCELoss extends Loss {
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return binaryCrossEntropy(input, target, this.reduction);
  }
}

/** Binary cross-entropy of logits, numerically stable for any logit. */
export class BCEWithLogitsLoss extends Loss {
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.reduction);
  }
}

/** Mean squared error. */
export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return mseLoss(input, target, this.reduction);
  }
}

/** Cross-entropy of logits [N, C] against class indices [N] (a Tensor or number[]). */
export class CrossEntropyLoss extends Loss {
  forward(input: Tensor, target: Tensor | number[]): Tensor {
    return crossEntropy(input, target, this.reduction);
  }
}
