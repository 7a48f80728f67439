import type { Tensor } from "../tensor.js";
import { defineOp } from "../op.js";

/** What a backward-hook op calls with the gradient of its output. */
export interface BackwardHookParams {
  /** Sees the gradient; a returned tensor of the same shape replaces it. */
  readonly onGrad: (g: Tensor) => Tensor | void;
}

/**
 * The identity, whose VJP hands the gradient to a callback that may replace it: how
 * `Module.registerFullBackwardHook` sees the gradients at a module's boundary (PyTorch's
 * BackwardHookFunction). The output shares the input's memory.
 */
export const backwardHook = defineOp<BackwardHookParams>({
  name: "backwardHook",
  rule: "∂x = hook(g)",
  save: () => ({}),
  view: true,
  handsGradToUser: true,
  forward: ([x]) => x!,
  vjp: (g, { params }) => [params.onGrad(g) ?? g],
});
