// torch.nn.functional: the activation functions. Each delegates to the Tensor method of the
// same name (ops/activations.ts and ops/unary.ts in @tapegrad/autograd hold the VJPs), with
// PyTorch's argument order; `inplace` is accepted only as false.
import { DataError, type Tensor } from "@tapegrad/autograd";
import { checkOptions } from "../options.js";
import { checkInplace, tensorArgument } from "../layer-checks.js";

/** Options of `gelu`, as torch.nn.functional.gelu's keyword argument. */
export interface GeluOptions {
  /** "none" (default) for x·Φ(x) with the exact normal CDF, "tanh" for the tanh approximation. */
  approximate?: "none" | "tanh";
}

/** Options of `softplus`, as torch.nn.functional.softplus's arguments. */
export interface SoftplusOptions {
  /** β in log(1 + e^(βx))/β (default 1). */
  beta?: number;
  /** Above βx > threshold the result is x itself (default 20). */
  threshold?: number;
}

/**
 * max(x, 0) elementwise, as torch.nn.functional.relu. Any shape → same shape.
 * @throws DataError when x is not a Tensor or inplace is true.
 */
export function relu(x: Tensor, inplace = false): Tensor {
  checkInplace("relu", inplace);
  return tensorArgument("relu", x).relu();
}

/**
 * tanh elementwise, as torch.nn.functional.tanh. Any shape → same shape.
 * @throws DataError when x is not a Tensor.
 */
export function tanh(x: Tensor): Tensor {
  return tensorArgument("tanh", x).tanh();
}

/**
 * 1/(1 + e⁻ˣ) elementwise, finite for any input, as torch.nn.functional.sigmoid. Any shape → same shape.
 * @throws DataError when x is not a Tensor.
 */
export function sigmoid(x: Tensor): Tensor {
  return tensorArgument("sigmoid", x).sigmoid();
}

/**
 * GELU elementwise, x·Φ(x), or its tanh approximation with `{ approximate: "tanh" }`, as
 * torch.nn.functional.gelu. Any shape → same shape.
 * @throws DataError when x is not a Tensor, on an unknown option or an approximate other than "none" and "tanh".
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  return tensorArgument("gelu", x).gelu(options);
}

/**
 * x where x > 0, else negativeSlope·x, as torch.nn.functional.leaky_relu(input,
 * negative_slope=0.01, inplace=False). Any shape → same shape.
 * @throws DataError when x is not a Tensor, negativeSlope is not a finite number, or inplace is true.
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01, inplace = false): Tensor {
  checkInplace("leakyRelu", inplace);
  return tensorArgument("leakyRelu", x).leakyRelu(negativeSlope);
}

/**
 * x where x > 0, else α·(eˣ − 1), as torch.nn.functional.elu(input, alpha=1.0,
 * inplace=False). Any shape → same shape.
 * @throws DataError when x is not a Tensor, alpha is not a finite number, or inplace is true.
 */
export function elu(x: Tensor, alpha = 1, inplace = false): Tensor {
  checkInplace("elu", inplace);
  return tensorArgument("elu", x).elu(alpha);
}

/**
 * x·σ(x) elementwise (swish), as torch.nn.functional.silu(input, inplace=False). Any shape → same shape.
 * @throws DataError when x is not a Tensor or inplace is true.
 */
export function silu(x: Tensor, inplace = false): Tensor {
  checkInplace("silu", inplace);
  return tensorArgument("silu", x).silu();
}

/**
 * log(1 + e^(βx))/β elementwise, and x itself where βx > threshold, as
 * torch.nn.functional.softplus(input, beta=1, threshold=20): `softplus(x, 2, 10)` or
 * `softplus(x, { beta: 2, threshold: 10 })`. Any shape → same shape.
 * @throws DataError when x is not a Tensor, β is 0 or not finite, the threshold is not a
 *   number, or on an unknown option.
 */
export function softplus(x: Tensor, beta: number | SoftplusOptions = 1, threshold = 20): Tensor {
  const input = tensorArgument("softplus", x);
  if (typeof beta === "object" && beta !== null) {
    return input.softplus(checkOptions("softplus", beta, ["beta", "threshold"]) as SoftplusOptions);
  }
  return input.softplus({ beta, threshold });
}

/**
 * log σ(x) elementwise, finite for any input, as torch.nn.functional.logsigmoid. Any shape → same shape.
 * @throws DataError when x is not a Tensor.
 */
export function logSigmoid(x: Tensor): Tensor {
  return tensorArgument("logSigmoid", x).logSigmoid();
}

/** The dim argument of softmax and logSoftmax: required, as PyTorch's implicit dim is deprecated. */
function softmaxDim(op: string, dim: unknown): number {
  if (dim === undefined || dim === null) {
    throw new DataError(`${op}: dim is required (PyTorch's implicit choice of dim is deprecated); pass -1 for the last dimension`);
  }
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new DataError(`${op}: dim must be an integer, got ${String(dim)}`);
  return dim;
}

/**
 * softmax along `dim`, as torch.nn.functional.softmax(input, dim). Any shape → same shape.
 * @throws DataError when x is not a Tensor or dim is missing or not an integer; ShapeError when dim is out of range.
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return tensorArgument("softmax", x).softmax(softmaxDim("softmax", dim));
}

/**
 * log softmax along `dim`, stable for logits of ±1000, as torch.nn.functional.log_softmax(input, dim).
 * Any shape → same shape.
 * @throws DataError when x is not a Tensor or dim is missing or not an integer; ShapeError when dim is out of range.
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return tensorArgument("logSoftmax", x).logSoftmax(softmaxDim("logSoftmax", dim));
}
