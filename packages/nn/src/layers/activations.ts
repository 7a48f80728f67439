import { DataError, type Tensor } from "@tapegrad/autograd";
import { Module } from "../module.js";
import { checkOptions, optionalNumber } from "../options.js";
import { checkInplace } from "../layer-checks.js";
import * as F from "../functional/activations.js";
import type { GeluOptions, SoftplusOptions } from "../functional/activations.js";
export type { GeluOptions, SoftplusOptions };

// The activation layers, as torch.nn's: each forward calls the functional form (and so the
// Tensor method), whose op holds the VJP. `inplace` is accepted only as false.

/** Options of the activations that PyTorch gives an `inplace` flag. */
export interface InplaceOptions {
  /** Must be false (the default): tapegrad always returns a new tensor. */
  inplace?: boolean;
}

/** Reads `{ inplace }` options. @throws DataError on an unknown option or inplace true. */
function inplaceOptions(op: string, options: unknown): void {
  checkInplace(op, checkOptions(op, options, ["inplace"]).inplace);
}

/** max(x, 0) elementwise, as torch.nn.ReLU. Any shape → same shape. */
export class ReLU extends Module {
  /** @throws DataError on an unknown option or `inplace: true`. */
  constructor(options: InplaceOptions = {}) {
    super();
    inplaceOptions("ReLU", options);
  }
  /** max(x, 0). */
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** 1/(1+e⁻ˣ) elementwise, finite for any input. Any shape → same shape. */
export class Sigmoid extends Module {
  /** σ(x). */
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh elementwise. Any shape → same shape. */
export class Tanh extends Module {
  /** tanh(x). */
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** softmax along `dim` (default the last). */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  /** softmax(x) along dim. */
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  /** `dim=-1`, for `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * log softmax along `dim`, stable for logits of ±1000, as torch.nn.LogSoftmax(dim); the
 * usual head before NLLLoss. Any shape → same shape.
 */
export class LogSoftmax extends Module {
  /** @throws DataError when dim is missing (PyTorch's implicit dim is deprecated) or not an integer. */
  constructor(readonly dim: number) {
    super();
    if (dim === undefined || dim === null) {
      throw new DataError("LogSoftmax: dim is required (PyTorch's implicit choice of dim is deprecated); pass -1 for the last dimension");
    }
    if (!Number.isInteger(dim)) throw new DataError(`LogSoftmax: dim must be an integer, got ${String(dim)}`);
  }
  /**
   * log softmax(x) along dim.
   * @throws ShapeError when dim is out of range for x.
   */
  forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
  /** `dim=1`, for `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Returns its input unchanged; a placeholder layer. */
export class Identity extends Module {
  /** x itself. */
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * The Gaussian error linear unit x·Φ(x) elementwise (or its tanh approximation), as
 * torch.nn.GELU. Any shape → same shape.
 */
export class GELU extends Module {
  /** "none" or "tanh". */
  readonly approximate: "none" | "tanh";

  /** @throws DataError on an unknown option or an approximate other than "none" and "tanh". */
  constructor(options: GeluOptions = {}) {
    super();
    const approximate = checkOptions("GELU", options, ["approximate"]).approximate ?? "none";
    if (approximate !== "none" && approximate !== "tanh") {
      throw new DataError(`GELU: approximate must be "none" or "tanh", got ${typeof approximate === "string" ? JSON.stringify(approximate) : String(approximate)}`);
    }
    this.approximate = approximate;
  }
  /** GELU(x). */
  forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  /** `approximate='none'`, for `toString()`. */
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * x where x > 0, else negativeSlope·x, as torch.nn.LeakyReLU(negative_slope=0.01).
 * Any shape → same shape.
 */
export class LeakyReLU extends Module {
  /** The slope for negative inputs. */
  readonly negativeSlope: number;

  /** @throws DataError when negativeSlope is not a finite number, on an unknown option or `inplace: true`. */
  constructor(negativeSlope = 0.01, options: InplaceOptions = {}) {
    super();
    this.negativeSlope = optionalNumber("LeakyReLU", "negativeSlope", negativeSlope, 0.01);
    inplaceOptions("LeakyReLU", options);
  }
  /** LeakyReLU(x). */
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  /** `negativeSlope=0.01`, for `toString()`. */
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x where x > 0, else α·(eˣ − 1), as torch.nn.ELU(alpha=1.0). Any shape → same shape. */
export class ELU extends Module {
  /** α, the value approached for large negative inputs is −α. */
  readonly alpha: number;

  /** @throws DataError when alpha is not a finite number, on an unknown option or `inplace: true`. */
  constructor(alpha = 1, options: InplaceOptions = {}) {
    super();
    this.alpha = optionalNumber("ELU", "alpha", alpha, 1);
    inplaceOptions("ELU", options);
  }
  /** ELU(x). */
  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
  /** `alpha=1`, for `toString()`. */
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** x·σ(x) elementwise (swish), as torch.nn.SiLU. Any shape → same shape. */
export class SiLU extends Module {
  /** @throws DataError on an unknown option or `inplace: true`. */
  constructor(options: InplaceOptions = {}) {
    super();
    inplaceOptions("SiLU", options);
  }
  /** x·σ(x). */
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/**
 * log(1 + e^(βx))/β elementwise, reverting to x where βx > threshold, as
 * torch.nn.Softplus(beta=1, threshold=20): `new Softplus({ beta: 2 })` or `new Softplus(2, 10)`.
 * Any shape → same shape.
 */
export class Softplus extends Module {
  /** β. */
  readonly beta: number;
  /** The linear-regime threshold on βx. */
  readonly threshold: number;

  /** @throws DataError on an unknown option, a β that is 0 or not finite, or a threshold that is not a number. */
  constructor(beta: number | SoftplusOptions = {}, threshold?: number) {
    super();
    const o = typeof beta === "object" && beta !== null ? (checkOptions("Softplus", beta, ["beta", "threshold"]) as SoftplusOptions) : { beta, threshold };
    this.beta = optionalNumber("Softplus", "beta", o.beta, 1, (v) => Number.isFinite(v) && v !== 0, "a finite non-zero number");
    this.threshold = optionalNumber("Softplus", "threshold", o.threshold, 20, () => true, "a number");
  }
  /** Softplus(x). */
  forward(x: Tensor): Tensor {
    return F.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  /** `beta=1, threshold=20`, for `toString()`. */
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}
