import {
  DataError,
  NDArray,
  formatShape,
  kernels,
  normalizeDim,
  sameShape,
  shapeFromArgs,
  type NestedArray,
  type ShapeArgs,
} from "@tapegrad/tensor";
import { AutogradError } from "./errors.js";
import { runBackward, seedGradient, type BackwardOptions } from "./engine.js";
import { isGradEnabled } from "./modes.js";
import type { GradHook, Node } from "./node.js";
import * as arithmetic from "./ops/arithmetic.js";
import * as compare from "./ops/compare.js";
import { matmul } from "./ops/matmul.js";
import { toTensor, type Operand } from "./ops/operand.js";
import * as reduce from "./ops/reduce.js";
import * as shapeOps from "./ops/shape.js";
import * as unary from "./ops/unary.js";

/** Options accepted by every tensor factory. */
export interface TensorOptions {
  /** Record ops on this tensor so `backward()` can compute its gradient. */
  requiresGrad?: boolean;
}

/**
 * An n-dimensional float64 array that records the ops applied to it. Leaves created with
 * `{ requiresGrad: true }` receive gradients in `.grad` when `backward()` runs on a result.
 */
export class Tensor {
  /** The values: a strided NDArray, possibly a view shared with other tensors. */
  readonly array: NDArray;
  private requires: boolean;
  private gradient: Tensor | null = null;
  private node: Node | null = null;
  /** @internal Hooks of a leaf, run by the engine on its summed gradient before accumulation. */
  leafHooks: GradHook[] | null = null;

  /** Wraps an NDArray without copying. */
  constructor(array: NDArray, options: TensorOptions = {}) {
    if (!(array instanceof NDArray)) throw new DataError("Tensor: expected an NDArray; use tensor(data) to build one from numbers");
    this.array = array;
    this.requires = options.requiresGrad === true;
  }

  /** Size of each dimension. */
  get shape(): readonly number[] {
    return this.array.shape;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.array.ndim;
  }
  /** Number of elements. */
  get size(): number {
    return this.array.size;
  }

  /** Whether gradients flow to or through this tensor. */
  get requiresGrad(): boolean {
    return this.requires;
  }
  /** @throws AutogradError when changed on a tensor that an op produced (only leaves may change). */
  set requiresGrad(value: boolean) {
    if (this.node !== null && value !== this.requires) {
      throw new AutogradError("requiresGrad: only leaf tensors can change requiresGrad; use detach() to get a leaf");
    }
    this.requires = value === true;
  }

  /** Sets requiresGrad in place and returns this tensor, for chaining. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /**
   * The accumulated gradient of a leaf after backward; null until then. A non-leaf has one
   * only after `retainGrad()`: reading it otherwise warns once, as PyTorch does, because a
   * null there usually means a manual update turned a parameter into a non-leaf.
   */
  get grad(): Tensor | null {
    if (this.gradient === null && this.node !== null && this.node.retains?.deref() !== this) warnNonLeafGrad(this);
    return this.gradient;
  }
  /** @throws AutogradError when the new gradient's shape differs from this tensor's. */
  set grad(value: Tensor | null) {
    if (value !== null && (!(value instanceof Tensor) || !sameShape(value.shape, this.shape))) {
      const got = value instanceof Tensor ? formatShape(value.shape) : typeof value;
      throw new AutogradError(`grad: assigned gradient has shape ${got} but the tensor has shape ${formatShape(this.shape)}`);
    }
    this.gradient = value;
  }

  /** The node of the op that made this tensor; null for leaves. */
  get gradFn(): Node | null {
    return this.node;
  }
  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.node === null;
  }
  /**
   * Counts in-place changes to this tensor's memory (through any view of it), so backward
   * can refuse gradients computed from stale values.
   */
  get version(): number {
    return this.array.storage.version;
  }

  /** @internal Links a freshly made output to the node that produced it. */
  attach(node: Node): void {
    this.node = node;
    this.requires = true;
  }

  /** @internal Marks an in-place change. */
  bumpVersion(): void {
    this.array.storage.version++;
  }

  /**
   * Registers a hook that sees this tensor's gradient during every backward (summed over
   * all its uses) and may return a replacement of the same shape, as torch.Tensor.register_hook.
   * On a leaf it runs before the gradient is accumulated into `.grad`.
   * @returns a handle whose `remove()` unregisters the hook.
   * @throws AutogradError on a tensor that does not require grad.
   */
  registerHook(hook: GradHook): { remove(): void } {
    if (typeof hook !== "function") throw new AutogradError("registerHook: expected a function (grad) => Tensor | void");
    if (!this.requires) {
      throw new AutogradError(`registerHook: cannot register a hook on a tensor of shape ${formatShape(this.shape)} that does not require grad`);
    }
    const list = this.node ? (this.node.hooks ??= []) : (this.leafHooks ??= []);
    list.push(hook);
    return {
      remove: () => {
        const at = list.indexOf(hook);
        if (at >= 0) list.splice(at, 1);
      },
    };
  }

  /**
   * Keeps this non-leaf's gradient in `.grad` after backward (accumulating across
   * backwards), as torch.Tensor.retain_grad. A no-op on leaves, which keep theirs anyway.
   * @throws AutogradError on a tensor that does not require grad.
   */
  retainGrad(): void {
    if (!this.requires) throw new AutogradError(`retainGrad: the tensor of shape ${formatShape(this.shape)} does not require grad`);
    if (this.node) this.node.retains = new WeakRef(this);
  }

  /** True for a non-leaf that called `retainGrad()`. */
  get retainsGrad(): boolean {
    return this.node !== null && this.node.retains?.deref() === this;
  }

  /**
   * Computes gradients of this tensor with respect to every leaf that requires grad and
   * adds them into their `.grad`. `grad` is d(loss)/d(this); it may be omitted only for
   * one-element tensors.
   * @throws AutogradError when this tensor does not require grad, when grad is missing or
   * of the wrong shape, or when the graph was freed by an earlier backward.
   */
  backward(grad?: Tensor, options: BackwardOptions = {}): void {
    const seed = seedGradient(this, grad, "backward");
    runBackward([this], [seed], options);
  }

  /** Nested arrays of the values (a number for a 0-d tensor). */
  toArray(): NestedArray {
    return this.array.toArray();
  }
  /** The values in row-major order (a fresh copy). */
  toFloat64Array(): Float64Array {
    return this.array.values().slice();
  }
  /**
   * The value of a one-element tensor.
   * @throws ShapeError when the tensor has more than one element.
   */
  item(): number {
    return this.array.item();
  }
  /** The same values (shared memory) cut from the graph: a leaf that requires no grad. */
  detach(): Tensor {
    return new Tensor(this.array);
  }
  /** A copy with its own memory; gradients flow back through it. */
  clone(): Tensor {
    return shapeOps.clone([this], undefined);
  }
  /** This tensor if its memory is contiguous, else a contiguous copy (gradients flow through). */
  contiguous(): Tensor {
    return this.array.isContiguous() ? this : this.clone();
  }

  /** this + other, broadcasting. */
  add(other: Operand): Tensor {
    return arithmetic.add([this, toTensor(other, "add")], undefined);
  }
  /** this − other, broadcasting. */
  sub(other: Operand): Tensor {
    return arithmetic.sub([this, toTensor(other, "sub")], undefined);
  }
  /** this · other elementwise, broadcasting. */
  mul(other: Operand): Tensor {
    return arithmetic.mul([this, toTensor(other, "mul")], undefined);
  }
  /** this / other elementwise, broadcasting. */
  div(other: Operand): Tensor {
    return arithmetic.div([this, toTensor(other, "div")], undefined);
  }
  /** Elementwise maximum, broadcasting; ties split the gradient. */
  maximum(other: Operand): Tensor {
    return arithmetic.maximum([this, toTensor(other, "maximum")], undefined);
  }
  /** Elementwise minimum, broadcasting; ties split the gradient. */
  minimum(other: Operand): Tensor {
    return arithmetic.minimum([this, toTensor(other, "minimum")], undefined);
  }
  /**
   * Elementwise power with a number exponent.
   * @throws DataError when the exponent is not a number.
   */
  pow(exponent: number): Tensor {
    if (typeof exponent !== "number") throw new DataError(`pow: exponent must be a number, got ${typeof exponent}`);
    return arithmetic.pow([this], exponent);
  }
  /** Elementwise: this where condition ≠ 0, else other (condition gets no gradient). */
  where(condition: Operand, other: Operand): Tensor {
    return arithmetic.where([toTensor(condition, "where"), this, toTensor(other, "where")], undefined);
  }

  /** −this. */
  neg(): Tensor {
    return unary.neg([this], undefined);
  }
  /** eˣ. */
  exp(): Tensor {
    return unary.exp([this], undefined);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return unary.log([this], undefined);
  }
  /** ln(1 + x), accurate near 0. */
  log1p(): Tensor {
    return unary.log1p([this], undefined);
  }
  /** Square root. */
  sqrt(): Tensor {
    return unary.sqrt([this], undefined);
  }
  /** |x|. */
  abs(): Tensor {
    return unary.abs([this], undefined);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return unary.tanh([this], undefined);
  }
  /** Logistic function, finite for any input. */
  sigmoid(): Tensor {
    return unary.sigmoid([this], undefined);
  }
  /** max(x, 0). */
  relu(): Tensor {
    return unary.relu([this], undefined);
  }
  /** Sine. */
  sin(): Tensor {
    return unary.sin([this], undefined);
  }
  /** Cosine. */
  cos(): Tensor {
    return unary.cos([this], undefined);
  }
  /** x². */
  square(): Tensor {
    return this.pow(2);
  }
  /**
   * Clamps into [min, max]; either bound may be omitted (undefined).
   * @throws DataError when both are omitted or a bound is not a number.
   */
  clamp(min?: number, max?: number): Tensor {
    if (min === undefined && max === undefined) throw new DataError("clamp: at least one of min and max must be given");
    for (const bound of [min, max]) {
      if (bound !== undefined && typeof bound !== "number") throw new DataError(`clamp: bounds must be numbers, got ${typeof bound}`);
    }
    return unary.clamp([this], { min, max });
  }

  /**
   * Matrix product with PyTorch's rules for 1-D and batched operands:
   * `[m,k] @ [k,n] → [m,n]`, `[…,m,k] @ […,k,n] → […,m,n]`.
   * @throws ShapeError when inner sizes differ or batch shapes do not broadcast.
   */
  matmul(other: Tensor): Tensor {
    return matmul([this, toTensor(other, "matmul")], undefined);
  }
  /** Transpose of a 2-D tensor (≤ 2-D tensors are returned as they are for 0/1-D). */
  t(): Tensor {
    if (this.ndim > 2) throw new AutogradError(`t: expects a tensor with at most 2 dimensions, got ${formatShape(this.shape)}; use transpose`);
    // A fresh view even when nothing moves, so a hook on the result never lands on this tensor.
    return this.ndim < 2 ? shapeOps.permute([this], this.shape.map((_, i) => i)) : this.transpose(0, 1);
  }

  /** Sum over `dim` (all dimensions by default). */
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce.sum([this], reduce.reduceParams(dim, keepdim, this.ndim, "sum"));
  }
  /** Mean over `dim` (all dimensions by default). */
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce.mean([this], reduce.reduceParams(dim, keepdim, this.ndim, "mean"));
  }
  /**
   * Largest value over `dim` (all by default); ties share the gradient.
   * @throws ShapeError when a reduced dimension is empty.
   */
  max(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce.max([this], reduce.reduceParams(dim, keepdim, this.ndim, "max"));
  }
  /** Smallest value over `dim` (all by default), as −max(−x). */
  min(dim?: number | readonly number[], keepdim = false): Tensor {
    return this.neg().max(dim, keepdim).neg();
  }
  /** log Σ exp over `dim` (all by default), stable for large values. */
  logsumexp(dim?: number | readonly number[], keepdim = false): Tensor {
    return reduce.logsumexp([this], reduce.reduceParams(dim, keepdim, this.ndim, "logsumexp"));
  }
  /** log softmax along `dim`: x − logsumexp(x), stable for logits of ±1000. */
  logSoftmax(dim: number): Tensor {
    normalizeDim(dim, this.ndim, "logSoftmax");
    return this.sub(this.logsumexp(dim, true));
  }
  /** softmax along `dim`, computed as exp(logSoftmax) so it never overflows. */
  softmax(dim: number): Tensor {
    normalizeDim(dim, this.ndim, "softmax");
    return this.logSoftmax(dim).exp();
  }
  /** Index of the largest value along `dim` (of the flattened tensor when omitted); no gradient. */
  argmax(dim?: number, keepdim = false): Tensor {
    return compare.argmax([this], { dim, keepdim });
  }
  /** Index of the smallest value along `dim` (of the flattened tensor when omitted); no gradient. */
  argmin(dim?: number, keepdim = false): Tensor {
    return compare.argmin([this], { dim, keepdim });
  }

  /**
   * The same elements in a new shape; one size may be -1. A view when the layout allows.
   * @throws ShapeError when the element counts differ.
   */
  reshape(...shape: ShapeArgs): Tensor {
    return shapeOps.reshape([this], shapeFromArgs(shape));
  }
  /** Alias of reshape, for PyTorch users. */
  view(...shape: ShapeArgs): Tensor {
    return this.reshape(...shape);
  }
  /** Swaps two dimensions (a view). */
  transpose(dim0: number, dim1: number): Tensor {
    const a = normalizeDim(dim0, this.ndim, "transpose");
    const b = normalizeDim(dim1, this.ndim, "transpose");
    return shapeOps.transpose([this], [a, b]);
  }
  /**
   * Reorders dimensions (a view).
   * @throws ShapeError unless dims is a permutation of the dimensions.
   */
  permute(...dims: ShapeArgs): Tensor {
    const order = shapeFromArgs(dims);
    this.array.permute(order);
    return shapeOps.permute([this], order.map((d) => normalizeDim(d, this.ndim, "permute")));
  }
  /** Inserts a size-1 dimension at `dim` (a view). */
  unsqueeze(dim: number): Tensor {
    const d = normalizeDim(dim, this.ndim + 1, "unsqueeze");
    return this.reshape([...this.shape.slice(0, d), 1, ...this.shape.slice(d)]);
  }
  /** Removes size-1 dimensions: all, or those listed (a view). */
  squeeze(dim?: number | readonly number[]): Tensor {
    return this.reshape(this.array.squeeze(dim).shape);
  }
  /**
   * Broadcasts to a larger shape (a view with stride 0); -1 keeps a size.
   * @throws ShapeError when a size other than 1 would change.
   */
  expand(...shape: ShapeArgs): Tensor {
    const target = this.array.expand(shapeFromArgs(shape)).shape;
    return shapeOps.expand([this], target);
  }
  /** Broadcasts to another tensor's shape. */
  expandAs(other: Tensor): Tensor {
    return this.expand(other.shape);
  }
  /** Merges dimensions startDim…endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return this.reshape(this.array.flatten(startDim, endDim).shape);
  }
  /**
   * Elements start … start+length−1 along dim (a view).
   * @throws ShapeError when the range leaves the dimension.
   */
  narrow(dim: number, start: number, length: number): Tensor {
    const d = normalizeDim(dim, this.ndim, "narrow");
    this.array.narrow(d, start, length);
    const s = start < 0 ? start + this.shape[d]! : start;
    return shapeOps.narrow([this], { dim: d, start: s, length });
  }

  /** 1 where this > other, else 0; no gradient. */
  gt(other: Operand): Tensor {
    return compare.gt([this, toTensor(other, "gt")], undefined);
  }
  /** 1 where this < other, else 0; no gradient. */
  lt(other: Operand): Tensor {
    return compare.lt([this, toTensor(other, "lt")], undefined);
  }
  /** 1 where this ≥ other, else 0; no gradient. */
  ge(other: Operand): Tensor {
    return compare.ge([this, toTensor(other, "ge")], undefined);
  }
  /** 1 where this ≤ other, else 0; no gradient. */
  le(other: Operand): Tensor {
    return compare.le([this, toTensor(other, "le")], undefined);
  }
  /** 1 where this = other, else 0; no gradient. */
  eq(other: Operand): Tensor {
    return compare.eq([this, toTensor(other, "eq")], undefined);
  }
  /** 1 where this ≠ other, else 0; no gradient. */
  ne(other: Operand): Tensor {
    return compare.ne([this, toTensor(other, "ne")], undefined);
  }

  /**
   * @internal Guards in-place writes: the autograd tape cannot see them, and a write
   * through a broadcast view would hit one element many times.
   */
  private checkInPlace(op: string): void {
    if (isGradEnabled() && this.requires) {
      throw new AutogradError(
        `${op}: in-place change of a tensor that requires grad would bypass the tape; do it inside noGrad(() => …)`,
      );
    }
    if (this.array.strides.some((s, i) => s === 0 && this.array.shape[i]! > 1)) {
      throw new AutogradError(`${op}: cannot write in place to a broadcast (expanded) view of shape ${formatShape(this.shape)}`);
    }
  }

  private writeInPlace(op: string, values: NDArray): this {
    this.checkInPlace(op);
    if (!sameShape(values.shape, this.shape)) {
      throw new AutogradError(`${op}: result of shape ${formatShape(values.shape)} does not fit in place into ${formatShape(this.shape)}`);
    }
    kernels.writeInto(this.array, values);
    this.bumpVersion();
    return this;
  }

  /** In place: this += other (times alpha). Returns this. */
  add_(other: Operand, alpha = 1): this {
    const o = toTensor(other, "add_").array;
    return this.writeInPlace("add_", kernels.add(this.array, alpha === 1 ? o : kernels.mul(o, kernels.scalar(alpha))));
  }
  /** In place: this −= other (times alpha). Returns this. */
  sub_(other: Operand, alpha = 1): this {
    return this.add_(other instanceof Tensor ? other : toTensor(other, "sub_"), -alpha);
  }
  /** In place: this ·= other. Returns this. */
  mul_(other: Operand): this {
    return this.writeInPlace("mul_", kernels.mul(this.array, toTensor(other, "mul_").array));
  }
  /** In place: this /= other. Returns this. */
  div_(other: Operand): this {
    return this.writeInPlace("div_", kernels.div(this.array, toTensor(other, "div_").array));
  }
  /** In place: copies other's values (broadcast) into this. Returns this. */
  copy_(other: Operand): this {
    const o = toTensor(other, "copy_").array;
    return this.writeInPlace("copy_", o.broadcastTo(this.shape));
  }
  /** In place: sets every element to value. Returns this. */
  fill_(value: number): this {
    return this.writeInPlace("fill_", NDArray.full(this.shape, value));
  }
  /** In place: sets every element to 0. Returns this. */
  zero_(): this {
    return this.fill_(0);
  }

  /** Shape and values, for logs. */
  toString(): string {
    const grad = this.node ? `, gradFn=${this.node.name}` : this.requires ? ", requiresGrad=true" : "";
    return `Tensor(${JSON.stringify(this.toArray())}, shape=${formatShape(this.shape)}${grad})`;
  }
}

let warnedNonLeafGrad = false;

/** Warns once per process, as PyTorch does, that a non-leaf's `.grad` stays null. */
function warnNonLeafGrad(t: Tensor): void {
  if (warnedNonLeafGrad) return;
  warnedNonLeafGrad = true;
  console.warn(
    `tapegrad: reading .grad of a non-leaf tensor (shape ${formatShape(t.shape)}, made by ${t.gradFn!.name}): it stays null, ` +
      "because backward fills .grad of leaves only. Call retainGrad() on it before backward to keep its gradient; " +
      "if it is a parameter updated by hand (w = w.sub(...)), update it in place inside noGrad (w.sub_(...)) so it stays a leaf",
  );
}
