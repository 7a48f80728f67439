import { DataError, ShapeError, formatShape } from "./errors.js";
import {
  broadcastShapes,
  broadcastStrides,
  checkShape,
  contiguousStrides,
  describe,
  normalizeDim,
  resolveReshape,
  sizeOf,
  viewStrides,
} from "./layout.js";
import { buildNested, flattenNested, type NestedArray } from "./nested.js";
import { copyStrided } from "./kernels/strided.js";
import { Storage, allocate } from "./storage.js";

// Passed by `NDArray.wrap` alone: one constructor keeps every NDArray of one hidden class.
const TRUSTED = Symbol("trusted");

/** A shape given either as one array or as separate sizes: `reshape([2, 3])` or `reshape(2, 3)`. */
export type ShapeArgs = [readonly number[]] | number[];

/** Reads a shape passed as one array or as separate numbers. */
export function shapeFromArgs(args: ShapeArgs): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as number[]);
}

/**
 * An n-dimensional array of float64 values: a Float64Array plus `shape`, `strides` and
 * `offset`. Element `[i0, i1, …]` lives at `data[offset + Σ ik·strides[k]]`, so views
 * (transpose, narrow, expand, …) are new strides over the same buffer and never copy.
 */
export class NDArray {
  /** The memory, shared by every view of it (with its version counter). */
  readonly storage: Storage;
  /** Size of each dimension, outermost first. */
  readonly shape: readonly number[];
  /** Buffer distance between neighbours along each dimension (0 for broadcast dimensions). */
  readonly strides: readonly number[];
  /** Buffer index of the first element. */
  readonly offset: number;
  /** Number of elements: the product of the shape. */
  readonly size: number;

  /**
   * Wraps a buffer (or another array's Storage, for a view) without copying it.
   * @param trusted internal: only `NDArray.wrap` passes it, to skip validation.
   * @throws ShapeError when the shape or strides are invalid or would read outside `data`.
   */
  constructor(data: Float64Array | Storage, shape: readonly number[], strides?: readonly number[], offset = 0, trusted?: symbol) {
    if (trusted === TRUSTED) {
      this.storage = data as Storage;
      this.shape = shape;
      this.strides = strides!;
      this.offset = offset;
      this.size = sizeOf(shape);
      return;
    }
    const storage = data instanceof Storage ? data : data instanceof Float64Array ? new Storage(data) : null;
    if (storage === null) throw new DataError(`NDArray: data must be a Float64Array, got ${describe(data)}`);
    const dims = checkShape(shape, "NDArray");
    const size = sizeOf(dims);
    const st = strides === undefined ? contiguousStrides(dims) : strides.slice();
    if (st.length !== dims.length || st.some((s) => !Number.isInteger(s))) {
      throw new ShapeError(`NDArray: strides [${st.join(",")}] do not fit shape ${formatShape(dims)}`);
    }
    if (!Number.isInteger(offset) || offset < 0) throw new ShapeError(`NDArray: offset must be a non-negative integer, got ${offset}`);
    if (size > 0) {
      let low = offset;
      let high = offset;
      for (let i = 0; i < dims.length; i++) {
        const reach = (dims[i]! - 1) * st[i]!;
        if (reach < 0) low += reach;
        else high += reach;
      }
      if (low < 0 || high >= storage.length) {
        throw new ShapeError(
          `NDArray: shape ${formatShape(dims)} with strides [${st.join(",")}] and offset ${offset} reads outside a buffer of ${storage.length}`,
        );
      }
    }
    this.storage = storage;
    this.shape = dims;
    this.strides = st;
    this.offset = offset;
    this.size = size;
  }

  /**
   * @internal A kernel's result around memory it just allocated: no validation, since the
   * kernel computed shape and strides itself (validation is a quarter of a small kernel call).
   */
  static wrap(storage: Storage, shape: readonly number[], strides?: readonly number[], offset = 0): NDArray {
    return new NDArray(storage, shape, strides ?? contiguousStrides(shape), offset, TRUSTED);
  }

  /** A new contiguous array of `shape` from `allocate`, zero-filled, for kernels to write. */
  static empty(shape: readonly number[]): NDArray {
    return NDArray.wrap(allocate(sizeOf(shape)), shape);
  }

  /** The buffer, shared by every view of it. Read it after allocating any output. */
  get data(): Float64Array {
    return this.storage.data;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * Creates an array from a number, nested number arrays, or a flat buffer with a shape.
   * Nested data is copied; a Float64Array given with a shape is wrapped without copying.
   * @throws DataError on ragged or non-numeric data or a length that does not match the shape.
   */
  static from(data: NestedArray | Float64Array | readonly number[], shape?: readonly number[]): NDArray {
    if (typeof data === "number") {
      if (shape !== undefined && sizeOf(checkShape(shape, "from")) !== 1) {
        throw new DataError(`from: a single number cannot fill shape ${formatShape(shape)}`);
      }
      return new NDArray(Float64Array.of(data), shape ?? []);
    }
    if (data instanceof Float64Array || (ArrayBuffer.isView(data) && !(data instanceof DataView))) {
      const values = data instanceof Float64Array ? data : Float64Array.from(data as unknown as ArrayLike<number>);
      const dims = shape === undefined ? [values.length] : checkShape(shape, "from");
      if (sizeOf(dims) !== values.length) {
        throw new DataError(`from: ${values.length} values cannot fill shape ${formatShape(dims)} (${sizeOf(dims)} elements)`);
      }
      return new NDArray(values, dims);
    }
    if (!Array.isArray(data)) throw new DataError(`from: expected a number, nested number arrays or a Float64Array, got ${describe(data)}`);
    const { shape: found, values } = flattenNested(data, "from");
    if (shape === undefined) return new NDArray(values, found);
    const dims = checkShape(shape, "from");
    if (sizeOf(dims) !== values.length) {
      throw new DataError(`from: ${values.length} values cannot fill shape ${formatShape(dims)} (${sizeOf(dims)} elements)`);
    }
    return new NDArray(values, dims);
  }

  /** A new contiguous array filled with `value`. @throws ShapeError on an invalid shape. */
  static full(shape: readonly number[], value: number): NDArray {
    if (typeof value !== "number") throw new DataError(`full: fill value must be a number, got ${describe(value)}`);
    const out = NDArray.empty(checkShape(shape, "full"));
    if (value !== 0) out.data.fill(value);
    return out;
  }

  /** A new contiguous array of zeros. */
  static zeros(shape: readonly number[]): NDArray {
    return NDArray.full(shape, 0);
  }

  /** A new contiguous array of ones. */
  static ones(shape: readonly number[]): NDArray {
    return NDArray.full(shape, 1);
  }

  /**
   * Values start, start+step, … up to but excluding end, as torch.arange: ceil((end − start)/step) values.
   * @throws DataError when step is 0 or points away from end (as PyTorch), or any argument is not finite.
   */
  static arange(start: number, end?: number, step = 1): NDArray {
    if (end === undefined) [start, end] = [0, start];
    for (const [name, v] of [["start", start], ["end", end], ["step", step]] as const) {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new DataError(`arange: ${name} must be a finite number, got ${describe(v)}`);
    }
    if (step === 0) throw new DataError("arange: step must not be 0");
    if ((step > 0 && end < start) || (step < 0 && end > start)) {
      throw new DataError(`arange: step ${step} points away from end: no values lead from ${start} to ${end}`);
    }
    const count = Math.max(0, Math.ceil((end - start) / step));
    const dims = checkShape([count], "arange");
    const data = new Float64Array(dims[0]!);
    for (let i = 0; i < count; i++) data[i] = start + i * step;
    return new NDArray(data, dims);
  }

  /**
   * `count` evenly spaced values from start to end inclusive, as torch.linspace.
   * @throws DataError when count is not a non-negative integer.
   */
  static linspace(start: number, end: number, count: number): NDArray {
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new DataError(`linspace: start and end must be finite, got ${start} and ${end}`);
    const dims = checkShape([count], "linspace");
    const data = new Float64Array(count);
    const step = count > 1 ? (end - start) / (count - 1) : 0;
    // Fill from both ends, as PyTorch does, so the last value is exactly `end`; one point is `start`.
    const half = Math.floor(count / 2);
    for (let i = 0; i < count; i++) data[i] = i < half ? start + step * i : end - step * (count - 1 - i);
    if (count === 1) data[0] = start;
    return new NDArray(data, dims);
  }

  /** The n×m identity matrix (m defaults to n). */
  static eye(n: number, m = n): NDArray {
    const out = NDArray.zeros(checkShape([n, m], "eye"));
    for (let i = 0; i < Math.min(n, m); i++) out.data[i * m + i] = 1;
    return out;
  }

  /** True when elements sit in row-major order with no gaps, starting anywhere in the buffer. */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this.strides[i] !== expected) return this.size === 0;
      expected *= d;
    }
    return true;
  }

  /** This array if it is contiguous, else a contiguous copy. */
  contiguous(): NDArray {
    return this.isContiguous() ? this : this.clone();
  }

  /** A contiguous copy with its own buffer. */
  clone(): NDArray {
    const out = NDArray.empty(this.shape);
    copyStrided(this, out.data);
    return out;
  }

  /**
   * The elements in row-major order as a Float64Array. Returns a view of the buffer when
   * the array is contiguous (do not write to it), else a copy.
   */
  values(): Float64Array {
    if (this.isContiguous()) return this.data.subarray(this.offset, this.offset + this.size);
    return this.clone().data;
  }

  /** Nested arrays of numbers (a plain number for a 0-d array). */
  toArray(): NestedArray {
    const flat = this.values();
    return buildNested(this.shape, (i) => flat[i]!);
  }

  /**
   * The value of a one-element array.
   * @throws ShapeError when the array does not hold exactly one element.
   */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: only one-element arrays convert to a number, got shape ${formatShape(this.shape)}`);
    // Every index of a one-element array is 0, so the element sits at the offset.
    return this.data[this.offset]!;
  }

  /** Buffer position of an element. @throws ShapeError on a wrong count or an out-of-range index. */
  private position(index: readonly number[], op: string): number {
    if (index.length !== this.ndim) throw new ShapeError(`${op}: expected ${this.ndim} indices for shape ${formatShape(this.shape)}, got ${index.length}`);
    let p = this.offset;
    for (let i = 0; i < index.length; i++) {
      const raw = index[i]!;
      const size = this.shape[i]!;
      const k = raw < 0 ? raw + size : raw;
      if (!Number.isInteger(raw) || k < 0 || k >= size) {
        throw new ShapeError(`${op}: index ${raw} is out of range for dimension ${i} of size ${size}`);
      }
      p += k * this.strides[i]!;
    }
    return p;
  }

  /** Reads one element; negative indices count from the end. */
  get(...index: number[]): number {
    return this.data[this.position(index, "get")]!;
  }

  /** Writes one element in place (visible through every view of the buffer). */
  set(value: number, ...index: number[]): void {
    this.data[this.position(index, "set")] = value;
  }

  /**
   * The same elements in a new shape: a view when the layout allows (as torch.reshape),
   * else a contiguous copy. One size may be -1.
   * @throws ShapeError when the element counts differ.
   */
  reshape(...args: ShapeArgs): NDArray {
    const target = resolveReshape(this.size, shapeFromArgs(args) as number[], this.shape);
    const strides = viewStrides(this.shape, this.strides, target);
    if (strides) return new NDArray(this.storage, target, strides, this.offset);
    return new NDArray(this.clone().storage, target);
  }

  /**
   * Like reshape but never copies.
   * @throws ShapeError when the layout cannot be viewed in the new shape.
   */
  view(...args: ShapeArgs): NDArray {
    const target = resolveReshape(this.size, shapeFromArgs(args) as number[], this.shape, "view");
    const strides = viewStrides(this.shape, this.strides, target);
    if (!strides) {
      throw new ShapeError(`view: shape ${formatShape(this.shape)} with strides [${this.strides.join(",")}] cannot be viewed as ${formatShape(target)}; use reshape`);
    }
    return new NDArray(this.storage, target, strides, this.offset);
  }

  /** Swaps two dimensions (a view). */
  transpose(dim0: number, dim1: number): NDArray {
    const a = normalizeDim(dim0, this.ndim, "transpose");
    const b = normalizeDim(dim1, this.ndim, "transpose");
    if (this.ndim === 0) return this;
    const order = Array.from({ length: this.ndim }, (_, i) => i);
    order[a] = b;
    order[b] = a;
    return this.permute(order);
  }

  /**
   * Reorders dimensions (a view): dimension i of the result is dimension `dims[i]` of this.
   * @throws ShapeError unless dims is a permutation of 0..ndim-1 (negatives allowed).
   */
  permute(...args: ShapeArgs): NDArray {
    const dims = shapeFromArgs(args);
    if (dims.length !== this.ndim) {
      throw new ShapeError(`permute: expected ${this.ndim} dimensions for shape ${formatShape(this.shape)}, got [${dims.join(",")}]`);
    }
    const seen = new Array<boolean>(this.ndim).fill(false);
    const shape: number[] = [];
    const strides: number[] = [];
    for (const raw of dims) {
      const d = normalizeDim(raw, this.ndim, "permute");
      if (seen[d]) throw new ShapeError(`permute: dimension ${raw} repeats in [${dims.join(",")}]`);
      seen[d] = true;
      shape.push(this.shape[d]!);
      strides.push(this.strides[d]!);
    }
    return new NDArray(this.storage, shape, strides, this.offset);
  }

  /**
   * Broadcasts to a larger shape as torch.expand (a view with stride 0 on new dimensions);
   * -1 keeps a size.
   * @throws ShapeError when a non-1 size would change.
   */
  expand(...args: ShapeArgs): NDArray {
    const target = shapeFromArgs(args).slice();
    const lead = target.length - this.ndim;
    if (lead < 0) throw new ShapeError(`expand: cannot expand ${formatShape(this.shape)} to fewer dimensions ${formatShape(target)}`);
    for (let i = 0; i < target.length; i++) {
      if (target[i] === -1) {
        if (i < lead) throw new ShapeError(`expand: -1 is not allowed for a new leading dimension in ${formatShape(target)}`);
        target[i] = this.shape[i - lead]!;
      }
    }
    checkShape(target, "expand");
    for (let i = 0; i < this.ndim; i++) {
      const from = this.shape[i]!;
      const to = target[lead + i]!;
      if (from !== to && from !== 1) throw new ShapeError(`expand: cannot expand ${formatShape(this.shape)} to ${formatShape(target)}`);
    }
    return new NDArray(this.storage, target, broadcastStrides(this.shape, this.strides, target), this.offset);
  }

  /**
   * Broadcasts to `shape` by numpy's rule (a view).
   * @throws ShapeError when this shape does not broadcast to it.
   */
  broadcastTo(...args: ShapeArgs): NDArray {
    const target = checkShape(shapeFromArgs(args), "broadcastTo");
    const joint = broadcastShapes(this.shape, target, "broadcastTo");
    if (joint.length !== target.length || joint.some((d, i) => d !== target[i])) {
      throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(this.shape)} to ${formatShape(target)}`);
    }
    return new NDArray(this.storage, target, broadcastStrides(this.shape, this.strides, target), this.offset);
  }

  /**
   * Elements `start … start+length-1` along `dim` (a view).
   * @throws ShapeError when the range leaves the dimension.
   */
  narrow(dim: number, start: number, length: number): NDArray {
    const d = normalizeDim(dim, this.ndim, "narrow");
    if (this.ndim === 0) throw new ShapeError("narrow: cannot narrow a 0-d array");
    const size = this.shape[d]!;
    const s = Number.isInteger(start) && start < 0 ? start + size : start;
    if (!Number.isInteger(start) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
      throw new ShapeError(`narrow: start ${start} and length ${length} do not fit dimension ${d} of size ${size} in ${formatShape(this.shape)}`);
    }
    const shape = this.shape.slice();
    shape[d] = length;
    return new NDArray(this.storage, shape, this.strides, this.offset + (length > 0 ? s * this.strides[d]! : 0));
  }

  /**
   * Removes size-1 dimensions: all of them, or those listed (a listed dimension of another
   * size is left alone, as in PyTorch). A view.
   */
  squeeze(dim?: number | readonly number[]): NDArray {
    const drop = new Set<number>();
    if (dim === undefined) this.shape.forEach((s, i) => s === 1 && drop.add(i));
    else for (const raw of typeof dim === "number" ? [dim] : dim) {
      const d = normalizeDim(raw, this.ndim, "squeeze");
      if (this.shape[d] === 1) drop.add(d);
    }
    const shape = this.shape.filter((_, i) => !drop.has(i));
    const strides = this.strides.filter((_, i) => !drop.has(i));
    return new NDArray(this.storage, shape, strides, this.offset);
  }

  /** Inserts a size-1 dimension at `dim` (in [-ndim-1, ndim]). A view. */
  unsqueeze(dim: number): NDArray {
    const d = normalizeDim(dim, this.ndim + 1, "unsqueeze");
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    const stride = d < this.ndim ? this.strides[d]! * this.shape[d]! : 1;
    shape.splice(d, 0, 1);
    strides.splice(d, 0, stride);
    return new NDArray(this.storage, shape, strides, this.offset);
  }

  /** Merges dimensions startDim…endDim into one (a view when possible). */
  flatten(startDim = 0, endDim = -1): NDArray {
    if (this.ndim === 0) return this.reshape([1]);
    const s = normalizeDim(startDim, this.ndim, "flatten");
    const e = normalizeDim(endDim, this.ndim, "flatten");
    if (s > e) throw new ShapeError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
    const merged = this.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return this.reshape([...this.shape.slice(0, s), merged, ...this.shape.slice(e + 1)]);
  }

  /** Short description for debugging: shape and values. */
  toString(): string {
    return `NDArray(${formatShape(this.shape)}) ${JSON.stringify(this.toArray())}`;
  }
}
