import { DataError, NDArray, ShapeError, formatShape, normalizeDim, shapeFromArgs, type ShapeArgs } from "@tapegrad/tensor";
import { Tensor } from "../tensor.js";
import { defineOp, type Op } from "../op.js";

// Splitting (split, chunk, unbind) returns views made by narrow, as PyTorch's do, so their
// gradients come from narrow's VJP. repeat and flip copy, as in PyTorch, and are ops of
// their own so that traces name them.

/** [1, s₀, 1, s₁, …] → [r₀, s₀, r₁, s₁, …]: each dimension with its repeat count in front. */
function interleaved(sizes: readonly number[], shape: readonly number[]): number[] {
  return sizes.flatMap((r, i) => [r, shape[i]!]);
}

/** The shape padded with leading 1s to as many dimensions as there are repeat sizes. */
function padded(shape: readonly number[], count: number): number[] {
  return [...new Array<number>(count - shape.length).fill(1), ...shape];
}

/** The tensor tiled `sizes[i]` times along dimension i (leading 1s added when sizes outnumber the dimensions). */
export const repeat = defineOp<readonly number[]>({
  name: "repeat",
  rule: "∂x = Σ of g over its tiles (g seen as [r₀, s₀, r₁, s₁, …], summed over the r's)",
  save: () => ({}),
  forward: ([x], sizes) => {
    const shape = padded(x!.shape, sizes.length);
    const tiles = x!.reshape(interleaved(sizes.map(() => 1), shape)).expand(interleaved(sizes, shape));
    return tiles.clone().reshape(sizes.map((r, i) => r * shape[i]!));
  },
  vjp: (g, { inputShapes: [shape], params: sizes }) => {
    const full = padded(shape!, sizes.length);
    const tileDims = sizes.map((_, i) => 2 * i);
    const summed = sizes.length === 0 ? g : g.reshape(interleaved(sizes, full)).sum(tileDims);
    return [summed.reshape(shape!)];
  },
});

/** The elements in reverse order along each dimension in `dims` (normalized, without repeats); a copy. */
export const flip: Op<readonly number[]> = defineOp<readonly number[]>({
  name: "flip",
  rule: "∂x = flip(g, dims)",
  save: () => ({}),
  forward: ([x], dims) => {
    if (x!.size === 0 || dims.length === 0) return x!.clone();
    const strides = x!.strides.slice();
    let offset = x!.offset;
    for (const d of dims) {
      offset += (x!.shape[d]! - 1) * strides[d]!;
      strides[d] = -strides[d]!;
    }
    return new NDArray(x!.storage, x!.shape, strides, offset).clone();
  },
  vjp: (g, { params: dims }) => [flip([g], dims)],
});

/** Normalized dims of flip, refusing repeats as PyTorch does. */
function flipDims(dims: readonly number[], x: Tensor): number[] {
  const seen: number[] = [];
  for (const raw of dims) {
    const d = normalizeDim(raw, x.ndim, "flip");
    if (seen.includes(d)) throw new ShapeError(`flip: dimension ${raw} appears more than once in [${dims.join(",")}] (for a tensor of shape ${formatShape(x.shape)})`);
    seen.push(d);
  }
  // A 0-d tensor accepts dim 0 or -1 and has nothing to reverse.
  return x.ndim === 0 ? [] : seen.sort((a, b) => a - b);
}

/** The dimension a split works on, refusing 0-d tensors as PyTorch does. */
function splitDim(op: string, x: Tensor, dim: number): number {
  if (x.ndim === 0) throw new ShapeError(`${op}: expects a tensor with at least 1 dimension, got a 0-d tensor`);
  return normalizeDim(dim, x.ndim, op);
}

/** The piece sizes of split(sizeOrSizes) along a dimension of `size`, with PyTorch's rules. */
function pieceSizes(sizeOrSizes: number | readonly number[], size: number, dim: number, shape: readonly number[]): number[] {
  if (typeof sizeOrSizes === "number") {
    const each = sizeOrSizes;
    if (!Number.isInteger(each) || each < 0) throw new DataError(`split: split size must be a non-negative integer, got ${each}`);
    if (each === 0) {
      if (size !== 0) throw new ShapeError(`split: split size 0 is only allowed for a dimension of size 0, but dimension ${dim} of ${formatShape(shape)} has size ${size}`);
      return [0];
    }
    // Pieces of `each`, the last one smaller; a size above the dimension's gives one piece.
    const count = Math.max(Math.ceil(size / each), 1);
    return Array.from({ length: count }, (_, i) => (i < count - 1 ? each : size - each * (count - 1)));
  }
  if (!Array.isArray(sizeOrSizes)) throw new DataError(`split: expected a split size or an array of sizes, got ${typeof sizeOrSizes}`);
  sizeOrSizes.forEach((s, i) => {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) throw new DataError(`split: sizes must be non-negative integers, got ${String(s)} at position ${i} of [${sizeOrSizes.join(",")}]`);
  });
  const total = sizeOrSizes.reduce((a, b) => a + b, 0);
  if (total !== size) {
    throw new ShapeError(`split: sizes [${sizeOrSizes.join(",")}] add up to ${total}, but dimension ${dim} of ${formatShape(shape)} has size ${size}`);
  }
  return sizeOrSizes.slice();
}

/** The split methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface SplitMethods {
  /**
   * Views of consecutive pieces along `dim`, as torch.Tensor.split: pieces of `sizeOrSizes`
   * elements (the last one smaller when it does not divide the size), or of the sizes listed.
   * @throws ShapeError for a 0-d tensor, a bad dim, a size of 0 on a non-empty dimension, or sizes that do not add up to the dimension's size.
   * @throws DataError for a negative or non-integer size.
   */
  split(sizeOrSizes: number | readonly number[], dim?: number): Tensor[];
  /**
   * `n` views of equal size ⌈size/n⌉ along `dim` (the last smaller; fewer than n pieces when
   * the sizes run out first), as torch.Tensor.chunk.
   * @throws DataError when n is not a positive integer.
   * @throws ShapeError for a 0-d tensor or a bad dim.
   */
  chunk(n: number, dim?: number): Tensor[];
  /**
   * The slices along `dim` as views with that dimension removed, as torch.Tensor.unbind:
   * [a, b, c] → a tensors of shape [b, c] for dim 0.
   * @throws ShapeError for a 0-d tensor or a bad dim.
   */
  unbind(dim?: number): Tensor[];
  /**
   * The tensor tiled sizes[i] times along dimension i, as torch.Tensor.repeat: [2, 3].repeat(2, 1, 2)
   * is [2, 2, 6] (extra sizes add leading dimensions). A copy; its gradient sums the tiles.
   * @throws ShapeError when there are fewer sizes than dimensions, or a size is negative or not an integer.
   */
  repeat(...sizes: ShapeArgs): Tensor;
  /**
   * A copy with the order of elements reversed along each of `dims` (a number or an array,
   * negative counting from the end), as torch.flip.
   * @throws DataError when no dims are given.
   * @throws ShapeError for an out-of-range or repeated dimension.
   */
  flip(...dims: ShapeArgs): Tensor;
  /**
   * The outer product of two 1-D tensors: [n] ⊗ [m] → [n, m], out[i][j] = this[i]·other[j].
   * @throws ShapeError unless both tensors are 1-D.
   */
  outer(other: Tensor): Tensor;
}

Tensor.prototype.split = function (this: Tensor, sizeOrSizes: number | readonly number[], dim: number = 0): Tensor[] {
  const d = splitDim("split", this, dim);
  let start = 0;
  return pieceSizes(sizeOrSizes, this.shape[d]!, d, this.shape).map((length) => {
    const piece = this.narrow(d, start, length);
    start += length;
    return piece;
  });
};

Tensor.prototype.chunk = function (this: Tensor, n: number, dim: number = 0): Tensor[] {
  if (typeof n !== "number" || !Number.isInteger(n) || n <= 0) throw new DataError(`chunk: n must be a positive integer, got ${String(n)}`);
  const d = splitDim("chunk", this, dim);
  const size = this.shape[d]!;
  // An empty dimension still gives n (empty) pieces, as in PyTorch.
  if (size === 0) return this.split(new Array<number>(n).fill(0), d);
  return this.split(Math.ceil(size / n), d);
};

Tensor.prototype.unbind = function (this: Tensor, dim: number = 0): Tensor[] {
  const d = splitDim("unbind", this, dim);
  return Array.from({ length: this.shape[d]! }, (_, i) => this.narrow(d, i, 1).squeeze(d));
};

Tensor.prototype.repeat = function (this: Tensor, ...args: ShapeArgs): Tensor {
  const sizes = shapeFromArgs(args);
  if (!Array.isArray(sizes)) throw new ShapeError(`repeat: sizes must be numbers or an array of numbers, got ${typeof sizes}`);
  if (sizes.length < this.ndim) {
    throw new ShapeError(
      `repeat: ${sizes.length} size${sizes.length === 1 ? "" : "s"} [${sizes.join(",")}] for a tensor of shape ${formatShape(this.shape)}: give at least one per dimension (${this.ndim})`,
    );
  }
  sizes.forEach((r, i) => {
    if (typeof r !== "number" || !Number.isInteger(r) || r < 0) throw new ShapeError(`repeat: sizes must be non-negative integers, got ${String(r)} at position ${i} of [${sizes.join(",")}]`);
  });
  return repeat([this], sizes.slice());
};

Tensor.prototype.flip = function (this: Tensor, ...args: ShapeArgs): Tensor {
  // As in PyTorch, dims are required; an empty array is a plain copy.
  if (args.length === 0) throw new DataError("flip: dims are required (a dimension, several, or an array; [] flips nothing)");
  const dims = shapeFromArgs(args);
  if (!Array.isArray(dims)) throw new ShapeError(`flip: dims must be a number or an array of numbers, got ${typeof dims}`);
  return flip([this], flipDims(dims, this));
};

Tensor.prototype.outer = function (this: Tensor, other: Tensor): Tensor {
  if (!(other instanceof Tensor)) throw new DataError(`outer: expected a Tensor, got ${typeof other}`);
  if (this.ndim !== 1 || other.ndim !== 1) {
    throw new ShapeError(`outer: expects two 1-D tensors, got shapes ${formatShape(this.shape)} and ${formatShape(other.shape)}`);
  }
  return this.reshape(this.shape[0]!, 1).mul(other);
};
