import { conv1d, conv2d, fold, unfold } from "@tapegrad/autograd";
import type { Expressions } from "./expression.js";

/** The conv cases of scripts/torch_op_cases/conv.py, op for op, under the same names. */
export const expressions: Expressions = {
  unfold_basic: (x) => unfold(x, [2, 3]),
  unfold_padding_stride: (x) => unfold(x, 3, { padding: 1, stride: 2 }),
  unfold_dilation: (x) => unfold(x, 2, { dilation: [2, 1], padding: [1, 0], stride: [1, 2] }),
  unfold_unbatched: (x) => unfold(x, 2, { stride: [2, 1] }).exp(),
  unfold_transposed: (x) => unfold(x.transpose(2, 3), [3, 2], { padding: [1, 1] }),
  fold_basic: (c) => fold(c, [4, 5], [2, 3]),
  fold_padding_stride: (c) => fold(c, 5, 3, { padding: 1, stride: 2 }),
  fold_dilation: (c) => fold(c, [6, 5], 2, { dilation: [2, 1], padding: [1, 0], stride: [1, 2] }),
  fold_unbatched: (c) => fold(c, [3, 4], 2).sin(),
  fold_of_unfold: (x) => fold(unfold(x, 3, { padding: 1 }), [4, 4], 3, { padding: 1 }),
  conv2d_basic: (x, w, b) => conv2d(x, w!, b),
  conv2d_stride_padding: (x, w, b) => conv2d(x, w!, b, { stride: 2, padding: 1 }),
  conv2d_pairs: (x, w, b) => conv2d(x, w!, b, { stride: [1, 2], padding: [2, 0], dilation: [2, 1] }),
  conv2d_groups: (x, w, b) => conv2d(x, w!, b, { padding: 1, groups: 2 }),
  conv2d_depthwise: (x, w) => conv2d(x, w!, null, { stride: 2, groups: 3 }),
  conv2d_no_bias: (x, w) => conv2d(x, w!).tanh(),
  conv2d_same_odd: (x, w, b) => conv2d(x, w!, b, { padding: "same", dilation: 2 }),
  conv2d_same_even: (x, w, b) => conv2d(x, w!, b, { padding: "same" }),
  conv2d_valid: (x, w) => conv2d(x, w!, null, { padding: "valid" }),
  conv2d_unbatched: (x, w, b) => conv2d(x, w!, b, { padding: 1 }),
  conv2d_pointwise: (x, w, b) => conv2d(x, w!, b),
  conv2d_transposed_input: (x, w, b) => conv2d(x.transpose(2, 3), w!, b, { padding: [1, 0] }),
  conv2d_large_kernel: (x, w) => conv2d(x, w!, null, { padding: 2 }),
  conv2d_twice: (x, w1, b1, w2) => conv2d(conv2d(x, w1!, b1, { padding: 1 }).relu(), w2!, null, { stride: 2 }),
  conv1d_basic: (x, w, b) => conv1d(x, w!, b),
  conv1d_options: (x, w, b) => conv1d(x, w!, b, { stride: 2, padding: 2, dilation: 2, groups: 2 }),
  conv1d_same_even: (x, w) => conv1d(x, w!, null, { padding: "same" }),
  conv1d_unbatched: (x, w, b) => conv1d(x, w!, b, { padding: 1 }),
};
