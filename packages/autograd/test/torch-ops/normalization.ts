import { gradients, standardize, type Tensor } from "@tapegrad/autograd";
import type { Expressions } from "./expression.js";

/** The gradient of sum(y · w) with respect to x, itself differentiable (PyTorch's create_graph). */
const gradOf = (y: Tensor, x: Tensor, w: Tensor) => gradients(y.mul(w).sum(), [x], { createGraph: true })[0]!;

/** The normalization cases of scripts/torch_op_cases/normalization.py, op for op, under the same names. */
export const expressions: Expressions = {
  standardize_last: (x) => standardize(x, [1]),
  standardize_last_two: (x) => standardize(x, [-2, -1], { eps: 0.1 }),
  standardize_batch: (x) => standardize(x, 0),
  standardize_channels: (x) => standardize(x, [0, 2, 3], { eps: 1e-3 }),
  standardize_length: (x) => standardize(x, [0, 2]),
  standardize_transposed: (x) => standardize(x.t(), -1),
  standardize_batch_transposed: (x) => standardize(x.t(), 0),
  standardize_constant_slice: (x) => standardize(x, -1),
  standardize_double_backward_last: (x, w) => gradOf(standardize(x, -1).pow(2), x, w),
  standardize_double_backward_batch: (x, w) => gradOf(standardize(x, [0, 2]).sin(), x, w),
};
