import { resolveReshape } from "@tapegrad/tensor";
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
