import { ShapeError, formatShape, normalizeDim, resolveReshape, shapeFromArgs, viewStrides, type ShapeArgs } from "@tapegrad/tensor";
import { AutogradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { defineOp } from "../op.js";
import { zeros } from "../creation.js";
import { cat } from "./join.js";
import { sumTo } from "./broadcast.js";

// Shape ops return views of their input's memory; their VJPs route the gradient back
// through the inverse view and read nothing but shapes.

/** The same elements in a new shape (a view when the layout allows). */
export const reshape = defineOp<readonly number[]>({
  name: "reshape",
  rule: "∂x = reshape(g, shape(x))",
  save: () => ({}),
  forward: ([x], shape) => x!.reshape(resolveReshape(x!.size, shape as number[], x!.shape)),
  vjp: (g, { inputShapes }) => [g.reshape(inputShapes[0]!)],
});

/** Dimensions reordered: result dim i is input dim order[i]. */
export const permute = defineOp<readonly number[]>({
  name: "permute",
  rule: "∂x = permute(g, order⁻¹)",
  save: () => ({}),
  view: true,
  forward: ([x], order) => x!.permute(order),
  vjp: (g, { params: order }) => {
    const inverse = new Array<number>(order.length);
    order.forEach((d, i) => (inverse[(d + order.length) % order.length] = i));
    return [g.permute(inverse)];
  },
});

/** Two dimensions swapped (a view); the most common permutation gets its own name in traces. */
export const transpose = defineOp<readonly [number, number]>({
  name: "transpose",
  rule: "∂x = transpose(g)",
  save: () => ({}),
  view: true,
  forward: ([x], [d0, d1]) => x!.transpose(d0, d1),
  vjp: (g, { params: [d0, d1] }) => [g.transpose(d0, d1)],
});

/** Broadcast to a larger shape (stride-0 view). */
export const expand = defineOp<readonly number[]>({
  name: "expand",
  rule: "∂x = sum of g over the broadcast dimensions",
  save: () => ({}),
  view: true,
  forward: ([x], shape) => x!.expand(shape),
  vjp: (g, { inputShapes }) => [sumTo([g], inputShapes[0]!)],
});

/** Parameters of narrow: the dimension and start (both normalized, non-negative) and the length. */
export interface NarrowParams {
  readonly dim: number;
  readonly start: number;
  readonly length: number;
}

/** Elements start … start+length−1 along dim (a view). */
export const narrow = defineOp<NarrowParams>({
  name: "narrow",
  rule: "∂x = g placed at [start, start+length) along dim, zeros elsewhere",
  save: () => ({}),
  view: true,
  forward: ([x], { dim, start, length }) => x!.narrow(dim, start, length),
  vjp: (g, { inputShapes: [shape], params: { dim, start, length } }) => {
    const before = shape!.map((d, i) => (i === dim ? start : d));
    const after = shape!.map((d, i) => (i === dim ? d - start - length : d));
    return [cat([zeros(before), g, zeros(after)], dim)];
  },
});

/** A contiguous copy that owns its memory. */
export const clone = defineOp({
  name: "clone",
  rule: "∂x = g",
  save: () => ({}),
  forward: ([x]) => x!.clone(),
  vjp: (g) => [g],
});

/** The shape methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface ShapeMethods {
  /** A copy with its own memory; gradients flow back through it. */
  clone(): Tensor;
  /** This tensor if its memory is contiguous, else a contiguous copy (gradients flow through). */
  contiguous(): Tensor;
  /** Transpose of a 2-D tensor (≤ 2-D tensors are returned as they are for 0/1-D). */
  t(): Tensor;
  /**
   * The same elements in a new shape; one size may be -1. A view when the layout allows.
   * @throws ShapeError when the element counts differ.
   */
  reshape(...shape: ShapeArgs): Tensor;
  /**
   * The same memory seen in a new shape, as torch.Tensor.view: never copies.
   * @throws ShapeError when the layout cannot be viewed so (after a transpose, say): use
   * reshape, which copies when it must, or contiguous() first.
   */
  view(...shape: ShapeArgs): Tensor;
  /** Swaps two dimensions (a view). */
  transpose(dim0: number, dim1: number): Tensor;
  /**
   * Reorders dimensions (a view).
   * @throws ShapeError unless dims is a permutation of the dimensions.
   */
  permute(...dims: ShapeArgs): Tensor;
  /** Inserts a size-1 dimension at `dim` (a view). */
  unsqueeze(dim: number): Tensor;
  /** Removes size-1 dimensions: all, or those listed (a view). */
  squeeze(dim?: number | readonly number[]): Tensor;
  /**
   * Broadcasts to a larger shape (a view with stride 0); -1 keeps a size.
   * @throws ShapeError when a size other than 1 would change.
   */
  expand(...shape: ShapeArgs): Tensor;
  /** Broadcasts to another tensor's shape. */
  expandAs(other: Tensor): Tensor;
  /** Merges dimensions startDim…endDim into one. */
  flatten(startDim?: number, endDim?: number): Tensor;
  /**
   * Elements start … start+length−1 along dim (a view).
   * @throws ShapeError when the range leaves the dimension.
   */
  narrow(dim: number, start: number, length: number): Tensor;
}

Tensor.prototype.clone = function (this: Tensor): Tensor {
  return clone([this], undefined);
};

Tensor.prototype.contiguous = function (this: Tensor): Tensor {
  return this.array.isContiguous() ? this : this.clone();
};

Tensor.prototype.t = function (this: Tensor): Tensor {
  if (this.ndim > 2) throw new AutogradError(`t: expects a tensor with at most 2 dimensions, got ${formatShape(this.shape)}; use transpose`);
  // A fresh view even when nothing moves, so a hook on the result never lands on this tensor.
  return this.ndim < 2 ? permute([this], this.shape.map((_, i) => i)) : this.transpose(0, 1);
};

Tensor.prototype.reshape = function (this: Tensor, ...shape: ShapeArgs): Tensor {
  return reshape([this], shapeFromArgs(shape));
};

Tensor.prototype.view = function (this: Tensor, ...shape: ShapeArgs): Tensor {
  // A silent copy here would lose every write made through the "view", so refuse as PyTorch does.
  const target = resolveReshape(this.size, shapeFromArgs(shape) as number[], this.shape, "view");
  if (viewStrides(this.shape, this.array.strides, target) === null) {
    throw new ShapeError(
      `view: a tensor of shape ${formatShape(this.shape)} with strides [${this.array.strides.join(",")}] cannot be viewed as ${formatShape(target)} ` +
        "without copying; use reshape(...), which copies when it must, or call contiguous() first",
    );
  }
  return this.reshape(target);
};

Tensor.prototype.transpose = function (this: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, this.ndim, "transpose");
  const b = normalizeDim(dim1, this.ndim, "transpose");
  return transpose([this], [a, b]);
};

Tensor.prototype.permute = function (this: Tensor, ...dims: ShapeArgs): Tensor {
  const order = shapeFromArgs(dims);
  this.array.permute(order);
  return permute([this], order.map((d) => normalizeDim(d, this.ndim, "permute")));
};

Tensor.prototype.unsqueeze = function (this: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, this.ndim + 1, "unsqueeze");
  return this.reshape([...this.shape.slice(0, d), 1, ...this.shape.slice(d)]);
};

Tensor.prototype.squeeze = function (this: Tensor, dim?: number | readonly number[]): Tensor {
  return this.reshape(this.array.squeeze(dim).shape);
};

Tensor.prototype.expand = function (this: Tensor, ...shape: ShapeArgs): Tensor {
  const target = this.array.expand(shapeFromArgs(shape)).shape;
  return expand([this], target);
};

Tensor.prototype.expandAs = function (this: Tensor, other: Tensor): Tensor {
  return this.expand(other.shape);
};

Tensor.prototype.flatten = function (this: Tensor, startDim: number = 0, endDim: number = -1): Tensor {
  return this.reshape(this.array.flatten(startDim, endDim).shape);
};

Tensor.prototype.narrow = function (this: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, this.ndim, "narrow");
  this.array.narrow(d, start, length);
  const s = start < 0 ? start + this.shape[d]! : start;
  return narrow([this], { dim: d, start: s, length });
};
