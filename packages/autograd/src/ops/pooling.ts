import { NDArray, kernels } from "@tapegrad/tensor";
import { defineOp, type Op } from "../op.js";
import { isGradEnabled } from "../modes.js";
import { Tensor } from "../tensor.js";
import type { SlidingWindow } from "./conv.js";
import { scatterAdd } from "./indexing.js";
import { constant } from "./operand.js";

// The pooling ops on [N, C, H, W]. Max-pooling keeps the position of each window's maximum
// (ForwardContext.keep) and sends the gradient there with scatterAdd, whose own VJP (a
// gather at the same positions) gives second derivatives. Average pooling and its backward
// are each other's adjoint, like unfold and fold.

/** Average pooling's parameters: the window and how each window's sum is divided. */
export interface AvgPoolParams extends SlidingWindow, kernels.AvgPoolOptions {}

/** avgPool2dBackward's parameters: average pooling's, and the input's spatial size [H, W]. */
export interface AvgPoolBackwardParams extends AvgPoolParams {
  readonly inputSize: readonly [number, number];
}

/** The maximum of each window: `[N, C, H, W] → [N, C, oH, oW]`. */
export const maxPool2dOp: Op<SlidingWindow> = defineOp<SlidingWindow>({
  name: "maxPool2d",
  rule: "∂x = g added at each window's argmax (the first, on ties)",
  save: () => ({}),
  forward: ([x], window, context) => {
    const { values, indices } = kernels.maxPool2d(x!, window);
    if (context.recording) context.keep(indices);
    return values;
  },
  vjp: (g, { kept, inputShapes: [shape] }) => {
    const [n, c, h, w] = shape as [number, number, number, number];
    // Unrecorded (no createGraph), one kernel pass over positions maxPool2d made; recorded,
    // scatterAdd, whose own VJP gives the second derivative. The same sums in the same order.
    if (!isGradEnabled()) return [new Tensor(kernels.maxPool2dBackward(g.array, kept as NDArray, [h, w]))];
    const positions = g.shape[2]! * g.shape[3]!;
    const index = constant((kept as NDArray).reshape([n, c, positions]));
    const zeros = constant(kernels.scalar(0).expand([n, c, h * w]));
    return [scatterAdd([zeros, index, g.reshape(n, c, positions)], 2).reshape(n, c, h, w)];
  },
});

/** The mean of each window: `[N, C, H, W] → [N, C, oH, oW]`. */
export const avgPool2dOp: Op<AvgPoolParams> = defineOp<AvgPoolParams>({
  name: "avgPool2d",
  rule: "∂x = avgPool2dBackward(g): g / divisor on every tap of its window",
  save: () => ({}),
  forward: ([x], params) => kernels.avgPool2d(x!, params, params),
  vjp: (g, { inputShapes: [shape], params }) => [avgPool2dBackwardOp([g], { ...params, inputSize: [shape![2]!, shape![3]!] })],
});

/** Average pooling's adjoint: `[N, C, oH, oW] → [N, C, H, W]`, each gradient spread over its window. */
export const avgPool2dBackwardOp: Op<AvgPoolBackwardParams> = defineOp<AvgPoolBackwardParams>({
  name: "avgPool2dBackward",
  rule: "∂g = avgPool2d(g′)",
  save: () => ({}),
  forward: ([g], params) => kernels.avgPool2dBackward(g!, params.inputSize, params, params),
  vjp: (g, { params: { inputSize: _, ...params } }) => [avgPool2dOp([g], params)],
});
