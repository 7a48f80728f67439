"""elementwise ops. Each expression is written op for op in
packages/autograd/test/torch-ops/elementwise.ts under the same name."""
import torch
import torch.nn.functional as F
from inputs import real, positive, values, constant, index, index_values, mask  # noqa: F401

# erf at the edges of fdlibm's intervals (0.84375, 1.25, 1/0.35 ≈ 2.857, 6), far in the
# tails, and at tiny arguments where erf(x) ≈ 2x/√π.
ERF_POINTS = [1e-300, 1e-20, 1e-8, 3.7e-9, 1e-5, 0.1, 0.5, 0.8437, 0.84375, 1.0, 1.2499, 1.25, 2.0, 2.857, 2.8572, 3.5, 4.5, 5.9, 6.0, 6.5, 27.0, 1e10]
ERF_POINTS = ERF_POINTS + [-v for v in ERF_POINTS] + [0.0]

# Ties for round (to even), signed zeros, and values on both sides of the kinks.
ROUNDING = [-2.5, -1.5, -0.5, -0.49999999999999994, -0.0, 0.0, 0.4, 0.5, 1.5, 2.5, 3.5, 2.0000000001, -7.7, 4503599627370497.0]
KINKS = [-3.0, -1.0, -1e-3, -0.0, 0.0, 1e-3, 1.0, 2.5]
EXTREMES = [-1000.0, -40.0, -20.0, -1.0, -1e-6, 0.0, 1e-6, 1.0, 19.9, 20.0, 20.1, 40.0, 1000.0]


def double_backward(f):
    """x, v ↦ the VJP of f at x with cotangent v, kept differentiable: its gradient runs f's second derivative."""
    return lambda x, v: torch.autograd.grad(f(x), x, v, create_graph=True)[0]


CASES = {
    "expm1": (lambda x: x.expm1(), [real(3, 4)]),
    "expm1_small": (lambda x: x.expm1(), [values([1e-12, -1e-8, 3e-6, -0.25, 2.0, -30.0])]),
    "reciprocal_transposed": (lambda x: x.t().neg().reciprocal(), [positive(3, 2)]),
    "rsqrt": (lambda x: x.rsqrt() * 2, [positive(2, 3)]),
    "square_transposed": (lambda x: x.t().square(), [real(3, 2)]),
    "erf": (lambda x: (x * 3).erf(), [real(4, 5)]),
    "erf_points": (lambda x: x.erf(), [values(ERF_POINTS)]),
    "erf_transposed": (lambda x: x.transpose(0, 1).erf().exp(), [real(2, 3)]),
    "sign": (lambda x: x.sign() + x, [values([-2.0, -1e-300, -0.0, 0.0, 1e-300, 3.0])]),
    "rounding": (lambda x: [x.floor(), x.ceil(), x.round()], [values(ROUNDING)], {"grad": False}),
    "rounding_in_expression": (lambda x: x.round() * x + x.floor(), [real(3, 3)]),
    # activations
    "softplus": (lambda x: F.softplus(x * 8), [real(4, 5)]),
    "softplus_extremes": (lambda x: F.softplus(x), [values(EXTREMES)]),
    "softplus_beta_threshold": (lambda x: F.softplus(x.t() * 3, beta=2, threshold=5), [real(3, 4)]),
    "softplus_negative_beta": (lambda x: F.softplus(x, beta=-1.5), [real(2, 3)]),
    "gelu": (lambda x: F.gelu(x * 3), [real(4, 5)]),
    "gelu_extremes": (lambda x: F.gelu(x), [values(EXTREMES)]),
    "gelu_tanh": (lambda x: F.gelu(x.t() * 3, approximate="tanh"), [real(4, 5)]),
    "gelu_tanh_extremes": (lambda x: F.gelu(x, approximate="tanh"), [values(EXTREMES)]),
    "leaky_relu": (lambda x: F.leaky_relu(x), [real(3, 4)]),
    "leaky_relu_kinks": (lambda x: F.leaky_relu(x, 0.2), [values(KINKS)]),
    "leaky_relu_negative_slope": (lambda x: F.leaky_relu(x.t(), -0.5), [real(3, 2)]),
    "elu": (lambda x: F.elu(x * 2), [real(3, 4)]),
    "elu_kinks_alpha": (lambda x: F.elu(x, 1.5), [values(KINKS + [-800.0, 800.0])]),
    "silu": (lambda x: F.silu(x.t() * 3), [real(4, 3)]),
    "silu_extremes": (lambda x: F.silu(x), [values(EXTREMES)]),
    "logsigmoid": (lambda x: F.logsigmoid(x * 3), [real(3, 4)]),
    "logsigmoid_extremes": (lambda x: F.logsigmoid(x), [values(EXTREMES)]),
    # second derivatives, in x and in the cotangent v
    "gelu_double_backward": (double_backward(lambda x: F.gelu(x * 2)), [real(3, 4), real(3, 4)]),
    "gelu_tanh_double_backward": (double_backward(lambda x: F.gelu(x * 2, approximate="tanh")), [real(3, 4), real(3, 4)]),
    "softplus_double_backward": (double_backward(lambda x: F.softplus(x * 3, beta=2, threshold=4)), [real(3, 4), real(3, 4)]),
    "elu_double_backward": (double_backward(lambda x: F.elu(x * 2, 0.7)), [real(3, 4), real(3, 4)]),
    "silu_double_backward": (double_backward(lambda x: F.silu(x * 2)), [real(3, 4), real(3, 4)]),
    "logsigmoid_double_backward": (double_backward(lambda x: F.logsigmoid(x * 2)), [real(3, 4), real(3, 4)]),
    "erf_double_backward": (double_backward(lambda x: x.erf()), [real(3, 4), real(3, 4)]),
    "reciprocal_rsqrt_expm1_double_backward": (double_backward(lambda x: x.reciprocal() + x.rsqrt() + x.expm1()), [positive(2, 3), real(2, 3)]),
    # free functions
    "free_functions": (
        lambda a, b: torch.add(torch.maximum(torch.exp(a), torch.sub(b, 1)), torch.matmul(torch.tanh(a), torch.sigmoid(b).t())) * torch.div(torch.square(a), 2),
        [real(3, 3), real(3, 3)],
    ),
    "free_functions_unary": (
        lambda x: torch.mul(torch.log(torch.abs(x) + 1) + torch.log1p(torch.sqrt(torch.abs(x))), torch.neg(torch.sin(x)))
        + torch.cos(torch.erf(x))
        + torch.relu(torch.expm1(x))
        + torch.minimum(torch.clamp(x, -0.5, 0.5), torch.pow(x, 3))
        + torch.reciprocal(torch.rsqrt(x * x + 1))
        + torch.sign(x) * torch.floor(x) * torch.ceil(x) * torch.round(x),
        [real(2, 5)],
    ),
}
