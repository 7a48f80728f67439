"""indexing ops. Each expression is written op for op in
packages/autograd/test/torch-ops/indexing.ts under the same name.

torch.sort is stable only with stable=True (without it, CPU sorts of rows longer than 16
reorder ties), and tapegrad's sort is always stable: cases with ties pass stable=True.
torch.topk leaves the order of ties unspecified, so its cases are tie-free (normal draws).
tapegrad's `x.slice(dim, start, end, step)` is aten's slice, called here as torch.ops.aten.slice."""
import torch
from inputs import Input, real, positive, values, constant, index, index_values, mask  # noqa: F401


def mask_values(data):
    """Exactly this boolean mask (0/1 float64 in TypeScript); no gradient."""
    return Input("mask", lambda: torch.tensor(data, dtype=torch.bool))


slice_ = torch.ops.aten.slice

CASES = {
    # select and slice: views
    "select_negative": (lambda x: x.select(-1, -2).exp(), [real(3, 4)]),
    "select_transposed": (lambda x: x.t().select(0, 1) * 3, [real(3, 4)]),
    "select_3d": (lambda x: x.select(1, 0).sin(), [real(2, 3, 2)]),
    "slice_step": (lambda x: slice_(x, 1, 1, 5, 2).exp(), [real(3, 6)]),
    "slice_negative_clamped": (lambda x: slice_(x, 0, -100, -1, 3) * 2, [real(7, 2)]),
    "slice_transposed": (lambda x: slice_(x.t(), 0, 1, 100, 2).sin(), [real(3, 5)]),
    "slice_twice": (lambda x: slice_(slice_(x, 0, 0, 4, 2), 1, -2, 4, 1).tanh(), [real(4, 4)]),
    # index_select: repeated rows (gradients add up), the last dim, a transposed input, a 0-d index
    "index_select_rows": (lambda x, i: x.index_select(0, i), [real(4, 3), index_values([2, 0, 2, 3, 2])]),
    "index_select_last_dim": (lambda x, i: x.index_select(-1, i).exp(), [real(2, 5), index(5, 7)]),
    "index_select_transposed": (lambda x, i: x.t().index_select(0, i), [real(3, 4), index_values([1, 1, 0, 3])]),
    "index_select_scalar_index": (lambda x, i: x.index_select(1, i), [real(3, 4), index_values(2)]),
    "embedding_lookup": (lambda w, i: w.index_select(0, i.reshape(-1)).reshape(2, 3, 4).tanh(), [real(6, 4), index(6, 2, 3)]),
    # gather: index longer than x along dim, dim 0 given as -2, a transposed input, 3-d, cross-entropy's pick
    "gather_dim1": (lambda x, i: x.gather(1, i), [real(3, 4), index(4, 3, 5)]),
    "gather_negative_dim": (lambda x, i: x.gather(-2, i), [real(3, 4), index(3, 2, 4)]),
    "gather_transposed": (lambda x, i: x.t().gather(1, i).exp(), [real(3, 4), index(3, 4, 2)]),
    "gather_3d": (lambda x, i: x.gather(1, i), [real(2, 3, 4), index(3, 2, 5, 3)]),
    "cross_entropy_pick": (lambda z, t: z.log_softmax(1).gather(1, t).neg().mean(), [real(5, 4), index(4, 5, 1)]),
    # scatter_add: repeated positions add up
    "scatter_add_dim1": (lambda a, i, b: a.scatter_add(1, i, b), [real(3, 4), index(4, 3, 6), real(3, 6)]),
    "scatter_add_dim0": (lambda a, i, b: a.scatter_add(0, i, b).sin(), [real(4, 2), index(4, 5, 2), real(5, 2)]),
    "scatter_add_transposed": (lambda a, i, b: a.t().scatter_add(0, i, b.t()), [real(2, 4), index(4, 3, 2), real(2, 3)]),
    "scatter_add_constant_self": (lambda a, i, b: a.scatter_add(-1, i, b).exp(), [constant(3, 3), index(3, 3, 2), real(3, 2)]),
    # masked_fill: the mask broadcasting to x, x broadcasting to the mask, -inf before a softmax
    "masked_fill_same_shape": (lambda x, m: x.masked_fill(m, 0.5), [real(3, 4), mask(3, 4)]),
    "masked_fill_broadcast_mask": (lambda x, m: x.masked_fill(m, -2.0).exp(), [real(3, 4), mask(4)]),
    "masked_fill_broadcast_self": (lambda x, m: x.masked_fill(m, 1.5) * 2, [real(3, 1), mask(2, 3, 4)]),
    "masked_fill_transposed": (lambda x, m: x.t().masked_fill(m, -1.5), [real(4, 3), mask(3, 4)]),
    "masked_fill_softmax": (lambda x, m: x.masked_fill(m, float("-inf")).softmax(-1), [real(3, 5), mask_values([[0, 1, 0, 1, 1], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0]])]),
    # sort: values and indices; ties kept in order (stable), rows longer than 16, dim 0, descending
    "sort_last": (lambda x: torch.sort(x), [real(3, 5)]),
    "sort_ties": (lambda x: torch.sort(x, dim=1, stable=True), [values([[3.0, 1, 3, 2, 1], [0, 0, -1, 0, 2]])]),
    "sort_ties_descending_dim0": (lambda x: torch.sort(x, dim=0, descending=True, stable=True), [values([[1.0, 2], [3, 2], [1, 0], [3, 2]])]),
    "sort_long_row_ties": (lambda x: torch.sort(x, stable=True), [values([[float(i % 3) for i in range(40)], [float((7 * i) % 5) for i in range(40)]])]),
    "sort_long_row_ties_descending": (lambda x: torch.sort(x, descending=True, stable=True), [values([float((5 * i) % 4) for i in range(37)])]),
    "sort_transposed": (lambda x: torch.sort(x.t(), -1), [real(4, 3)]),
    "sort_values_only": (lambda x: torch.sort(x, 0)[0].exp(), [real(4, 3)]),
    "argsort_descending": (lambda x: torch.argsort(x, dim=0, descending=True, stable=True), [values([[1.0, 2], [3, 2], [1, 0], [3, 2]])], {"grad": False}),
    # topk: tie-free
    "topk_last": (lambda x: torch.topk(x, 2), [real(3, 5)]),
    "topk_smallest_dim0": (lambda x: torch.topk(x, 3, dim=0, largest=False), [real(4, 3)]),
    "topk_transposed": (lambda x: torch.topk(x.t(), 1, dim=1), [real(3, 4)]),
    "topk_all": (lambda x: torch.topk(x, 5), [real(5)]),
    "topk_long_row": (lambda x: torch.topk(x, 3), [real(2, 40)]),
    "topk_long_row_smallest": (lambda x: torch.topk(x, 20, largest=False), [real(2, 40)]),
}
