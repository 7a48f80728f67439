import { DataError, Tensor } from "@tapegrad/autograd";
import type { Generator, Seed } from "@tapegrad/tensor";
import { makeCirclesArrays, makeMoonsArrays, trainTestSplitArrays } from "./synthetic.js";

/** Features and labels of a two-class toy data set. */
export interface Dataset {
  /** [n, 2] points. */
  X: Tensor;
  /** [n, 1] labels, 0 or 1. */
  y: Tensor;
}

/** Options of makeMoons, as scikit-learn's make_moons. */
export interface MoonsOptions {
  nSamples?: number;
  noise?: number;
  seed?: Seed;
  shuffle?: boolean;
}

/** Options of makeCircles, as scikit-learn's make_circles. */
export interface CirclesOptions extends MoonsOptions {
  /** Radius of the inner circle relative to the outer one, in (0, 1). */
  factor?: number;
}

/**
 * Two interleaving half circles with Gaussian noise, as scikit-learn's make_moons:
 * `X` [n, 2], `y` [n, 1].
 * @throws DataError on invalid options.
 */
export function makeMoons(options: MoonsOptions = {}): Dataset {
  const { X, y } = makeMoonsArrays(options);
  return { X: new Tensor(X), y: new Tensor(y) };
}

/**
 * A small circle inside a large one with Gaussian noise, as scikit-learn's make_circles:
 * `X` [n, 2], `y` [n, 1].
 * @throws DataError on invalid options.
 */
export function makeCircles(options: CirclesOptions = {}): Dataset {
  const { X, y } = makeCirclesArrays(options);
  return { X: new Tensor(X), y: new Tensor(y) };
}

/** Options of trainTestSplit. */
export interface SplitOptions {
  /** Fraction in (0, 1) or number of rows held out for testing (default 0.25). */
  testSize?: number;
  seed?: Seed;
  generator?: Generator;
  shuffle?: boolean;
}

/** A data set split in two. */
export interface SplitDataset {
  train: Dataset;
  test: Dataset;
}

/**
 * Splits rows into train and test sets with one seeded permutation shared by all arrays.
 * Given a `{ X, y }` data set it returns `{ train, test }`; given tensors it returns
 * scikit-learn's flat list `[aTrain, aTest, bTrain, bTest, …]`.
 * @throws DataError when first dimensions differ or testSize leaves a side empty.
 */
export function trainTestSplit(dataset: Dataset, options?: SplitOptions): SplitDataset;
export function trainTestSplit(...args: [...Tensor[], SplitOptions] | Tensor[]): Tensor[];
export function trainTestSplit(...args: unknown[]): SplitDataset | Tensor[] {
  const first = args[0];
  if (first && typeof first === "object" && !(first instanceof Tensor) && "X" in first && "y" in first) {
    const { X, y } = first as Dataset;
    const [xTrain, xTest, yTrain, yTest] = splitTensors([X, y], (args[1] ?? {}) as SplitOptions);
    return { train: { X: xTrain!, y: yTrain! }, test: { X: xTest!, y: yTest! } };
  }
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && !(last instanceof Tensor);
  const tensors = (hasOptions ? args.slice(0, -1) : args) as Tensor[];
  return splitTensors(tensors, (hasOptions ? last : {}) as SplitOptions);
}

function splitTensors(tensors: Tensor[], options: SplitOptions): Tensor[] {
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DataError(`trainTestSplit: argument ${i} is not a Tensor`);
  });
  const { train, test } = trainTestSplitArrays(
    tensors.map((t) => t.array),
    options,
  );
  return tensors.flatMap((_, i) => [new Tensor(train[i]!), new Tensor(test[i]!)]);
}
