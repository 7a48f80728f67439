import { DataError, Tensor, noGrad } from "@tapegrad/autograd";
import { NDArray, formatShape, pickGenerator, type Generator, type Seed } from "@tapegrad/tensor";

/** Where init functions draw random numbers from (default: the default generator). */
export interface InitRandom {
  seed?: Seed;
  generator?: Generator;
}

/** Nonlinearities whose recommended gains `calculateGain` knows (as torch.nn.init). */
export type Nonlinearity = "linear" | "sigmoid" | "tanh" | "relu" | "leaky_relu";

/**
 * The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain.
 * @throws DataError on an unknown nonlinearity.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default:
      throw new DataError(`calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * Fan-in and fan-out of a weight, as PyTorch computes them: dims 0 and 1 are out and in,
 * later dims (convolution kernels) multiply both.
 * @throws DataError for tensors with fewer than 2 dimensions.
 */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new DataError(`init: fan in and fan out need at least 2 dimensions, got ${formatShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

function fill(t: Tensor, values: NDArray): Tensor {
  if (!(t instanceof Tensor)) throw new DataError("init: expected a Tensor");
  noGrad(() => t.copy_(new Tensor(values)));
  return t;
}

/** Fills `t` in place from U(low, high). Returns t. */
export function uniform(t: Tensor, options: InitRandom & { low?: number; high?: number } = {}): Tensor {
  return fill(t, pickGenerator(options).uniform(t.shape, options.low ?? 0, options.high ?? 1));
}

/** Fills `t` in place from N(mean, std²). Returns t. */
export function normal(t: Tensor, options: InitRandom & { mean?: number; std?: number } = {}): Tensor {
  const std = options.std ?? 1;
  if (!(std >= 0)) throw new DataError(`init.normal: std must be ≥ 0, got ${std}`);
  return fill(t, pickGenerator(options).normalArray(t.shape, options.mean ?? 0, std));
}

/** Fills `t` with zeros in place. Returns t. */
export function zeros(t: Tensor): Tensor {
  return fill(t, NDArray.zeros(t.shape));
}

/** Fills `t` with ones in place. Returns t. */
export function ones(t: Tensor): Tensor {
  return fill(t, NDArray.ones(t.shape));
}

/** Fills `t` with `value` in place. Returns t. */
export function constant(t: Tensor, value: number): Tensor {
  return fill(t, NDArray.full(t.shape, value));
}

/** Xavier/Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). Returns t. */
export function xavierUniform(t: Tensor, options: InitRandom & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, { ...options, low: -bound, high: bound });
}

/** Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). Returns t. */
export function xavierNormal(t: Tensor, options: InitRandom & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal(t, { ...options, mean: 0, std: (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)) });
}

/** Options of the Kaiming (He) initialisers, with torch's defaults. */
export interface KaimingOptions extends InitRandom {
  /** Negative slope of a leaky ReLU (default 0). */
  a?: number;
  /** Preserve the variance of the forward pass (fanIn, default) or of the backward pass (fanOut). */
  mode?: "fanIn" | "fanOut";
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t);
  const fan = (options.mode ?? "fanIn") === "fanIn" ? fanIn : fanOut;
  return calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0) / Math.sqrt(fan);
}

/** Kaiming/He uniform: U(−b, b) with b = gain·√(3 / fan). Returns t. */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, { ...options, low: -bound, high: bound });
}

/** Kaiming/He normal: N(0, σ²) with σ = gain / √fan. Returns t. */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal(t, { ...options, mean: 0, std: kaimingStd(t, options) });
}
