// torch.nn.functional: the conv functions. They are the free functions of @tapegrad/autograd's
// conv ops (unfold and fold, each the other's gradient; conv1d and conv2d as unfold + GEMM).
import type { ConvOptions as AutogradConvOptions, SizeArg as AutogradSizeArg, UnfoldOptions as AutogradUnfoldOptions } from "@tapegrad/autograd";

export { conv1d, conv2d, unfold, fold } from "@tapegrad/autograd";

// The option types as local aliases: the declaration bundler turns a type re-exported from
// another package into a value inside the `functional` namespace, which tsc then rejects.

/** Options of conv1d and conv2d: stride, padding (numbers, 'valid' or 'same'), dilation, groups. */
export type ConvOptions = AutogradConvOptions;
/** Options of unfold and fold: dilation, padding, stride. */
export type UnfoldOptions = AutogradUnfoldOptions;
/** A size given as one number for every spatial dimension, or one per dimension. */
export type SizeArg = AutogradSizeArg;
