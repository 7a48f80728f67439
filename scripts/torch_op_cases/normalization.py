"""normalization ops: standardize, (x - mean)/sqrt(var + eps) over some dims with the
biased variance, which PyTorch computes as layer_norm (trailing dims) or batch_norm in
training without running statistics (every dim but 1). Each expression is written op for
op in packages/autograd/test/torch-ops/normalization.ts under the same name; the
double-backward cases return a gradient taken with create_graph, so their stored gradients
are second derivatives."""
import torch
import torch.nn.functional as F
from inputs import real, positive, values, constant, index, index_values, mask  # noqa: F401


def grad_of(y, x, w):
    """The gradient of sum(y * w) with respect to x, itself differentiable."""
    return torch.autograd.grad((y * w).sum(), x, create_graph=True)[0]


CASES = {
    "standardize_last": (lambda x: F.layer_norm(x, (5,)), [real(3, 5)]),
    "standardize_last_two": (lambda x: F.layer_norm(x, (3, 4), eps=0.1), [real(2, 3, 4)]),
    "standardize_batch": (lambda x: F.batch_norm(x, None, None, training=True), [real(6, 4)]),
    "standardize_channels": (lambda x: F.batch_norm(x, None, None, training=True, eps=1e-3), [real(3, 2, 4, 5)]),
    "standardize_length": (lambda x: F.batch_norm(x, None, None, training=True), [real(4, 3, 5)]),
    "standardize_transposed": (lambda x: F.layer_norm(x.t(), (4,)), [real(4, 3)]),
    "standardize_batch_transposed": (lambda x: F.batch_norm(x.t(), None, None, training=True), [real(3, 5)]),
    "standardize_constant_slice": (lambda x: F.layer_norm(x, (3,)), [values([[2.0, 2.0, 2.0], [1.0, -1.0, 4.0]])]),
    "standardize_double_backward_last": (lambda x, w: grad_of(F.layer_norm(x, (4,)) ** 2, x, w), [real(3, 4), constant(3, 4)]),
    "standardize_double_backward_batch": (lambda x, w: grad_of(F.batch_norm(x, None, None, training=True).sin(), x, w), [real(5, 2, 3), constant(5, 2, 3)]),
}
