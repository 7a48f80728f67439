import { stack } from "@tapegrad/autograd";
import type { Expressions } from "./expression.js";

/** The reductions cases of scripts/torch_op_cases/reductions.py, op for op, under the same names. */
export const expressions: Expressions = {
  // variance and standard deviation
  var_all: (x) => x.var(),
  var_dim: (x) => x.var(1),
  var_neg_dim_keepdim_c0: (x) => x.var(-1, { correction: 0, keepdim: true }),
  var_dims_c2: (x) => x.var([0, 2], { correction: 2 }),
  var_all_c0: (x) => x.var(undefined, { correction: 0 }),
  var_transposed: (x) => x.t().var(1),
  std_all: (x) => x.std(),
  std_dim_c0: (x) => x.std(0, { correction: 0 }),
  std_neg_dims_c2_keepdim: (x) => x.std([-1, -3], { correction: 2, keepdim: true }),
  std_zero_spread: (x) => x.std(1),
  std_transposed: (x) => x.t().std(0),
  // norms
  norm_default: (x) => x.norm(),
  norm_p1_dim: (x) => x.norm(1, 1),
  norm_p3_dims_keepdim: (x) => x.norm(3, [0, 2], { keepdim: true }),
  norm_p1_5: (x) => x.norm(1.5, -1),
  norm_p0_5: (x) => x.norm(0.5, 0),
  norm_p_minus1: (x) => x.norm(-1, 1),
  norm_inf_ties: (x) => x.norm(Infinity, 1),
  norm_minus_inf_ties: (x) => x.norm(-Infinity, 1),
  norm_p0_times_sum: (x) => x.norm(0, 1).mul(x.sum(1)),
  norm_zero_rows: (x) => stack([x.norm(2, 1), x.norm(1, 1), x.norm(3, 1), x.norm(1.5, 1), x.norm(0.5, 1), x.norm(-1, 1), x.norm(Infinity, 1)]),
  norm_transposed: (x) => x.t().norm(3, 0),
  // product
  prod_all: (x) => x.prod(),
  prod_dim: (x) => x.prod(1),
  prod_neg_dim_keepdim: (x) => x.prod(-2, { keepdim: true }),
  prod_one_zero: (x) => x.prod(1),
  prod_two_zeros: (x) => x.prod(1),
  prod_all_one_zero: (x) => x.prod(),
  prod_all_two_zeros: (x) => x.prod(),
  prod_transposed: (x) => x.t().prod(0),
  // cumulative sum
  cumsum_dim0: (x) => x.cumsum(0),
  cumsum_dim1: (x) => x.cumsum(1),
  cumsum_neg_dim_transposed: (x) => x.transpose(0, 2).cumsum(-2),
  cumsum_0d: (x) => x.cumsum(0).mul(x),
  // max and min
  max_all_ties: (x) => x.max(),
  min_all_ties: (x) => x.min(),
  max_dim_ties: (x) => [x.max(1), x.argmax(1)],
  min_dim_ties: (x) => [x.min(1), x.argmin(1)],
  max_dim0_ties_keepdim: (x) => [x.max(0, { keepdim: true }), x.argmax(0, { keepdim: true })],
  max_neg_dim_transposed: (x) => [x.t().max(-1), x.t().argmax(-1)],
  min_neg_dim_keepdim: (x) => [x.min(-2, { keepdim: true }), x.argmin(-2, { keepdim: true })],
  amax_ties: (x) => x.amax(1),
  amin_ties: (x) => x.amin(1),
  amax_all_ties: (x) => x.amax(),
  amax_dims_keepdim: (x) => x.amax([0, 2], { keepdim: true }),
  amin_neg_dims_transposed: (x) => x.t().amin([-1, -2]),
  argmax_flat: (x) => [x.argmax(), x.argmin(), x.argmax(undefined, { keepdim: true })],
  // any and all
  any_all: (x) => [x.any(), x.all(), x.any(1), x.all(1), x.any(0, { keepdim: true }), x.all(-1, { keepdim: true })],
  // compositions
  standardize: (x) => x.sub(x.mean(1, { keepdim: true })).div(x.std(1, { keepdim: true })).pow(3).sum(),
  normalize_rows: (x) => x.div(x.norm(2, 1, { keepdim: true })),
};
