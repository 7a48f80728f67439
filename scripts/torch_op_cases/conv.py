"""conv ops. Each expression is written op for op in
packages/autograd/test/torch-ops/conv.ts under the same name.

unfold and fold are torch.nn.functional's (im2col and col2im); conv1d and conv2d are
torch.nn.functional's, with every keyword: stride, padding (numbers, pairs, 'valid' and
'same', including the asymmetric 'same' of an even kernel), dilation and groups."""
import torch
import torch.nn.functional as F
from inputs import real, positive, values, constant, index, index_values, mask  # noqa: F401

CASES = {
    # unfold (im2col) and fold (col2im)
    "unfold_basic": (lambda x: F.unfold(x, (2, 3)), [real(2, 2, 4, 5)]),
    "unfold_padding_stride": (lambda x: F.unfold(x, 3, padding=1, stride=2), [real(1, 3, 5, 5)]),
    "unfold_dilation": (lambda x: F.unfold(x, 2, dilation=(2, 1), padding=(1, 0), stride=(1, 2)), [real(1, 2, 6, 5)]),
    "unfold_unbatched": (lambda x: F.unfold(x, 2, stride=(2, 1)).exp(), [real(2, 4, 4)]),
    "unfold_transposed": (lambda x: F.unfold(x.transpose(2, 3), (3, 2), padding=(1, 1)), [real(2, 2, 5, 4)]),
    "fold_basic": (lambda c: F.fold(c, (4, 5), (2, 3)), [real(2, 12, 9)]),
    "fold_padding_stride": (lambda c: F.fold(c, 5, 3, padding=1, stride=2), [real(1, 18, 9)]),
    "fold_dilation": (lambda c: F.fold(c, (6, 5), 2, dilation=(2, 1), padding=(1, 0), stride=(1, 2)), [real(1, 8, 12)]),
    "fold_unbatched": (lambda c: F.fold(c, (3, 4), 2).sin(), [real(8, 6)]),
    "fold_of_unfold": (lambda x: F.fold(F.unfold(x, 3, padding=1), (4, 4), 3, padding=1), [real(1, 2, 4, 4)]),
    # conv2d
    "conv2d_basic": (lambda x, w, b: F.conv2d(x, w, b), [real(2, 3, 6, 5), real(4, 3, 3, 3), real(4)]),
    "conv2d_stride_padding": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), [real(2, 2, 7, 6), real(3, 2, 3, 2), real(3)]),
    "conv2d_pairs": (lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=(2, 0), dilation=(2, 1)), [real(1, 2, 6, 7), real(3, 2, 2, 3), real(3)]),
    "conv2d_groups": (lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2), [real(2, 4, 5, 5), real(6, 2, 3, 3), real(6)]),
    "conv2d_depthwise": (lambda x, w: F.conv2d(x, w, stride=2, groups=3), [real(1, 3, 6, 6), real(6, 1, 3, 3)]),
    "conv2d_no_bias": (lambda x, w: F.conv2d(x, w).tanh(), [real(2, 2, 5, 4), real(3, 2, 2, 2)]),
    "conv2d_same_odd": (lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=2), [real(1, 2, 7, 6), real(2, 2, 3, 3), real(2)]),
    "conv2d_same_even": (lambda x, w, b: F.conv2d(x, w, b, padding="same"), [real(2, 2, 5, 6), real(3, 2, 2, 4), real(3)]),
    "conv2d_valid": (lambda x, w: F.conv2d(x, w, padding="valid"), [real(1, 2, 5, 5), real(2, 2, 3, 3)]),
    "conv2d_unbatched": (lambda x, w, b: F.conv2d(x, w, b, padding=1), [real(3, 5, 4), real(2, 3, 3, 3), real(2)]),
    "conv2d_pointwise": (lambda x, w, b: F.conv2d(x, w, b), [real(2, 3, 4, 5), real(4, 3, 1, 1), real(4)]),
    "conv2d_transposed_input": (lambda x, w, b: F.conv2d(x.transpose(2, 3), w, b, padding=(1, 0)), [real(2, 2, 6, 5), real(3, 2, 3, 3), real(3)]),
    "conv2d_large_kernel": (lambda x, w: F.conv2d(x, w, padding=2), [real(1, 1, 4, 4), real(2, 1, 5, 5)]),
    # padding beyond the kernel's reach: the input gradient folds (no transposed convolution)
    "conv2d_pad_beyond_kernel": (lambda x, w, b: F.conv2d(x, w, b, padding=(2, 1)), [real(2, 2, 3, 4), real(3, 2, 2, 1), real(3)]),
    "conv2d_twice": (lambda x, w1, b1, w2: F.conv2d(F.conv2d(x, w1, b1, padding=1).relu(), w2, stride=2), [real(2, 1, 8, 8), real(4, 1, 3, 3), real(4), real(3, 4, 3, 3)]),
    # conv1d
    "conv1d_basic": (lambda x, w, b: F.conv1d(x, w, b), [real(2, 3, 9), real(4, 3, 3), real(4)]),
    "conv1d_options": (lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=2, dilation=2, groups=2), [real(2, 4, 11), real(6, 2, 3), real(6)]),
    "conv1d_same_even": (lambda x, w: F.conv1d(x, w, padding="same"), [real(1, 2, 7), real(3, 2, 4)]),
    "conv1d_unbatched": (lambda x, w, b: F.conv1d(x, w, b, padding=1), [real(3, 6), real(2, 3, 3), real(2)]),
}
