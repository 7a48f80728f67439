import {
  DataError,
  NDArray,
  ShapeError,
  checkBoolean,
  checkOptions,
  checkShape,
  pickGenerator,
  type Generator,
  type NestedArray,
  type Seed,
} from "@tapegrad/tensor";
import { Tensor, type TensorOptions } from "./tensor.js";

/** Options of `tensor(data)`: a shape for flat data, and requiresGrad. */
export interface TensorDataOptions extends TensorOptions {
  /** Shape of a flat Float64Array or number array; inferred from nesting otherwise. */
  shape?: readonly number[];
}

/** Options of the random factories. */
export interface RandomTensorOptions extends TensorOptions {
  /** A seed for a fresh generator; the default generator (see manualSeed) is used otherwise. */
  seed?: Seed;
  /** An explicit generator, for reproducible streams shared across calls. */
  generator?: Generator;
}

/**
 * A tensor from a number, nested number arrays, or a Float64Array with `{ shape }`. Nested
 * data is copied; a Float64Array is wrapped without copying.
 * @throws DataError on ragged or non-numeric data, or a length that does not match the shape.
 */
export function tensor(data: NestedArray | Float64Array | readonly number[], options: TensorDataOptions = {}): Tensor {
  const checked = checkTensorOptions("tensor", options, ["shape", "requiresGrad"]);
  return new Tensor(NDArray.from(data, checked.shape), checked);
}

/** Arguments of the shape factories: a shape array or separate sizes, then optional options. */
export type ShapeAndOptions<O> = [readonly number[], O?] | number[] | [...number[], O];

const TENSOR_KEYS = ["requiresGrad"] as const;
const RANDOM_KEYS = ["requiresGrad", "seed", "generator"] as const;

/**
 * Checks a factory's options: unknown keys (`requires_grad`) and a non-boolean
 * requiresGrad are errors rather than a silently untracked tensor.
 * @throws DataError naming the factory and the key.
 */
export function checkTensorOptions<O extends object>(op: string, options: O | undefined, keys: readonly string[] = TENSOR_KEYS): O {
  const checked = checkOptions(op, options, keys) as O;
  checkBoolean(op, "requiresGrad", (checked as TensorOptions).requiresGrad, false);
  return checked;
}

/** Splits factory arguments into a shape (an array or separate sizes) and checked options. */
function parseShapeArgs<O extends object>(args: readonly unknown[], op: string, keys: readonly string[] = TENSOR_KEYS): { shape: number[]; options: O } {
  const last = args[args.length - 1];
  const hasOptions = typeof last === "object" && last !== null && !Array.isArray(last);
  const options = checkTensorOptions<O>(op, (hasOptions ? last : undefined) as O | undefined, keys);
  const rest = hasOptions ? args.slice(0, -1) : args;
  const raw = rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest;
  return { shape: checkShape(raw, op), options };
}

/** A tensor of zeros: `zeros([2, 3])` or `zeros(2, 3)`, options last. */
export function zeros(...args: ShapeAndOptions<TensorOptions>): Tensor {
  const { shape, options } = parseShapeArgs<TensorOptions>(args, "zeros");
  return new Tensor(NDArray.zeros(shape), options);
}

/** A tensor of ones: `ones([2, 3])` or `ones(2, 3)`, options last. */
export function ones(...args: ShapeAndOptions<TensorOptions>): Tensor {
  const { shape, options } = parseShapeArgs<TensorOptions>(args, "ones");
  return new Tensor(NDArray.ones(shape), options);
}

/** Arguments of `full`: a shape array or separate sizes, then the fill value, then optional options. */
export type FullArgs = [shape: readonly number[], value: number, options?: TensorOptions] | [number, ...number[], number] | [number, ...number[], number, TensorOptions];

/**
 * A tensor filled with `value`: `full([2, 3], 7)` or `full(2, 3, 7)`, options last.
 * @throws DataError when value is not a number; ShapeError on an invalid shape.
 */
export function full(...args: FullArgs): Tensor {
  const { shape, values, options } = parseShapeThenValues<TensorOptions>(args, 1, "full");
  return new Tensor(NDArray.full(shape, values[0]!), options);
}

/** Checks that a `*Like` factory got a Tensor. @throws DataError otherwise. */
function likeTensor(other: unknown, op: string): Tensor {
  if (!(other instanceof Tensor)) throw new DataError(`${op}: expected a Tensor to take the shape of, got ${describeValue(other)}`);
  return other;
}

/** A tensor of zeros shaped like `other`. @throws DataError when other is not a Tensor. */
export function zerosLike(other: Tensor, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.zeros(likeTensor(other, "zerosLike").shape), checkTensorOptions("zerosLike", options));
}

/** A tensor of ones shaped like `other`. @throws DataError when other is not a Tensor. */
export function onesLike(other: Tensor, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.ones(likeTensor(other, "onesLike").shape), checkTensorOptions("onesLike", options));
}

/**
 * A tensor filled with `value`, shaped like `other` (torch.full_like).
 * @throws DataError when other is not a Tensor or value is not a number.
 */
export function fullLike(other: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.full(likeTensor(other, "fullLike").shape, value), checkTensorOptions("fullLike", options));
}

/**
 * start, start+step, … below end, ceil((end − start)/step) values (as torch.arange);
 * `arange(n)` counts 0…n−1. Options may follow any number of the arguments.
 * @throws DataError when step is 0 or points away from end, or an argument is not finite.
 */
export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, options: TensorOptions = {}): Tensor {
  if (typeof end === "object") return new Tensor(NDArray.arange(start), checkTensorOptions("arange", end));
  if (typeof step === "object") return new Tensor(NDArray.arange(start, end), checkTensorOptions("arange", step));
  return new Tensor(NDArray.arange(start, end, step ?? 1), checkTensorOptions("arange", options));
}

/**
 * `count` evenly spaced values from start to end inclusive (as torch.linspace): `[start]`
 * for one point, empty for none.
 * @throws DataError when start or end is not finite; ShapeError when count is not a non-negative integer.
 */
export function linspace(start: number, end: number, count: number, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.linspace(start, end, count), checkTensorOptions("linspace", options));
}

/**
 * The n×n identity matrix (n×m when m is given; either may be 0).
 * @throws ShapeError when n or m is not a non-negative integer.
 */
export function eye(n: number, m?: number | TensorOptions, options: TensorOptions = {}): Tensor {
  if (typeof m === "object") return new Tensor(NDArray.eye(n), checkTensorOptions("eye", m));
  return new Tensor(NDArray.eye(n, m ?? n), checkTensorOptions("eye", options));
}

/**
 * Uniform numbers in [0, 1), from `{ seed }`, `{ generator }` or the default generator:
 * `rand([2, 3])` or `rand(2, 3)`, options last.
 * @throws ShapeError on an invalid shape; DataError on an unknown option or both seed and generator.
 */
export function rand(...args: ShapeAndOptions<RandomTensorOptions>): Tensor {
  const { shape, options } = parseShapeArgs<RandomTensorOptions>(args, "rand", RANDOM_KEYS);
  return new Tensor(pickGenerator(options, "rand").uniform(shape), options);
}

/**
 * Standard normal numbers, from `{ seed }`, `{ generator }` or the default generator:
 * `randn([256, 3])` or `randn(256, 3)`, options last.
 * @throws ShapeError on an invalid shape; DataError on an unknown option or both seed and generator.
 */
export function randn(...args: ShapeAndOptions<RandomTensorOptions>): Tensor {
  const { shape, options } = parseShapeArgs<RandomTensorOptions>(args, "randn", RANDOM_KEYS);
  return new Tensor(pickGenerator(options, "randn").normalArray(shape), options);
}

/**
 * Uniform numbers in [0, 1) shaped like `other` (torch.rand_like), from `{ seed }`,
 * `{ generator }` or the default generator: the same numbers as `rand(other.shape, options)`.
 * @throws DataError when other is not a Tensor, on an unknown option or both seed and generator.
 */
export function randLike(other: Tensor, options: RandomTensorOptions = {}): Tensor {
  const checked = checkTensorOptions("randLike", options, RANDOM_KEYS);
  return new Tensor(pickGenerator(checked, "randLike").uniform(likeTensor(other, "randLike").shape), checked);
}

/**
 * Standard normal numbers shaped like `other` (torch.randn_like), from `{ seed }`,
 * `{ generator }` or the default generator: the same numbers as `randn(other.shape, options)`.
 * @throws DataError when other is not a Tensor, on an unknown option or both seed and generator.
 */
export function randnLike(other: Tensor, options: RandomTensorOptions = {}): Tensor {
  const checked = checkTensorOptions("randnLike", options, RANDOM_KEYS);
  return new Tensor(pickGenerator(checked, "randnLike").normalArray(likeTensor(other, "randnLike").shape), checked);
}

/** Arguments of `uniform`: a shape array or separate sizes, then low and high, then optional options. */
export type UniformArgs =
  | [shape: readonly number[], low: number, high: number, options?: RandomTensorOptions]
  | [number, ...number[], number, number]
  | [number, ...number[], number, number, RandomTensorOptions];

/**
 * Uniform numbers in [low, high): `uniform([2, 3], -1, 1)` or `uniform(2, 3, -1, 1)`, options last.
 * @throws DataError when low > high or a bound is not finite; ShapeError on an invalid shape.
 */
export function uniform(...args: UniformArgs): Tensor {
  const { shape, values, options } = parseShapeThenValues<RandomTensorOptions>(args, 2, "uniform", RANDOM_KEYS);
  const [low, high] = values as [number, number];
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new DataError(`uniform: expected finite bounds low ≤ high, got ${describeValue(low)} and ${describeValue(high)}`);
  }
  return new Tensor(pickGenerator(options, "uniform").uniform(shape, low, high), options);
}

/** Options of the random factories that make index tensors: where the random numbers come from. */
export interface RandomIndexOptions {
  /** A seed for a fresh generator; the default generator (see manualSeed) is used otherwise. */
  seed?: Seed;
  /** An explicit generator, for reproducible streams shared across calls. */
  generator?: Generator;
}

/** Options of `multinomial`, as torch.multinomial. */
export interface MultinomialOptions extends RandomIndexOptions {
  /** Draw with replacement (a class may repeat); default false. */
  replacement?: boolean;
}

const INDEX_KEYS = ["seed", "generator"] as const;

/**
 * Integers drawn uniformly from [low, high), as float64 (torch.randint): `randint(0, 10, [2, 3])`
 * or `randint(0, 10, 2, 3)`, options last; `randint(high, shape)` draws from [0, high) as
 * torch.randint(high, size) does.
 * @throws DataError unless low < high are integers (safe ones); ShapeError on an invalid shape.
 */
export function randint(high: number, shape: readonly number[], options?: RandomIndexOptions): Tensor;
/** `randint(low, high, shape, options?)` or `randint(low, high, ...sizes, options?)`. */
export function randint(low: number, high: number, ...shape: ShapeAndOptions<RandomIndexOptions>): Tensor;
export function randint(...args: unknown[]): Tensor {
  const op = "randint";
  const fromZero = Array.isArray(args[1]);
  const [low, high] = fromZero ? [0, args[0]] : [args[0], args[1]];
  const rest = args.slice(fromZero ? 1 : 2);
  for (const [name, v] of [["low", low], ["high", high]] as const) {
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new DataError(`${op}: ${name} must be an integer, got ${describeValue(v)}`);
  }
  if ((high as number) <= (low as number) || !Number.isSafeInteger((high as number) - (low as number))) {
    throw new DataError(`${op}: expected low < high, got low ${low} and high ${high}`);
  }
  if (rest.length === 0) throw new ShapeError(`${op}: expected a shape after low and high, e.g. randint(0, 10, [2, 3])`);
  const { shape, options } = parseShapeArgs<RandomIndexOptions>(rest, op, INDEX_KEYS);
  return new Tensor(pickGenerator(options, op).integers(shape, low as number, high as number));
}

/**
 * A random permutation of 0…n−1, as float64 (torch.randperm; Fisher–Yates).
 * @throws ShapeError when n is not a non-negative integer; DataError on an unknown option.
 */
export function randperm(n: number, options: RandomIndexOptions = {}): Tensor {
  const op = "randperm";
  const [count] = checkShape([n], op) as [number];
  const checked = checkOptions(op, options, INDEX_KEYS) as RandomIndexOptions;
  return new Tensor(new NDArray(Float64Array.from(pickGenerator(checked, op).permutation(count)), [count]));
}

/**
 * Class indices drawn from each row of `probs`, nonnegative weights `[C]` or `[R, C]` that
 * need not sum to 1, as torch.multinomial: `[numSamples]` or `[R, numSamples]` float64
 * indices. Without replacement (the default) a row gives distinct classes, never one of
 * weight 0, in the order drawn; with replacement each draw is independent.
 * @throws ShapeError unless probs is 1-D or 2-D; DataError on a negative, NaN or infinite
 *   weight, a row without positive weight, a numSamples that is not a positive integer, or
 *   (without replacement) more samples than a row has positive weights.
 */
export function multinomial(probs: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  const op = "multinomial";
  if (!(probs instanceof Tensor)) throw new DataError(`${op}: probs must be a Tensor, got ${describeValue(probs)}`);
  const checked = checkOptions(op, options, ["replacement", ...INDEX_KEYS]) as MultinomialOptions;
  const replacement = checkBoolean(op, "replacement", checked.replacement, false);
  return new Tensor(pickGenerator(checked, op).multinomial(probs.array, numSamples, replacement));
}

/**
 * Splits factory arguments into a shape (an array or separate sizes), `count` trailing
 * numbers (a fill value, bounds) and checked options.
 */
function parseShapeThenValues<O extends object>(args: readonly unknown[], count: number, op: string, keys: readonly string[] = TENSOR_KEYS): { shape: number[]; values: number[]; options: O } {
  const last = args[args.length - 1];
  const hasOptions = typeof last === "object" && last !== null && !Array.isArray(last);
  const options = checkTensorOptions<O>(op, (hasOptions ? last : undefined) as O | undefined, keys);
  const rest = hasOptions ? args.slice(0, -1) : args;
  const sizes = rest.slice(0, rest.length - count);
  const values = rest.slice(rest.length - count);
  if (sizes.length === 0) throw new ShapeError(`${op}: expected a shape (an array or sizes) before ${count === 1 ? "the value" : `the ${count} values`}, got ${rest.length} arguments`);
  const raw = sizes.length === 1 && Array.isArray(sizes[0]) ? sizes[0] : sizes;
  for (const v of values) if (typeof v !== "number") throw new DataError(`${op}: expected a number after the shape, got ${describeValue(v)}`);
  return { shape: checkShape(raw, op), values: values as number[], options };
}

/** A short description of an unexpected argument. */
function describeValue(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}
