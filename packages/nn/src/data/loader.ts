import { DataError, Tensor } from "@tapegrad/autograd";
import { Generator, formatShape, pickGenerator, type Seed } from "@tapegrad/tensor";
import { gatherRows } from "./rows.js";
import { checkOptions, optionalBoolean, optionalNumber } from "../options.js";

/**
 * Tensors that share their first dimension, read row by row: `dataset.get(i)` is the i-th
 * row of each. As torch.utils.data.TensorDataset.
 */
export class TensorDataset {
  readonly tensors: readonly Tensor[];

  /** @throws DataError when no tensor is given or first dimensions differ. */
  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new DataError("TensorDataset: expected at least one tensor");
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.ndim === 0) throw new DataError(`TensorDataset: argument ${i} must be a Tensor with at least one dimension`);
    });
    const n = tensors[0]!.shape[0]!;
    const bad = tensors.find((t) => t.shape[0] !== n);
    if (bad) throw new DataError(`TensorDataset: first dimensions differ: ${tensors.map((t) => formatShape(t.shape)).join(", ")}`);
    this.tensors = tensors;
  }

  /** Number of rows. */
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** The rows at `indices` of every tensor, as new tensors (no gradient). */
  rows(indices: readonly number[]): Tensor[] {
    return this.tensors.map((t) => new Tensor(gatherRows(t.array, indices)));
  }
}

/** Options of DataLoader. */
export interface DataLoaderOptions {
  /** Rows per batch (default 1). */
  batchSize?: number;
  /** Draw a new order of rows every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffling generator, so every run sees the same sequence of epochs. */
  seed?: Seed;
  /** Generator to shuffle with, instead of a seed. */
  generator?: Generator;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
}

/**
 * Iterates over a dataset in batches: each iteration of `for (const [x, y] of loader)` is
 * one epoch. With `shuffle`, each epoch draws a new permutation from a seeded generator.
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly dataset: TensorDataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator;

  /**
   * @throws DataError on an unknown option (`batch_size` suggests `batchSize`), a batchSize
   *   that is not a positive integer, a flag that is not a boolean, or a dataset that is not tensors.
   */
  constructor(dataset: TensorDataset | readonly Tensor[] | { X: Tensor; y: Tensor }, options: DataLoaderOptions = {}) {
    const o = checkOptions("DataLoader", options, ["batchSize", "shuffle", "seed", "generator", "dropLast"]);
    const batchSize = optionalNumber("DataLoader", "batchSize", o.batchSize, 1, (v) => Number.isInteger(v) && v > 0, "a positive integer");
    if (o.generator !== undefined && !(o.generator instanceof Generator)) throw new DataError("DataLoader: generator must be a Generator");
    if (typeof dataset !== "object" || dataset === null) {
      throw new DataError("DataLoader: expected a TensorDataset, an array of tensors or a { X, y } data set");
    }
    this.dataset =
      dataset instanceof TensorDataset
        ? dataset
        : Array.isArray(dataset)
          ? new TensorDataset(...dataset)
          : new TensorDataset((dataset as { X: Tensor }).X, (dataset as { y: Tensor }).y);
    this.batchSize = batchSize;
    this.shuffle = optionalBoolean("DataLoader", "shuffle", o.shuffle, false);
    this.dropLast = optionalBoolean("DataLoader", "dropLast", o.dropLast, false);
    // A private generator when a seed is given: other random draws cannot shift the epochs.
    this.generator = pickGenerator(o as DataLoaderOptions);
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const n = this.dataset.length;
    const order = this.shuffle ? this.generator.permutation(n) : Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += this.batchSize) {
      const indices = order.slice(start, start + this.batchSize);
      if (this.dropLast && indices.length < this.batchSize) break;
      yield this.dataset.rows(indices);
    }
  }
}
