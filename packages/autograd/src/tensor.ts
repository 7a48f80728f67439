import { DataError, NDArray, checkBoolean, formatShape, sameShape, type NestedArray } from "@tapegrad/tensor";
import { AutogradError } from "./errors.js";
import { runBackward, seedGradient, type BackwardOptions } from "./engine.js";
import type { GradHook, Node } from "./node.js";
import type { ArithmeticMethods } from "./ops/arithmetic.js";
import type { CompareMethods } from "./ops/compare.js";
import type { InPlaceMethods } from "./ops/inplace.js";
import type { MatmulMethods } from "./ops/matmul.js";
import type { ReduceMethods } from "./ops/reduce.js";
import type { ShapeMethods } from "./ops/shape.js";
import type { UnaryMethods } from "./ops/unary.js";
import type { IndexingMethods } from "./ops/indexing.js";
import type { SortingMethods } from "./ops/sorting.js";
import type { StatisticsMethods } from "./ops/statistics.js";
import type { ActivationMethods } from "./ops/activations.js";
import type { SplitMethods } from "./ops/split.js";

/** Options accepted by every tensor factory. */
export interface TensorOptions {
  /** Record ops on this tensor so `backward()` can compute its gradient. */
  requiresGrad?: boolean;
}

// The op methods (add, sum, reshape, …) are declared here and installed on the prototype
// by their families in ops/, beside the ops they call: this file imports no op, so there
// is no import cycle to evaluate in the wrong order, and `gather` sits beside its VJP.
export interface Tensor
  extends ArithmeticMethods,
    UnaryMethods,
    MatmulMethods,
    ReduceMethods,
    CompareMethods,
    ShapeMethods,
    InPlaceMethods,
    IndexingMethods,
    SortingMethods,
    StatisticsMethods,
    ActivationMethods,
    SplitMethods {}

/**
 * An n-dimensional float64 array that records the ops applied to it. Leaves created with
 * `{ requiresGrad: true }` receive gradients in `.grad` when `backward()` runs on a result.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
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
    this.requires = options.requiresGrad === undefined ? false : checkBoolean("Tensor", "requiresGrad", options.requiresGrad, false);
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
    this.requires = checkBoolean("requiresGrad", "the value", value, false);
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
