"""Conv1d, Conv2d, Flatten and Unflatten layers, and a LeNet-style stack of stock layers:
outputs, input gradients and parameter gradients for seeded weights, in float64.
packages/nn/test/conv.test.ts and flatten.test.ts build the same layers from `kind`, `args`
and `options` (camelCase), load `state`, and compare. Gradients are those of
sum(output · cotangent)."""
import torch

torch.set_default_dtype(torch.float64)


def enc(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def run(layer, x, kind, args, options):
    x = x.clone().requires_grad_(True)
    y = layer(x)
    cotangent = torch.randn(y.shape)
    params = dict(layer.named_parameters())
    grads = torch.autograd.grad((y * cotangent).sum(), [x, *params.values()])
    return {
        "kind": kind,
        "args": args,
        "options": options,
        "state": {k: enc(v) for k, v in layer.state_dict().items()},
        "keys": [[k, list(v.shape)] for k, v in layer.state_dict().items()],
        "repr": str(layer),
        "input": enc(x),
        "output": enc(y),
        "cotangent": enc(cotangent),
        "inputGrad": enc(grads[0]),
        "paramGrads": {k: enc(g) for k, g in zip(params, grads[1:])},
    }


def conv(kind, args, options, input_shape, torch_options=None):
    torch_options = options if torch_options is None else torch_options
    layer = getattr(torch.nn, kind)(*args, **torch_options)
    return run(layer, torch.randn(*input_shape), kind, list(args), options)


def build():
    torch.manual_seed(14)
    cases = {
        "conv2d_basic": conv("Conv2d", (3, 4, 3), {}, (2, 3, 6, 5)),
        "conv2d_stride_padding": conv("Conv2d", (2, 3, (3, 2)), {"stride": 2, "padding": 1}, (2, 2, 7, 6)),
        "conv2d_pairs_dilation": conv("Conv2d", (2, 4, (2, 3)), {"stride": [1, 2], "padding": [2, 0], "dilation": [2, 1]}, (1, 2, 7, 8), {"stride": (1, 2), "padding": (2, 0), "dilation": (2, 1)}),
        "conv2d_groups": conv("Conv2d", (4, 6, 3), {"padding": 1, "groups": 2}, (2, 4, 5, 5)),
        "conv2d_depthwise_no_bias": conv("Conv2d", (3, 6, 3), {"stride": 2, "groups": 3, "bias": False}, (2, 3, 7, 7)),
        "conv2d_same_even": conv("Conv2d", (2, 3, (2, 4)), {"padding": "same"}, (2, 2, 5, 6)),
        "conv2d_same_dilated": conv("Conv2d", (2, 2, 3), {"padding": "same", "dilation": 2}, (1, 2, 6, 7)),
        "conv2d_valid": conv("Conv2d", (2, 2, 3), {"padding": "valid"}, (1, 2, 5, 5)),
        "conv2d_unbatched": conv("Conv2d", (3, 2, 3), {"padding": 1}, (3, 5, 4)),
        "conv2d_pointwise": conv("Conv2d", (3, 5, 1), {}, (2, 3, 4, 4)),
        "conv1d_basic": conv("Conv1d", (3, 4, 3), {}, (2, 3, 9)),
        "conv1d_options": conv("Conv1d", (4, 6, 3), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2}, (2, 4, 11)),
        "conv1d_same_no_bias": conv("Conv1d", (2, 3, 4), {"padding": "same", "bias": False}, (2, 2, 7)),
        "conv1d_unbatched": conv("Conv1d", (3, 2, 3), {"padding": 1}, (3, 6)),
    }
    # Flatten and Unflatten (no parameters).
    x = torch.randn(2, 3, 4, 5)
    cases["flatten_default"] = run(torch.nn.Flatten(), x, "Flatten", [], {})
    cases["flatten_middle"] = run(torch.nn.Flatten(1, 2), x, "Flatten", [1, 2], {})
    cases["flatten_all_negative"] = run(torch.nn.Flatten(-4, -1), x, "Flatten", [-4, -1], {})
    cases["unflatten"] = run(torch.nn.Unflatten(1, (2, 6)), torch.randn(3, 12, 2), "Unflatten", [1, [2, 6]], {})
    cases["unflatten_inferred"] = run(torch.nn.Unflatten(-1, (-1, 4)), torch.randn(3, 12), "Unflatten", [-1, [-1, 4]], {})

    # A LeNet-style stack on 28×28 inputs, as the tutorials write it.
    lenet = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(256, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(), torch.nn.Linear(84, 10),
    )
    cases["lenet"] = run(lenet, torch.randn(2, 1, 28, 28), "LeNet", [], {})
    # The convolutions' parameter gradients only (they pass through every later layer); the
    # dense layers' 41k would double the file for what dense.test.ts and the Linear fixtures cover.
    cases["lenet"]["paramGrads"] = {k: v for k, v in cases["lenet"]["paramGrads"].items() if k.split(".")[0] in ("0", "3")}
    return {"cases": cases}
