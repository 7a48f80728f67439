import { NDArray, formatShape, kernels, sameShape } from "@tapegrad/tensor";
import { AutogradError } from "../errors.js";
import { isGradEnabled } from "../modes.js";
import { Tensor } from "../tensor.js";
import { toTensor, type Operand } from "./operand.js";

// In-place writes are not ops: the tape cannot record them, so they are refused while a
// tensor that requires grad is being recorded, and they bump the Storage's version
// counter so that a graph which saved the old values refuses to run.

/** The inplace methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface InPlaceMethods {
  /** In place: this += other (times alpha). Returns this. */
  add_(other: Operand, alpha?: number): this;
  /** In place: this −= other (times alpha). Returns this. */
  sub_(other: Operand, alpha?: number): this;
  /** In place: this ·= other. Returns this. */
  mul_(other: Operand): this;
  /** In place: this /= other. Returns this. */
  div_(other: Operand): this;
  /** In place: copies other's values (broadcast) into this. Returns this. */
  copy_(other: Operand): this;
  /** In place: sets every element to value. Returns this. */
  fill_(value: number): this;
  /** In place: sets every element to 0. Returns this. */
  zero_(): this;
}

/**
 * @internal Guards in-place writes: the autograd tape cannot see them, and a write
 * through a broadcast view would hit one element many times.
 */
function checkInPlace<T extends Tensor>(t: T, op: string): void {
  if (isGradEnabled() && t.requiresGrad) {
    throw new AutogradError(
      `${op}: in-place change of a tensor that requires grad would bypass the tape; do it inside noGrad(() => …)`,
    );
  }
  if (t.array.strides.some((s, i) => s === 0 && t.array.shape[i]! > 1)) {
    throw new AutogradError(`${op}: cannot write in place to a broadcast (expanded) view of shape ${formatShape(t.shape)}`);
  }
}


function writeInPlace<T extends Tensor>(t: T, op: string, values: NDArray): T {
  checkInPlace(t, op);
  if (!sameShape(values.shape, t.shape)) {
    throw new AutogradError(`${op}: result of shape ${formatShape(values.shape)} does not fit in place into ${formatShape(t.shape)}`);
  }
  kernels.writeInto(t.array, values);
  t.bumpVersion();
  return t;
}

Tensor.prototype.add_ = function <T extends Tensor>(this: T, other: Operand, alpha: number = 1): T {
  const o = toTensor(other, "add_").array;
  return writeInPlace(this, "add_", kernels.add(this.array, alpha === 1 ? o : kernels.mul(o, kernels.scalar(alpha))));
};

Tensor.prototype.sub_ = function <T extends Tensor>(this: T, other: Operand, alpha: number = 1): T {
  return this.add_(other instanceof Tensor ? other : toTensor(other, "sub_"), -alpha);
};

Tensor.prototype.mul_ = function <T extends Tensor>(this: T, other: Operand): T {
  return writeInPlace(this, "mul_", kernels.mul(this.array, toTensor(other, "mul_").array));
};

Tensor.prototype.div_ = function <T extends Tensor>(this: T, other: Operand): T {
  return writeInPlace(this, "div_", kernels.div(this.array, toTensor(other, "div_").array));
};

Tensor.prototype.copy_ = function <T extends Tensor>(this: T, other: Operand): T {
  const o = toTensor(other, "copy_").array;
  return writeInPlace(this, "copy_", o.broadcastTo(this.shape));
};

Tensor.prototype.fill_ = function <T extends Tensor>(this: T, value: number): T {
  return writeInPlace(this, "fill_", NDArray.full(this.shape, value));
};

Tensor.prototype.zero_ = function <T extends Tensor>(this: T): T {
  return this.fill_(0);
};
