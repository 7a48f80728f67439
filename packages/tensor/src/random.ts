import seedrandom from "seedrandom";
import { DataError, ShapeError, formatShape } from "./errors.js";
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

  /**
   * An array of integers in [low, high), as float64 (one uniform number each).
   * @throws DataError unless low < high are safe integers; ShapeError on an invalid shape.
   */
  integers(shape: readonly number[], low: number, high: number): NDArray {
    const dims = checkShape(shape, "integers");
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low || !Number.isSafeInteger(high - low)) {
      throw new DataError(`integers: expected safe integers low < high, got ${describe(low)} and ${describe(high)}`);
    }
    const data = new Float64Array(sizeOf(dims));
    const width = high - low;
    // u·width can round up to width itself when width is large; the last integer takes that case.
    for (let i = 0; i < data.length; i++) data[i] = low + Math.min(Math.floor(this.random() * width), width - 1);
    return new NDArray(data, dims);
  }

  /**
   * Class indices drawn from each row of nonnegative weights (`[C]` or `[R, C]`, not
   * necessarily normalized), as torch.multinomial: `[numSamples]` or `[R, numSamples]`.
   * With replacement each draw inverts the row's cumulative weights at one uniform number
   * (so a zero weight is never drawn); without, each class gets an exponential clock
   * E/w (E ~ Exp(1)) and the `numSamples` earliest win, in order, which is the law of
   * drawing one class at a time and removing it. Uses C uniform numbers per row without
   * replacement and numSamples with it.
   * @throws ShapeError unless weights are 1-D or 2-D; DataError on a negative, NaN or
   *   infinite weight, a row without positive weight, a numSamples that is not a positive
   *   integer, or (without replacement) more samples than a row has positive weights.
   */
  multinomial(weights: NDArray, numSamples: number, replacement = false): NDArray {
    const op = "multinomial";
    if (weights.ndim !== 1 && weights.ndim !== 2) {
      throw new ShapeError(`${op}: expected weights of shape [C] or [R, C], got ${formatShape(weights.shape)}`);
    }
    if (!Number.isInteger(numSamples) || numSamples <= 0) {
      throw new DataError(`${op}: numSamples must be a positive integer, got ${describe(numSamples)}`);
    }
    const rows = weights.ndim === 2 ? weights.shape[0]! : 1;
    const classes = weights.shape[weights.ndim - 1]!;
    const w = weights.values();
    // Every row is checked before the first draw, so a bad row costs no random numbers.
    for (let r = 0; r < rows; r++) {
      let positive = 0;
      for (let k = 0; k < classes; k++) {
        const v = w[r * classes + k]!;
        if (!(v >= 0 && v < Infinity)) {
          const at = weights.ndim === 2 ? `[${r}, ${k}]` : `[${k}]`;
          throw new DataError(`${op}: weights must be finite and nonnegative, got ${v} at position ${at}`);
        }
        if (v > 0) positive++;
      }
      const row = weights.ndim === 2 ? `row ${r} of weights ${formatShape(weights.shape)}` : `weights ${formatShape(weights.shape)}`;
      if (positive === 0) throw new DataError(`${op}: ${row}: no positive weight to draw from`);
      if (!replacement && numSamples > positive) {
        throw new DataError(`${op}: cannot draw ${numSamples} samples without replacement from ${row}: only ${positive} weights are positive`);
      }
    }
    const out = new Float64Array(rows * numSamples);
    const cumulative = new Float64Array(classes);
    const keys = new Float64Array(classes);
    for (let r = 0; r < rows; r++) {
      const base = r * classes;
      if (replacement) {
        // Scaled by the largest weight so that the running sum cannot overflow.
        let largest = 0;
        for (let k = 0; k < classes; k++) largest = Math.max(largest, w[base + k]!);
        let total = 0;
        let last = 0;
        for (let k = 0; k < classes; k++) {
          total += w[base + k]! / largest;
          cumulative[k] = total;
          if (w[base + k]! > 0) last = k;
        }
        for (let s = 0; s < numSamples; s++) {
          const target = this.random() * total;
          // The first class whose cumulative weight exceeds the target; rounding can leave none, then the last positive class.
          let lo = 0;
          let hi = classes;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (cumulative[mid]! > target) hi = mid;
            else lo = mid + 1;
          }
          out[r * numSamples + s] = lo < classes ? lo : last;
        }
      } else {
        const order: number[] = [];
        for (let k = 0; k < classes; k++) {
          // E = −log(1 − u) ~ Exp(1); zero weights draw too, so the stream does not depend on the weights.
          const clock = -Math.log1p(-this.random());
          const v = w[base + k]!;
          if (v > 0) {
            keys[k] = clock / v;
            order.push(k);
          }
        }
        order.sort((a, b) => keys[a]! - keys[b]! || a - b);
        for (let s = 0; s < numSamples; s++) out[r * numSamples + s] = order[s]!;
      }
    }
    return new NDArray(out, weights.ndim === 2 ? [rows, numSamples] : [numSamples]);
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

/**
 * The generator that options select.
 * @throws DataError when both a seed and a generator are given (which one wins would be a
 *   silent guess), or when `generator` is not a Generator.
 */
export function pickGenerator(options: RandomOptions = {}, op = "random"): Generator {
  if (options.generator !== undefined) {
    if (options.seed !== undefined) throw new DataError(`${op}: give either a seed or a generator, not both`);
    if (!(options.generator instanceof Generator)) throw new DataError(`${op}: generator must be a Generator, got ${describe(options.generator)}`);
    return options.generator;
  }
  if (options.seed !== undefined) return new Generator(checkSeed(options.seed, op));
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
