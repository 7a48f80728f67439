"""reductions ops: var, std, norm, prod, cumsum, max/min (with and without a dim), amax,
amin, argmax, argmin, any, all. Each expression is written op for op in
packages/autograd/test/torch-ops/reductions.ts under the same name.

Non-finite results (var with n - correction <= 0, NaN inputs) cannot be stored in JSON
fixtures; packages/autograd/test/statistics.test.ts checks them against PyTorch's values."""
import math

import torch
from inputs import real, positive, values, constant, index, index_values, mask  # noqa: F401

TIES = [[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 1.0, 2.0], [-1.0, -1.0, -1.0, -1.0]]

CASES = {
    # variance and standard deviation
    "var_all": (lambda x: x.var(), [real(3, 4)]),
    "var_dim": (lambda x: x.var(1), [real(3, 4)]),
    "var_neg_dim_keepdim_c0": (lambda x: x.var(-1, correction=0, keepdim=True), [real(2, 3, 4)]),
    "var_dims_c2": (lambda x: x.var((0, 2), correction=2), [real(2, 3, 4)]),
    "var_all_c0": (lambda x: x.var(None, correction=0), [real(5)]),
    "var_transposed": (lambda x: x.t().var(1), [real(4, 3)]),
    "std_all": (lambda x: x.std(), [real(3, 4)]),
    "std_dim_c0": (lambda x: x.std(0, correction=0), [real(3, 4)]),
    "std_neg_dims_c2_keepdim": (lambda x: x.std((-1, -3), correction=2, keepdim=True), [real(2, 3, 4)]),
    "std_zero_spread": (lambda x: x.std(1), [values([[3.0, 3.0, 3.0], [1.0, 2.0, 4.0]])]),
    "std_transposed": (lambda x: x.t().std(0), [real(4, 3)]),
    # norms
    "norm_default": (lambda x: x.norm(), [real(3, 4)]),
    "norm_p1_dim": (lambda x: x.norm(1, 1), [real(3, 4)]),
    "norm_p3_dims_keepdim": (lambda x: x.norm(3, (0, 2), keepdim=True), [real(2, 3, 4)]),
    "norm_p1_5": (lambda x: x.norm(1.5, -1), [real(3, 4)]),
    "norm_p0_5": (lambda x: x.norm(0.5, 0), [real(3, 4)]),
    "norm_p_minus1": (lambda x: x.norm(-1, 1), [real(3, 4)]),
    "norm_inf_ties": (lambda x: x.norm(math.inf, 1), [values([[1.0, -3.0, 3.0, 0.0], [-2.0, 2.0, 1.0, 2.0]])]),
    "norm_minus_inf_ties": (lambda x: x.norm(-math.inf, 1), [values([[1.0, -3.0, 1.0, 2.0], [-2.0, 2.0, 3.0, 2.0]])]),
    "norm_p0_times_sum": (lambda x: x.norm(0, 1) * x.sum(1), [values([[1.0, 0.0, -2.0], [0.0, 0.0, 3.0]])]),
    "norm_zero_rows": (
        lambda x: torch.stack([x.norm(2, 1), x.norm(1, 1), x.norm(3, 1), x.norm(1.5, 1), x.norm(0.5, 1), x.norm(-1, 1), x.norm(math.inf, 1)]),
        [values([[0.0, 0.0, 0.0], [1.0, 0.0, -2.0]])],
    ),
    "norm_transposed": (lambda x: x.t().norm(3, 0), [real(4, 3)]),
    # product
    "prod_all": (lambda x: x.prod(), [real(2, 3)]),
    "prod_dim": (lambda x: x.prod(1), [real(3, 4)]),
    "prod_neg_dim_keepdim": (lambda x: x.prod(-2, keepdim=True), [real(2, 3, 4)]),
    "prod_one_zero": (lambda x: x.prod(1), [values([[2.0, 0.0, 3.0, -1.5], [1.0, 2.0, -3.0, 0.5]])]),
    "prod_two_zeros": (lambda x: x.prod(1), [values([[2.0, 0.0, 3.0, 0.0], [0.0, 2.0, -3.0, 0.5]])]),
    "prod_all_one_zero": (lambda x: x.prod(), [values([[2.0, 0.5, 3.0], [1.5, 0.0, -2.0]])]),
    "prod_all_two_zeros": (lambda x: x.prod(), [values([[2.0, 0.0, 3.0], [1.5, 0.0, -2.0]])]),
    "prod_transposed": (lambda x: x.t().prod(0), [real(4, 3)]),
    # cumulative sum
    "cumsum_dim0": (lambda x: x.cumsum(0), [real(4)]),
    "cumsum_dim1": (lambda x: x.cumsum(1), [real(3, 4)]),
    "cumsum_neg_dim_transposed": (lambda x: x.transpose(0, 2).cumsum(-2), [real(2, 3, 4)]),
    "cumsum_0d": (lambda x: x.cumsum(0) * x, [values(0.7)]),
    # max and min: one dim routes the gradient to the first index; no dim, amax and amin share it among ties
    "max_all_ties": (lambda x: x.max(), [values(TIES)]),
    "min_all_ties": (lambda x: x.min(), [values(TIES)]),
    "max_dim_ties": (lambda x: [x.max(1).values, x.argmax(1)], [values(TIES)]),
    "min_dim_ties": (lambda x: [x.min(1).values, x.argmin(1)], [values(TIES)]),
    "max_dim0_ties_keepdim": (lambda x: [x.max(0, keepdim=True).values, x.argmax(0, keepdim=True)], [values(TIES)]),
    "max_neg_dim_transposed": (lambda x: [x.t().max(-1).values, x.t().argmax(-1)], [values(TIES)]),
    "min_neg_dim_keepdim": (lambda x: [x.min(-2, keepdim=True).values, x.argmin(-2, keepdim=True)], [real(2, 3, 4)]),
    "amax_ties": (lambda x: x.amax(1), [values(TIES)]),
    "amin_ties": (lambda x: x.amin(1), [values(TIES)]),
    "amax_all_ties": (lambda x: x.amax(), [values(TIES)]),
    "amax_dims_keepdim": (lambda x: x.amax((0, 2), keepdim=True), [real(2, 3, 4)]),
    "amin_neg_dims_transposed": (lambda x: x.t().amin((-1, -2)), [values(TIES)]),
    "argmax_flat": (lambda x: [x.argmax(), x.argmin(), x.argmax(keepdim=True)], [values(TIES)], {"grad": False}),
    # any and all
    "any_all": (
        lambda x: [x.any(), x.all(), x.any(1), x.all(1), x.any(0, keepdim=True), x.all(-1, keepdim=True)],
        [values([[0.0, 0.0, 0.0], [1.0, 0.0, 2.0], [1.0, -1.0, 0.5]])],
        {"grad": False},
    ),
    # compositions
    "standardize": (lambda x: ((x - x.mean(1, keepdim=True)) / x.std(1, keepdim=True)).pow(3).sum(), [real(3, 5)]),
    "normalize_rows": (lambda x: x / x.norm(2, 1, keepdim=True), [real(3, 4)]),
}
