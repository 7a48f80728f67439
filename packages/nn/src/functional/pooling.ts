// torch.nn.functional: the pooling functions, the free functions of @tapegrad/autograd's pooling ops.
import type { AvgPoolOptions as AutogradAvgPoolOptions, MaxPoolOptions as AutogradMaxPoolOptions } from "@tapegrad/autograd";

export { maxPool1d, maxPool2d, avgPool1d, avgPool2d } from "@tapegrad/autograd";

// The option types as local aliases (see conv.ts for why).

/** Options of maxPool1d and maxPool2d: stride, padding, dilation, ceilMode, returnIndices. */
export type MaxPoolOptions = AutogradMaxPoolOptions;
/** Options of avgPool1d and avgPool2d: stride, padding, ceilMode, countIncludePad, divisorOverride. */
export type AvgPoolOptions = AutogradAvgPoolOptions;
