import { DataError, Tensor, noGrad } from "@tapegrad/autograd";
import { Generator, NDArray, formatShape, pickGenerator, type Seed } from "@tapegrad/tensor";
import { checkOptions, optionalNumber, suggestName } from "./options.js";

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

const RANDOM_KEYS = ["seed", "generator"] as const;

/** The generator named by checked options. @throws DataError when `generator` is not a Generator. */
function randomSource(op: string, o: Record<string, unknown>): Generator {
  if (o.generator !== undefined && !(o.generator instanceof Generator)) throw new DataError(`${op}: generator must be a Generator`);
  return pickGenerator(o as InitRandom);
}

function fillUniform(t: Tensor, generator: Generator, low: number, high: number): Tensor {
  if (!(t instanceof Tensor)) throw new DataError("init: expected a Tensor");
  return fill(t, generator.uniform(t.shape, low, high));
}

function fillNormal(op: string, t: Tensor, generator: Generator, mean: number, std: number): Tensor {
  if (!(t instanceof Tensor)) throw new DataError("init: expected a Tensor");
  if (!(std >= 0)) throw new DataError(`${op}: std must be ≥ 0, got ${std}`);
  return fill(t, generator.normalArray(t.shape, mean, std));
}

/**
 * Fills `t` in place from U(low, high). Returns t.
 * @throws DataError on an unknown option or a bound that is not a number.
 */
export function uniform(t: Tensor, options: InitRandom & { low?: number; high?: number } = {}): Tensor {
  const o = checkOptions("init.uniform", options, ["low", "high", ...RANDOM_KEYS]);
  const low = optionalNumber("init.uniform", "low", o.low, 0);
  const high = optionalNumber("init.uniform", "high", o.high, 1);
  return fillUniform(t, randomSource("init.uniform", o), low, high);
}

/**
 * Fills `t` in place from N(mean, std²). Returns t.
 * @throws DataError on an unknown option, a value that is not a number, or std < 0.
 */
export function normal(t: Tensor, options: InitRandom & { mean?: number; std?: number } = {}): Tensor {
  const o = checkOptions("init.normal", options, ["mean", "std", ...RANDOM_KEYS]);
  const mean = optionalNumber("init.normal", "mean", o.mean, 0);
  const std = optionalNumber("init.normal", "std", o.std, 1, (v) => v >= 0 && Number.isFinite(v), "a finite number ≥ 0");
  return fillNormal("init.normal", t, randomSource("init.normal", o), mean, std);
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

/** Gain of the Xavier initialisers, checked. */
function xavierGain(op: string, options: unknown): { gain: number; o: Record<string, unknown> } {
  const o = checkOptions(op, options, ["gain", ...RANDOM_KEYS]);
  return { gain: optionalNumber(op, "gain", o.gain, 1), o };
}

/**
 * Xavier/Glorot uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). Returns t.
 * @throws DataError on an unknown option or fewer than 2 dimensions.
 */
export function xavierUniform(t: Tensor, options: InitRandom & { gain?: number } = {}): Tensor {
  const { gain, o } = xavierGain("init.xavierUniform", options);
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return fillUniform(t, randomSource("init.xavierUniform", o), -bound, bound);
}

/**
 * Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). Returns t.
 * @throws DataError on an unknown option or fewer than 2 dimensions.
 */
export function xavierNormal(t: Tensor, options: InitRandom & { gain?: number } = {}): Tensor {
  const { gain, o } = xavierGain("init.xavierNormal", options);
  const { fanIn, fanOut } = fans(t);
  return fillNormal("init.xavierNormal", t, randomSource("init.xavierNormal", o), 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** Options of the Kaiming (He) initialisers, with torch's defaults. */
export interface KaimingOptions extends InitRandom {
  /** Negative slope of a leaky ReLU (default 0). */
  a?: number;
  /** Preserve the variance of the forward pass (fanIn, default) or of the backward pass (fanOut). */
  mode?: "fanIn" | "fanOut";
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, options: unknown): { std: number; generator: Generator } {
  const o = checkOptions(op, options, ["a", "mode", "nonlinearity", ...RANDOM_KEYS]);
  const a = optionalNumber(op, "a", o.a, 0);
  const mode = o.mode ?? "fanIn";
  if (mode !== "fanIn" && mode !== "fanOut") {
    const close = typeof mode === "string" ? suggestName(mode, ["fanIn", "fanOut"]) : undefined;
    throw new DataError(`${op}: mode must be "fanIn" or "fanOut", got ${JSON.stringify(mode)}${close ? `; did you mean ${JSON.stringify(close)}?` : ""}`);
  }
  const { fanIn, fanOut } = fans(t);
  const fan = mode === "fanIn" ? fanIn : fanOut;
  return { std: calculateGain((o.nonlinearity ?? "leaky_relu") as Nonlinearity, a) / Math.sqrt(fan), generator: randomSource(op, o) };
}

/**
 * Kaiming/He uniform: U(−b, b) with b = gain·√(3 / fan). Returns t.
 * @throws DataError on an unknown option or mode, or fewer than 2 dimensions.
 */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const { std, generator } = kaimingStd("init.kaimingUniform", t, options);
  const bound = Math.sqrt(3) * std;
  return fillUniform(t, generator, -bound, bound);
}

/**
 * Kaiming/He normal: N(0, σ²) with σ = gain / √fan. Returns t.
 * @throws DataError on an unknown option or mode, or fewer than 2 dimensions.
 */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  const { std, generator } = kaimingStd("init.kaimingNormal", t, options);
  return fillNormal("init.kaimingNormal", t, generator, 0, std);
}
