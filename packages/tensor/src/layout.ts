import { DataError, ShapeError, formatShape } from "./errors.js";

/** A shape or a list of strides: one entry per dimension, outermost first. */
export type Shape = readonly number[];

/**
 * The largest number of elements one array may hold. V8 refuses typed arrays past 2³²
 * elements; checking first turns an opaque RangeError into a message that names the op.
 */
export const MAX_ELEMENTS = 2 ** 32 - 1;

/**
 * Validates a shape and returns a frozen copy of it.
 * @throws ShapeError if any entry is not a non-negative integer, or the product is too large.
 */
export function checkShape(shape: unknown, op: string): number[] {
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) {
    throw new ShapeError(`${op}: shape must be an array of sizes, got ${describe(shape)}`);
  }
  const out: number[] = [];
  let size = 1;
  for (const dim of shape as ArrayLike<unknown> & Iterable<unknown>) {
    if (typeof dim !== "number" || !Number.isInteger(dim) || dim < 0) {
      throw new ShapeError(
        `${op}: every size must be a non-negative integer, got ${describe(dim)} in [${Array.from(shape as ArrayLike<unknown>, describe).join(",")}]`,
      );
    }
    out.push(dim);
    size *= dim;
  }
  if (size > MAX_ELEMENTS) {
    throw new ShapeError(`${op}: shape ${formatShape(out)} holds ${size} elements, more than the ${MAX_ELEMENTS} a Float64Array can`);
  }
  return out;
}

/** Number of elements in an array of the given shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) size *= shape[i]!;
  return size;
}

/** Row-major (C order) strides: the last dimension moves fastest. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

/** True when two shapes have the same sizes in the same order. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The shape two arrays broadcast to, by numpy's and PyTorch's rule: align from the last
 * dimension; sizes must be equal or one of them 1.
 * @throws ShapeError naming both shapes when they do not broadcast.
 */
export function broadcastShapes(a: Shape, b: Shape, op = "broadcastShapes"): number[] {
  const ndim = Math.max(a.length, b.length);
  const out = new Array<number>(ndim);
  for (let i = 1; i <= ndim; i++) {
    const da = i <= a.length ? a[a.length - i]! : 1;
    const db = i <= b.length ? b[b.length - i]! : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: cannot broadcast ${formatShape(a)} with ${formatShape(b)}`);
    }
    out[ndim - i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read an array of `shape`/`strides` as if it had `target` shape: a
 * broadcast dimension gets stride 0, so every position reads the same element.
 * Assumes `shape` broadcasts to `target` (checked by the caller).
 */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[lead + i] = shape[i] === 1 && target[lead + i] !== 1 ? 0 : strides[i]!;
  }
  return out;
}

/**
 * Turns a possibly negative dimension into its index, PyTorch style (-1 is the last).
 * @throws ShapeError when the dimension is not an integer in [-ndim, ndim).
 */
export function normalizeDim(dim: number, ndim: number, op: string): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new ShapeError(`${op}: dimension must be an integer, got ${describe(dim)}`);
  }
  // A scalar accepts dims 0 and -1, as in PyTorch, so reductions over "the last dim" work.
  const bound = Math.max(ndim, 1);
  if (dim < -bound || dim >= bound) {
    throw new ShapeError(`${op}: dimension ${dim} is out of range for a ${ndim}-d array (expected in [${-bound}, ${bound - 1}])`);
  }
  return dim < 0 ? dim + bound : dim;
}

/**
 * Normalizes a dimension list for a reduction: `undefined` means every dimension; the
 * result is sorted and free of repeats.
 * @throws ShapeError on an out-of-range or repeated dimension.
 */
export function normalizeDims(dims: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  if (!Array.isArray(list)) throw new ShapeError(`${op}: dim must be a number or an array of numbers, got ${describe(dims)}`);
  const seen = new Set<number>();
  for (const d of list) {
    const n = ndim === 0 ? (normalizeDim(d, 0, op), -1) : normalizeDim(d, ndim, op);
    if (n < 0) continue;
    if (seen.has(n)) throw new ShapeError(`${op}: dimension ${d} appears more than once in [${list.join(",")}]`);
    seen.add(n);
  }
  return [...seen].sort((x, y) => x - y);
}

/**
 * Resolves one `-1` in a reshape target against the number of elements.
 * @throws ShapeError when sizes differ, more than one -1 is given, or a size is invalid.
 */
export function resolveReshape(size: number, target: readonly number[], from: Shape, op = "reshape"): number[] {
  if (!Array.isArray(target)) throw new ShapeError(`${op}: shape must be an array of sizes, got ${describe(target)}`);
  let inferred = -1;
  let known = 1;
  const out = target.slice();
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1) {
      if (inferred >= 0) throw new ShapeError(`${op}: only one dimension can be -1, got ${formatShape(target)}`);
      inferred = i;
    } else if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: every size must be a non-negative integer or -1, got ${describe(d)} in ${formatShape(target)}`);
    } else {
      known *= d;
    }
  }
  if (inferred >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)}`);
    }
    out[inferred] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`${op}: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(target)} (${known} elements)`);
  }
  return out;
}

/**
 * Strides that let an array of (shape, strides) be read as `target` without copying, or
 * null when the layout forbids it. This is PyTorch's `computeStride`: each run of
 * dimensions that is contiguous in memory may be split or merged freely.
 */
export function viewStrides(shape: Shape, strides: Shape, target: Shape): number[] | null {
  if (shape.length === 0 || sizeOf(shape) === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkStride = strides[strides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    // A chunk ends where the next-outer dimension does not continue this run in memory.
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkStride;
        viewNumel *= target[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkStride = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}

/** Short description of an unexpected value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

/** Re-exported so callers of layout helpers can catch what they throw. */
export { DataError, ShapeError };
