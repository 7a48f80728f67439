"""MaxPool1d/2d and AvgPool1d/2d layers: outputs and input gradients (of
sum(output · cotangent)), with padding, ceil mode, dilation, count_include_pad,
divisor_override, unbatched inputs and ties (the gradient goes to the first maximum of each
window). packages/nn/test/pooling.test.ts builds the same layers from `kind`, `args` and
`options` (camelCase) and compares."""
import torch

torch.set_default_dtype(torch.float64)

TIES = torch.tensor([[[[1.0, 3.0, 3.0, 0.0, 2.0], [3.0, 2.0, 3.0, 1.0, 2.0], [0.0, 3.0, 1.0, 1.0, 0.0], [2.0, 2.0, 2.0, 2.0, 2.0]],
                      [[5.0, 5.0, 5.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0, 5.0]]]])

SNAKE = {"ceil_mode": "ceilMode", "count_include_pad": "countIncludePad", "divisor_override": "divisorOverride"}


def enc(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def case(kind, args, options, x):
    layer = getattr(torch.nn, kind)(*args, **options)
    x = x.clone().requires_grad_(True)
    y = layer(x)
    cotangent = torch.randn(y.shape)
    (grad,) = torch.autograd.grad((y * cotangent).sum(), [x])
    camel = {SNAKE.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}
    return {"kind": kind, "args": [list(a) if isinstance(a, tuple) else a for a in args], "options": camel, "repr": str(layer),
            "input": enc(x), "output": enc(y), "cotangent": enc(cotangent), "inputGrad": enc(grad),
            "keys": [[k, list(v.shape)] for k, v in layer.state_dict().items()]}


def build():
    torch.manual_seed(15)
    r = torch.randn
    return {"cases": {
        "max_pool2d_default": case("MaxPool2d", [2], {}, r(2, 3, 6, 6)),
        "max_pool2d_stride_padding": case("MaxPool2d", [3], {"stride": 2, "padding": 1}, r(2, 2, 7, 6)),
        "max_pool2d_pairs_dilation_ceil": case("MaxPool2d", [(2, 3)], {"stride": (1, 2), "padding": (1, 1), "dilation": (2, 1), "ceil_mode": True}, r(1, 2, 7, 8)),
        "max_pool2d_ceil": case("MaxPool2d", [3], {"stride": 2, "ceil_mode": True}, r(1, 2, 6, 7)),
        "max_pool2d_ties": case("MaxPool2d", [2], {"stride": 1}, TIES),
        "max_pool2d_ties_padding": case("MaxPool2d", [3], {"stride": 2, "padding": 1, "ceil_mode": True}, TIES),
        "max_pool2d_unbatched": case("MaxPool2d", [2], {}, r(3, 5, 5)),
        "max_pool1d": case("MaxPool1d", [3], {"stride": 2, "padding": 1, "ceil_mode": True}, r(2, 3, 9)),
        "max_pool1d_dilation_unbatched": case("MaxPool1d", [2], {"dilation": 2}, r(2, 9)),
        "avg_pool2d_default": case("AvgPool2d", [2], {}, r(2, 3, 6, 6)),
        "avg_pool2d_padding": case("AvgPool2d", [3], {"stride": 2, "padding": 1}, r(2, 2, 7, 6)),
        "avg_pool2d_exclude_pad_ceil": case("AvgPool2d", [3], {"stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}, r(1, 2, 6, 6)),
        "avg_pool2d_ceil": case("AvgPool2d", [3], {"stride": 2, "padding": 1, "ceil_mode": True}, r(1, 2, 6, 6)),
        "avg_pool2d_divisor": case("AvgPool2d", [2], {"stride": 1, "padding": 1, "divisor_override": 3}, r(1, 2, 4, 5)),
        "avg_pool2d_pairs_unbatched": case("AvgPool2d", [(2, 3)], {"stride": (1, 2), "padding": (1, 1)}, r(2, 5, 7)),
        "avg_pool1d": case("AvgPool1d", [3], {"stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}, r(2, 2, 8)),
        "avg_pool1d_unbatched": case("AvgPool1d", [2], {}, r(3, 7)),
    }}
