import { DataError, Tensor, linear, uniform } from "@tapegrad/autograd";
import { ShapeError, formatShape, pickGenerator, type Generator, type Seed } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkOptions, optionalBoolean } from "../options.js";

/** Options of Dense. */
export interface DenseOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Seed for the initial weights; the default generator (manualSeed) is used otherwise. */
  seed?: Seed;
  /** Generator for the initial weights. */
  generator?: Generator;
}

/**
 * A fully connected layer, y = x·Wᵀ + b, as torch.nn.Linear: `weight` is
 * [outFeatures, inFeatures], `bias` is [outFeatures], both initialised from
 * U(−1/√in, 1/√in) as PyTorch does. `[…, in] → […, out]`.
 */
export class Dense extends Module {
  /** [outFeatures, inFeatures]. */
  weight: Parameter;
  /** [outFeatures], or null without bias. */
  bias: Parameter | null;

  /** @throws DataError when a size is not a positive integer, on an unknown option, or when bias is not a boolean. */
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: DenseOptions = {},
  ) {
    super();
    for (const [name, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new DataError(`Dense: ${name} must be a positive integer, got ${v}`);
    }
    const o = checkOptions("Dense", options, ["bias", "seed", "generator"]) as DenseOptions;
    const bias = optionalBoolean("Dense", "bias", o.bias, true);
    const bound = 1 / Math.sqrt(inFeatures);
    // One generator for both tensors, so with a seed the bias continues the weights' stream.
    const random = { generator: pickGenerator(o) };
    this.weight = new Parameter(uniform([outFeatures, inFeatures], -bound, bound, random));
    this.bias = !bias ? null : new Parameter(uniform([outFeatures], -bound, bound, random));
  }

  /**
   * x·Wᵀ + b.
   * @throws ShapeError when the last dimension of x is not inFeatures.
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new DataError("Dense.forward: expected a Tensor");
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`Dense.forward: expected input [..., ${this.inFeatures}], got ${formatShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }

  /** `inFeatures=2, outFeatures=25, bias=true`, for `toString()`. */
  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** The same class as Dense, under PyTorch's name. */
export const Linear = Dense;
/** The same class as Dense, under PyTorch's name. */
export type Linear = Dense;
