import { DataError, NDArray, ShapeError, formatShape, kernels, normalizeDim, sameShape } from "@tapegrad/tensor";
import { AutogradError } from "../errors.js";
import { isGradEnabled } from "../modes.js";
import { Tensor } from "../tensor.js";
import { checkTensor } from "./indexing.js";
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
  /**
   * In place, as torch.Tensor.index_copy_: copies the rows of src into the rows a 1-D (or
   * 0-d) index picks along `dim` (src is `[a, k, b]` for this `[a, n, b]` and `[k]`
   * indices); with repeated indices the last row wins. Checks everything before writing
   * anything. Returns this.
   * @throws AutogradError on a tensor (or a src) that requires grad while grad mode is on,
   * or a broadcast view; ShapeError for mismatched shapes; DataError for an index that is not an
   * integer in [0, n).
   */
  indexCopy_(dim: number, index: Tensor, src: Tensor): this;
  /**
   * In place, as torch.Tensor.masked_fill_: value where the 0/1 mask (which broadcasts to
   * this tensor's shape) is 1. Checks the mask before writing anything. Returns this.
   * @throws AutogradError on a tensor (or a tensor value) that requires grad while grad mode
   * is on, or a broadcast view; DataError when the mask holds anything but 0 and 1; ShapeError when it
   * does not broadcast to this tensor's shape.
   */
  maskedFill_(mask: Tensor, value: number | Tensor): this;
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


/** A source that needs a gradient would lose it silently: the tape does not see in-place writes. */
function refuseRecordedSource(source: Tensor, op: string, name: string): void {
  if (isGradEnabled() && source.requiresGrad) {
    throw new AutogradError(`${op}: ${name} requires grad, but an in-place write is not recorded; use the out-of-place op or detach() it`);
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
  // A source sharing this memory (x.narrow(0, 1, n).copy_(x.narrow(0, 0, n))) is read whole before
  // anything is written; PyTorch refuses a partial overlap instead.
  return writeInPlace(this, "copy_", (o.storage === this.array.storage ? o.clone() : o).broadcastTo(this.shape));
};

Tensor.prototype.fill_ = function <T extends Tensor>(this: T, value: number): T {
  return writeInPlace(this, "fill_", NDArray.full(this.shape, value));
};

Tensor.prototype.zero_ = function <T extends Tensor>(this: T): T {
  return this.fill_(0);
};

Tensor.prototype.indexCopy_ = function <T extends Tensor>(this: T, dim: number, index: Tensor, src: Tensor): T {
  checkInPlace(this, "indexCopy_");
  const i = checkTensor("indexCopy_", "index", index);
  const source = checkTensor("indexCopy_", "src", src);
  refuseRecordedSource(source, "indexCopy_", "src");
  kernels.indexCopyInto(this.array, normalizeDim(dim, this.ndim, "indexCopy_"), i.array, source.array);
  this.bumpVersion();
  return this;
};

Tensor.prototype.maskedFill_ = function <T extends Tensor>(this: T, mask: Tensor, value: number | Tensor): T {
  checkInPlace(this, "maskedFill_");
  const m = checkTensor("maskedFill_", "mask", mask);
  if (value instanceof Tensor && value.ndim !== 0) throw new ShapeError(`maskedFill_: a tensor value must be 0-d, got shape ${formatShape(value.shape)}`);
  if (value instanceof Tensor) refuseRecordedSource(value, "maskedFill_", "value");
  const fill = value instanceof Tensor ? value.item() : value;
  if (typeof fill !== "number") throw new DataError(`maskedFill_: value must be a number or a 0-d Tensor, got ${fill === null ? "null" : typeof fill}`);
  kernels.maskedFillInto(this.array, m.array, fill);
  this.bumpVersion();
  return this;
};
