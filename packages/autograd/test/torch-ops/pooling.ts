import { avgPool1d, avgPool2d, conv2d, maxPool1d, maxPool2d, type Tensor } from "@tapegrad/autograd";
import type { Expressions } from "./expression.js";

const pair = ({ values, indices }: { values: Tensor; indices: Tensor }): Tensor[] => [values, indices];

/** The pooling cases of scripts/torch_op_cases/pooling.py, op for op, under the same names. */
export const expressions: Expressions = {
  max_pool2d_basic: (x) => maxPool2d(x, 2),
  max_pool2d_stride_padding: (x) => maxPool2d(x, 3, { stride: 2, padding: 1 }),
  max_pool2d_pairs_dilation: (x) => maxPool2d(x, [2, 3], { stride: [1, 2], padding: [1, 1], dilation: [2, 1] }),
  max_pool2d_ceil: (x) => maxPool2d(x, 3, { stride: 2, ceilMode: true }),
  max_pool2d_ceil_padding: (x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  max_pool2d_ties_overlapping: (x) => maxPool2d(x, 2, { stride: 1 }),
  max_pool2d_ties_padding: (x) => maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  max_pool2d_unbatched: (x) => maxPool2d(x, 2, { stride: 1 }).exp(),
  max_pool2d_transposed: (x) => maxPool2d(x.transpose(2, 3), [3, 2], { stride: [2, 1] }),
  max_pool2d_indices: (x) => pair(maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true })),
  max_pool2d_indices_ties: (x) => pair(maxPool2d(x, 2, { stride: 1, returnIndices: true })),
  max_pool1d_basic: (x) => maxPool1d(x, 3, { stride: 2, padding: 1 }),
  max_pool1d_ceil_dilation: (x) => maxPool1d(x, 2, { stride: 2, dilation: 2, ceilMode: true }),
  max_pool1d_unbatched_ties: (x) => maxPool1d(x, 3, { stride: 1 }),
  avg_pool2d_basic: (x) => avgPool2d(x, 2),
  avg_pool2d_padding: (x) => avgPool2d(x, 3, { stride: 2, padding: 1 }),
  avg_pool2d_exclude_pad: (x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
  avg_pool2d_ceil: (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
  avg_pool2d_ceil_exclude_pad: (x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  avg_pool2d_ceil_no_padding: (x) => avgPool2d(x, 2, { ceilMode: true }),
  avg_pool2d_divisor: (x) => avgPool2d(x, 2, { stride: 1, padding: 1, divisorOverride: 3 }),
  avg_pool2d_pairs: (x) => avgPool2d(x, [2, 3], { stride: [1, 2], padding: [1, 1] }),
  avg_pool2d_unbatched: (x) => avgPool2d(x, 3, { stride: 1 }).sin(),
  avg_pool2d_transposed: (x) => avgPool2d(x.transpose(2, 3), 2, { stride: 1 }),
  avg_pool1d_basic: (x) => avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  avg_pool1d_unbatched: (x) => avgPool1d(x, 2),
  lenet_block: (x, w, b) => avgPool2d(maxPool2d(conv2d(x, w!, b).relu(), 2), 2, { ceilMode: true }),
};
