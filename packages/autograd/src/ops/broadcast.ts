import { kernels } from "@tapegrad/tensor";
import { defineOp } from "../op.js";

/** Sums a broadcast gradient back to `shape`; the engine's one reduction mechanism. */
export const sumTo = defineOp<readonly number[]>({
  name: "sumTo",
  rule: "∂x = expand(g, shape(x))",
  save: () => ({}),
  forward: ([x], shape) => kernels.sumToShape(x!, shape),
  vjp: (g, { inputShapes }) => [g.expand(inputShapes[0]!)],
});
