import {
  DataError,
  NDArray,
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
export function checkTensorOptions<O extends TensorOptions>(op: string, options: O | undefined, keys: readonly string[] = TENSOR_KEYS): O {
  const checked = checkOptions(op, options, keys) as O;
  checkBoolean(op, "requiresGrad", checked.requiresGrad, false);
  return checked;
}

/** Splits factory arguments into a shape (an array or separate sizes) and checked options. */
function parseShapeArgs<O extends TensorOptions>(args: readonly unknown[], op: string, keys: readonly string[] = TENSOR_KEYS): { shape: number[]; options: O } {
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

/**
 * A tensor filled with `value`.
 * @throws DataError when value is not a number.
 */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.full(checkShape(shape, "full"), value), checkTensorOptions("full", options));
}

/** A tensor of zeros shaped like `other`. */
export function zerosLike(other: Tensor, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.zeros(other.shape), checkTensorOptions("zerosLike", options));
}

/** A tensor of ones shaped like `other`. */
export function onesLike(other: Tensor, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.ones(other.shape), checkTensorOptions("onesLike", options));
}

/**
 * start, start+step, … below end (as torch.arange); `arange(n)` counts 0…n−1.
 * @throws DataError when step is 0 or an argument is not finite.
 */
export function arange(start: number, end?: number, step?: number | TensorOptions, options: TensorOptions = {}): Tensor {
  if (typeof step === "object") return new Tensor(NDArray.arange(start, end), checkTensorOptions("arange", step));
  return new Tensor(NDArray.arange(start, end, step ?? 1), checkTensorOptions("arange", options));
}

/** `count` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, count: number, options: TensorOptions = {}): Tensor {
  return new Tensor(NDArray.linspace(start, end, count), checkTensorOptions("linspace", options));
}

/** The n×n identity matrix (n×m when m is given). */
export function eye(n: number, m?: number | TensorOptions, options: TensorOptions = {}): Tensor {
  if (typeof m === "object") return new Tensor(NDArray.eye(n), checkTensorOptions("eye", m));
  return new Tensor(NDArray.eye(n, m ?? n), checkTensorOptions("eye", options));
}

/**
 * Uniform numbers in [0, 1), from `{ seed }`, `{ generator }` or the default generator:
 * `rand([2, 3])` or `rand(2, 3)`, options last.
 */
export function rand(...args: ShapeAndOptions<RandomTensorOptions>): Tensor {
  const { shape, options } = parseShapeArgs<RandomTensorOptions>(args, "rand", RANDOM_KEYS);
  return new Tensor(pickGenerator(options).uniform(shape), options);
}

/**
 * Standard normal numbers, from `{ seed }`, `{ generator }` or the default generator:
 * `randn([256, 3])` or `randn(256, 3)`, options last.
 */
export function randn(...args: ShapeAndOptions<RandomTensorOptions>): Tensor {
  const { shape, options } = parseShapeArgs<RandomTensorOptions>(args, "randn", RANDOM_KEYS);
  return new Tensor(pickGenerator(options).normalArray(shape), options);
}

/**
 * Uniform numbers in [low, high).
 * @throws DataError when low > high or a bound is not finite.
 */
export function uniform(shape: readonly number[], low: number, high: number, options: RandomTensorOptions = {}): Tensor {
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new DataError(`uniform: expected finite bounds low ≤ high, got ${low} and ${high}`);
  }
  const checked = checkTensorOptions("uniform", options, RANDOM_KEYS);
  return new Tensor(pickGenerator(checked).uniform(checkShape(shape, "uniform"), low, high), checked);
}
