import type { Tensor } from "@tapegrad/autograd";
import { pickGenerator, type Generator } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { checkOptions } from "../options.js";
import { checkInplace, dropoutProbability } from "../layer-checks.js";
import { dropout, type DropoutOptions } from "../functional/dropout.js";

export type { DropoutOptions };

/**
 * Inverted dropout, as torch.nn.Dropout(p=0.5): in training mode each element is zeroed
 * with probability p and the kept ones are scaled by 1/(1 − p); in eval mode (after
 * `eval()`) it returns its input unchanged. The mask comes from `options.generator` or
 * the default generator (see manualSeed). Any shape → same shape.
 */
export class Dropout extends Module {
  /** The probability of zeroing an element. */
  readonly p: number;
  readonly #generator: Generator | undefined;

  /** @throws DataError when p is not in [0, 1], on an unknown option, `inplace: true` or a generator that is not a Generator. */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    this.p = dropoutProbability("Dropout", p);
    const o = checkOptions("Dropout", options, ["inplace", "generator"]) as DropoutOptions;
    checkInplace("Dropout", o.inplace);
    // Checked now, so a wrong generator fails at construction rather than at the first forward.
    if (o.generator !== undefined) pickGenerator({ generator: o.generator }, "Dropout");
    this.#generator = o.generator;
  }

  /** x with a fresh random mask in training mode; x itself in eval mode. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, { generator: this.#generator });
  }

  /** `p=0.5, inplace=false`, for `toString()`. */
  override extraRepr(): string {
    return `p=${this.p}, inplace=false`;
  }
}
