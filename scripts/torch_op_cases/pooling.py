"""pooling ops. Each expression is written op for op in
packages/autograd/test/torch-ops/pooling.ts under the same name.

Max-pooling cases with ties (integer values, overlapping windows, a constant plane) check
that the gradient goes where PyTorch sends it: to the first maximum of each window in
row-major order. With return_indices, the indices are flat positions y·W + x in each plane."""
import torch
import torch.nn.functional as F
from inputs import real, positive, values, constant, index, index_values, mask  # noqa: F401

TIES = [[[[1.0, 3.0, 3.0, 0.0, 2.0], [3.0, 2.0, 3.0, 1.0, 2.0], [0.0, 3.0, 1.0, 1.0, 0.0], [2.0, 2.0, 2.0, 2.0, 2.0]],
         [[5.0, 5.0, 5.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0, 5.0]]]]

CASES = {
    # max_pool2d
    "max_pool2d_basic": (lambda x: F.max_pool2d(x, 2), [real(2, 3, 6, 6)]),
    "max_pool2d_stride_padding": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1), [real(2, 2, 7, 6)]),
    "max_pool2d_pairs_dilation": (lambda x: F.max_pool2d(x, (2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1)), [real(1, 2, 7, 8)]),
    "max_pool2d_ceil": (lambda x: F.max_pool2d(x, 3, stride=2, ceil_mode=True), [real(1, 2, 6, 7)]),
    "max_pool2d_ceil_padding": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), [real(1, 1, 6, 6)]),
    "max_pool2d_ties_overlapping": (lambda x: F.max_pool2d(x, 2, stride=1), [values(TIES)]),
    "max_pool2d_ties_padding": (lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), [values(TIES)]),
    "max_pool2d_unbatched": (lambda x: F.max_pool2d(x, 2, stride=1).exp(), [real(2, 5, 5)]),
    "max_pool2d_transposed": (lambda x: F.max_pool2d(x.transpose(2, 3), (3, 2), stride=(2, 1)), [real(2, 2, 5, 7)]),
    "max_pool2d_indices": (lambda x: list(F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)), [real(2, 2, 6, 5)]),
    "max_pool2d_indices_ties": (lambda x: list(F.max_pool2d(x, 2, stride=1, return_indices=True)), [values(TIES)]),
    # max_pool1d
    "max_pool1d_basic": (lambda x: F.max_pool1d(x, 3, stride=2, padding=1), [real(2, 3, 9)]),
    "max_pool1d_ceil_dilation": (lambda x: F.max_pool1d(x, 2, stride=2, dilation=2, ceil_mode=True), [real(1, 2, 8)]),
    "max_pool1d_unbatched_ties": (lambda x: F.max_pool1d(x, 3, stride=1), [values([[1.0, 2.0, 2.0, 1.0, 2.0, 0.0], [4.0, 4.0, 4.0, 4.0, 4.0, 4.0]])]),
    # avg_pool2d
    "avg_pool2d_basic": (lambda x: F.avg_pool2d(x, 2), [real(2, 3, 6, 6)]),
    "avg_pool2d_padding": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), [real(2, 2, 7, 6)]),
    "avg_pool2d_exclude_pad": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), [real(2, 2, 7, 6)]),
    "avg_pool2d_ceil": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), [real(1, 2, 6, 6)]),
    "avg_pool2d_ceil_exclude_pad": (lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [real(1, 2, 6, 6)]),
    "avg_pool2d_ceil_no_padding": (lambda x: F.avg_pool2d(x, 2, ceil_mode=True), [real(1, 2, 5, 7)]),
    "avg_pool2d_divisor": (lambda x: F.avg_pool2d(x, 2, stride=1, padding=1, divisor_override=3), [real(1, 2, 4, 5)]),
    "avg_pool2d_pairs": (lambda x: F.avg_pool2d(x, (2, 3), stride=(1, 2), padding=(1, 1)), [real(2, 2, 5, 7)]),
    "avg_pool2d_unbatched": (lambda x: F.avg_pool2d(x, 3, stride=1).sin(), [real(2, 5, 4)]),
    "avg_pool2d_transposed": (lambda x: F.avg_pool2d(x.transpose(2, 3), 2, stride=1), [real(1, 2, 4, 3)]),
    # avg_pool1d
    "avg_pool1d_basic": (lambda x: F.avg_pool1d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [real(2, 2, 8)]),
    "avg_pool1d_unbatched": (lambda x: F.avg_pool1d(x, 2), [real(3, 7)]),
    # pooling after a convolution, as in a LeNet block
    "lenet_block": (lambda x, w, b: F.avg_pool2d(F.max_pool2d(F.relu(F.conv2d(x, w, b)), 2), 2, ceil_mode=True), [real(2, 1, 12, 12), real(3, 1, 3, 3), real(3)]),
}
