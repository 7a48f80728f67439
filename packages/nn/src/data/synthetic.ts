import { DataError, NDArray, defaultGenerator, type Generator, type Seed, Generator as Rng } from "@tapegrad/tensor";
import { gatherRows } from "./rows.js";
import { checkOptions, optionalBoolean, optionalNumber } from "../options.js";

const SYNTHETIC_KEYS = ["nSamples", "noise", "seed", "shuffle"] as const;

/** Options read and checked once: unknown keys and non-boolean flags are errors. */
function readSynthetic(op: string, options: unknown, extra: readonly string[] = []): { nSamples: number; noise: number; seed: Seed | undefined; shuffle: boolean; rest: Record<string, unknown> } {
  const o = checkOptions(op, options, [...SYNTHETIC_KEYS, ...extra]);
  return {
    nSamples: optionalNumber(op, "nSamples", o.nSamples, 100, (v) => Number.isInteger(v) && v > 0, "a positive integer"),
    noise: optionalNumber(op, "noise", o.noise, 0, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0"),
    seed: o.seed as Seed | undefined,
    shuffle: optionalBoolean(op, "shuffle", o.shuffle, true),
    rest: o,
  };
}

/** Options shared by the two-class toy data sets. */
export interface SyntheticOptions {
  /** Number of points (default 100). */
  nSamples?: number;
  /** Standard deviation of the Gaussian noise added to every coordinate (default 0). */
  noise?: number;
  /** Seed of a private generator; the default generator (manualSeed) is used otherwise. */
  seed?: Seed;
  /** Shuffle the rows (default true), as scikit-learn does. */
  shuffle?: boolean;
}

function generatorFor(seed: Seed | undefined): Generator {
  return seed === undefined ? defaultGenerator : new Rng(seed);
}

/** numpy.linspace(start, stop, count, endpoint): `count` values, with or without `stop`. */
function linspace(start: number, stop: number, count: number, endpoint: boolean): Float64Array {
  const out = new Float64Array(count);
  const divisions = endpoint ? count - 1 : count;
  const step = divisions > 0 ? (stop - start) / divisions : 0;
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  if (endpoint && count > 1) out[count - 1] = stop;
  return out;
}

/** Shuffles rows (seeded) and adds noise, the last two steps of both scikit-learn makers. */
function finish(points: Float64Array, labels: Float64Array, n: number, noise: number, shuffle: boolean, generator: Generator): { X: NDArray; y: NDArray } {
  let X = points;
  let y = labels;
  if (shuffle) {
    const order = generator.permutation(n);
    X = new Float64Array(2 * n);
    y = new Float64Array(n);
    order.forEach((from, to) => {
      X[2 * to] = points[2 * from]!;
      X[2 * to + 1] = points[2 * from + 1]!;
      y[to] = labels[from]!;
    });
  }
  if (noise > 0) for (let i = 0; i < X.length; i++) X[i]! += noise * generator.normal();
  return { X: new NDArray(X, [n, 2]), y: new NDArray(y, [n, 1]) };
}

/**
 * Two interleaving half circles, scikit-learn's make_moons: ⌊n/2⌋ points
 * (cos t, sin t) labelled 0 and the rest (1 − cos t, 1 − sin t − ½) labelled 1, t evenly
 * spaced over [0, π]; then shuffled and noised. `X` [n, 2], `y` [n, 1].
 * @throws DataError on invalid options, before any work.
 */
export function makeMoonsArrays(options: SyntheticOptions = {}): { X: NDArray; y: NDArray } {
  const { nSamples, noise, seed, shuffle } = readSynthetic("makeMoons", options);
  const nOut = Math.floor(nSamples / 2);
  const nIn = nSamples - nOut;
  const points = new Float64Array(2 * nSamples);
  const labels = new Float64Array(nSamples);
  const outer = linspace(0, Math.PI, nOut, true);
  const inner = linspace(0, Math.PI, nIn, true);
  outer.forEach((t, i) => {
    points[2 * i] = Math.cos(t);
    points[2 * i + 1] = Math.sin(t);
  });
  inner.forEach((t, i) => {
    const row = nOut + i;
    points[2 * row] = 1 - Math.cos(t);
    points[2 * row + 1] = 1 - Math.sin(t) - 0.5;
    labels[row] = 1;
  });
  return finish(points, labels, nSamples, noise, shuffle, generatorFor(seed));
}

/** Options of makeCircles. */
export interface CirclesArraysOptions extends SyntheticOptions {
  /** Radius of the inner circle relative to the outer one, in (0, 1) (default 0.8). */
  factor?: number;
}

/**
 * A small circle inside a large one, scikit-learn's make_circles: ⌊n/2⌋ points on the
 * unit circle labelled 0 and the rest on a circle of radius `factor` labelled 1, angles
 * evenly spaced over [0, 2π) without the endpoint; then shuffled and noised.
 * @throws DataError on invalid options, before any work.
 */
export function makeCirclesArrays(options: CirclesArraysOptions = {}): { X: NDArray; y: NDArray } {
  const { nSamples, noise, seed, shuffle, rest } = readSynthetic("makeCircles", options, ["factor"]);
  const factor = optionalNumber("makeCircles", "factor", rest.factor, 0.8, (v) => v > 0 && v < 1, "a number in (0, 1)");
  const nOut = Math.floor(nSamples / 2);
  const nIn = nSamples - nOut;
  const points = new Float64Array(2 * nSamples);
  const labels = new Float64Array(nSamples);
  linspace(0, 2 * Math.PI, nOut, false).forEach((t, i) => {
    points[2 * i] = Math.cos(t);
    points[2 * i + 1] = Math.sin(t);
  });
  linspace(0, 2 * Math.PI, nIn, false).forEach((t, i) => {
    const row = nOut + i;
    points[2 * row] = factor * Math.cos(t);
    points[2 * row + 1] = factor * Math.sin(t);
    labels[row] = 1;
  });
  return finish(points, labels, nSamples, noise, shuffle, generatorFor(seed));
}

/** Options of trainTestSplitArrays. */
export interface SplitArraysOptions {
  /** Fraction in (0, 1) or a row count held out for testing (default 0.25). */
  testSize?: number;
  seed?: Seed;
  generator?: Generator;
  shuffle?: boolean;
}

/**
 * Splits arrays along dimension 0 with one (seeded) permutation shared by all, so rows
 * stay aligned. As scikit-learn: nTest = ⌈testSize·n⌉ for a fraction, nTrain = n − nTest;
 * the test rows come first in the permutation.
 * @throws DataError when first dimensions differ or a side would be empty.
 */
export function trainTestSplitArrays(arrays: readonly NDArray[], options: SplitArraysOptions = {}): { train: NDArray[]; test: NDArray[] } {
  const o = checkOptions("trainTestSplit", options, ["testSize", "seed", "generator", "shuffle"]);
  const testSize = o.testSize ?? 0.25;
  const seed = o.seed as Seed | undefined;
  const shuffle = optionalBoolean("trainTestSplit", "shuffle", o.shuffle, true);
  if (o.generator !== undefined && !(o.generator instanceof Rng)) throw new DataError("trainTestSplit: generator must be a Generator");
  if (arrays.length === 0) throw new DataError("trainTestSplit: expected at least one array");
  arrays.forEach((a, i) => {
    if (!(a instanceof NDArray) || a.ndim === 0) throw new DataError(`trainTestSplit: argument ${i} must be an array with at least one dimension`);
  });
  const n = arrays[0]!.shape[0]!;
  if (arrays.some((a) => a.shape[0] !== n)) {
    throw new DataError(`trainTestSplit: first dimensions differ: ${arrays.map((a) => `[${a.shape.join(",")}]`).join(", ")}`);
  }
  let nTest: number;
  if (typeof testSize !== "number" || !Number.isFinite(testSize) || testSize <= 0) {
    throw new DataError(`trainTestSplit: testSize must be a fraction in (0, 1) or a positive row count, got ${JSON.stringify(testSize)}`);
  } else if (testSize < 1) nTest = Math.ceil(testSize * n);
  else if (Number.isInteger(testSize)) nTest = testSize;
  else throw new DataError(`trainTestSplit: testSize must be a fraction in (0, 1) or a positive row count, got ${JSON.stringify(testSize)}`);
  if (nTest < 1 || nTest > n - 1) throw new DataError(`trainTestSplit: testSize ${testSize} of ${n} rows leaves the train or test set empty`);
  const generator = (o.generator as Generator | undefined) ?? (seed === undefined ? defaultGenerator : new Rng(seed));
  const order = shuffle ? generator.permutation(n) : Array.from({ length: n }, (_, i) => i);
  const testRows = shuffle ? order.slice(0, nTest) : order.slice(n - nTest);
  const trainRows = shuffle ? order.slice(nTest) : order.slice(0, n - nTest);
  return { train: arrays.map((a) => gatherRows(a, trainRows)), test: arrays.map((a) => gatherRows(a, testRows)) };
}
