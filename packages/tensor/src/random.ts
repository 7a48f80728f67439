import seedrandom from "seedrandom";
import { DataError } from "./errors.js";
import { checkShape, describe, sizeOf } from "./layout.js";
import { NDArray } from "./ndarray.js";

/** A seed: any finite number or a string. */
export type Seed = number | string;

/**
 * The seed of the default generator at start-up. Fixed, so that a program that never
 * seeds still gives the same numbers on every run.
 */
export const DEFAULT_SEED = 0;

function checkSeed(seed: unknown, op: string): Seed {
  if (typeof seed === "string" || (typeof seed === "number" && Number.isFinite(seed))) return seed;
  throw new DataError(`${op}: seed must be a finite number or a string, got ${describe(seed)}`);
}

/**
 * A reproducible stream of random numbers (seedrandom's ARC4, 53-bit doubles). Two
 * generators made with the same seed give the same stream.
 */
export class Generator {
  private prng: seedrandom.PRNG;
  private spare: number | null = null;

  /** @throws DataError when the seed is not a finite number or a string. */
  constructor(seed: Seed = DEFAULT_SEED) {
    this.prng = seedrandom(String(checkSeed(seed, "Generator")));
  }

  /** Restarts the stream from `seed`. */
  manualSeed(seed: Seed): this {
    this.prng = seedrandom(String(checkSeed(seed, "manualSeed")));
    this.spare = null;
    return this;
  }

  /** A uniform number in [0, 1). */
  random(): number {
    return this.prng.double();
  }

  /** A standard normal number (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    // 1 − u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.random()));
    const angle = 2 * Math.PI * this.random();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** An integer in [low, high). @throws DataError unless low < high are integers. */
  integer(low: number, high: number): number {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new DataError(`integer: expected integers low < high, got ${low} and ${high}`);
    }
    return low + Math.floor(this.random() * (high - low));
  }

  /** A random permutation of 0…n−1 (Fisher–Yates). */
  permutation(n: number): number[] {
    checkShape([n], "permutation");
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }

  /** An array of uniform numbers in [low, high). @throws ShapeError on an invalid shape. */
  uniform(shape: readonly number[], low = 0, high = 1): NDArray {
    const dims = checkShape(shape, "uniform");
    const data = new Float64Array(sizeOf(dims));
    const width = high - low;
    for (let i = 0; i < data.length; i++) data[i] = low + width * this.random();
    return new NDArray(data, dims);
  }

  /** An array of normal numbers with the given mean and standard deviation. */
  normalArray(shape: readonly number[], mean = 0, std = 1): NDArray {
    const dims = checkShape(shape, "normal");
    const data = new Float64Array(sizeOf(dims));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * this.normal();
    return new NDArray(data, dims);
  }
}

/** The generator used when no seed or generator is given. */
export const defaultGenerator = new Generator();

/** Restarts the default generator from `seed`, as torch.manual_seed. */
export function manualSeed(seed: Seed): void {
  defaultGenerator.manualSeed(seed);
}

/** Where random numbers come from: a fresh generator from `seed`, a given one, or the default. */
export interface RandomOptions {
  seed?: Seed;
  generator?: Generator;
}

/** The generator that options select. */
export function pickGenerator(options: RandomOptions = {}): Generator {
  if (options.generator !== undefined) return options.generator;
  if (options.seed !== undefined) return new Generator(options.seed);
  return defaultGenerator;
}

/** Uniform numbers in [0, 1) of the given shape. */
export function rand(shape: readonly number[], options?: RandomOptions): NDArray {
  return pickGenerator(options).uniform(shape);
}

/** Standard normal numbers of the given shape. */
export function randn(shape: readonly number[], options?: RandomOptions): NDArray {
  return pickGenerator(options).normalArray(shape);
}
