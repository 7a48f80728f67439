"""LayerNorm, BatchNorm1d and BatchNorm2d in float64: outputs, input and parameter gradients
and (for batch norm) the running statistics after every step, over several train steps and
then eval, for packages/nn/test/normalization.test.ts. Each case is seeded from its own
name, so adding a case leaves the others' numbers unchanged."""
import zlib

import torch

torch.set_default_dtype(torch.float64)


def flat(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def state_shapes(module):
    return [[k, list(v.shape)] for k, v in module.state_dict().items()]


def randomize_affine(module):
    """Weights other than the ones/zeros PyTorch starts from, so the affine part is tested."""
    with torch.no_grad():
        if getattr(module, "weight", None) is not None:
            module.weight.copy_(torch.randn(module.weight.shape) * 0.5 + 1)
        if getattr(module, "bias", None) is not None:
            module.bias.copy_(torch.randn(module.bias.shape) * 0.5)


def run(module, x, transpose):
    """One forward and backward: x (stored contiguous) is transposed first when asked."""
    x = x.clone().requires_grad_(True)
    y = module(x.transpose(0, 1) if transpose else x)
    cotangent = torch.randn(y.shape)
    params = [p for p in module.parameters()]
    grads = torch.autograd.grad((y * cotangent).sum(), [x] + params)
    names = [n for n, _ in module.named_parameters()]
    return {
        "input": flat(x),
        "output": flat(y),
        "cotangent": flat(cotangent),
        "inputGrad": flat(grads[0]),
        "paramGrads": {n: flat(g) for n, g in zip(names, grads[1:])},
    }


def layer_norm_case(name, normalized_shape, input_shape, transpose=False, **options):
    seed(name)
    module = torch.nn.LayerNorm(normalized_shape, **options)
    randomize_affine(module)
    camel = {"elementwise_affine": "elementwiseAffine"}
    x = torch.randn(*input_shape) * 2 + 0.7
    return {
        "kind": "LayerNorm",
        "normalizedShape": list(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else normalized_shape,
        "options": {camel.get(k, k): v for k, v in options.items()},
        "state": {k: flat(v) for k, v in module.state_dict().items()},
        "stateShapes": state_shapes(module),
        "transpose": transpose,
        "steps": [{"mode": "train", **run(module, x, transpose)}],
    }


def batch_norm_case(name, kind, num_features, schedule, input_shape, transpose=False, **options):
    """schedule: a string of t (train step) and e (eval step)."""
    seed(name)
    module = getattr(torch.nn, kind)(num_features, **options)
    randomize_affine(module)
    camel = {"track_running_stats": "trackRunningStats"}
    state = {k: flat(v) for k, v in module.state_dict().items()}
    steps = []
    for mode in schedule:
        module.train(mode == "t")
        # Channels with different means and spreads, so the statistics differ per channel.
        shape = list(input_shape)
        channel_shape = [1] * len(shape)
        channel_shape[1] = shape[1]
        if transpose:
            shape[0], shape[1] = shape[1], shape[0]
            channel_shape[0], channel_shape[1] = channel_shape[1], channel_shape[0]
        x = torch.randn(*shape) * (torch.rand(*channel_shape) * 2 + 0.5) + torch.randn(*channel_shape)
        step = {"mode": "train" if mode == "t" else "eval", **run(module, x, transpose)}
        step["buffers"] = {k: flat(v.to(torch.float64)) for k, v in module.named_buffers()}
        steps.append(step)
    return {
        "kind": kind,
        "numFeatures": num_features,
        "options": {camel.get(k, k): v for k, v in options.items()},
        "state": state,
        "stateShapes": state_shapes(module),
        "transpose": transpose,
        "steps": steps,
    }


def build():
    cases = {
        "ln_last": layer_norm_case("ln_last", 5, (3, 5)),
        "ln_two_dims": layer_norm_case("ln_two_dims", [3, 4], (2, 3, 3, 4)),
        "ln_no_affine": layer_norm_case("ln_no_affine", 6, (4, 6), elementwise_affine=False),
        "ln_eps_unbatched": layer_norm_case("ln_eps_unbatched", [2, 5], (2, 5), eps=1e-3),
        "ln_transposed": layer_norm_case("ln_transposed", 4, (4, 3), transpose=True),
        "ln_constant_rows": None,
        "bn1d": batch_norm_case("bn1d", "BatchNorm1d", 4, "tttete", (8, 4)),
        "bn1d_length": batch_norm_case("bn1d_length", "BatchNorm1d", 3, "ttte", (4, 3, 5), momentum=0.3),
        "bn1d_cumulative": batch_norm_case("bn1d_cumulative", "BatchNorm1d", 3, "tttte", (6, 3), momentum=None),
        "bn1d_no_affine": batch_norm_case("bn1d_no_affine", "BatchNorm1d", 5, "tte", (7, 5), affine=False),
        "bn1d_no_tracking": batch_norm_case("bn1d_no_tracking", "BatchNorm1d", 3, "tte", (5, 3, 2), track_running_stats=False),
        "bn1d_two_samples": batch_norm_case("bn1d_two_samples", "BatchNorm1d", 3, "tte", (2, 3)),
        "bn1d_transposed": batch_norm_case("bn1d_transposed", "BatchNorm1d", 4, "tte", (6, 4), transpose=True),
        "bn2d": batch_norm_case("bn2d", "BatchNorm2d", 3, "ttte", (4, 3, 5, 6)),
        "bn2d_eps_momentum": batch_norm_case("bn2d_eps_momentum", "BatchNorm2d", 2, "tete", (2, 2, 3, 3), eps=1e-3, momentum=0.5),
        "bn2d_single_sample": batch_norm_case("bn2d_single_sample", "BatchNorm2d", 2, "te", (1, 2, 2, 3)),
    }
    # Rows of equal values: var = 0, so eps alone sets the scale (and the gradient is large).
    seed("ln_constant_rows")
    module = torch.nn.LayerNorm(4)
    randomize_affine(module)
    x = torch.randn(3, 1).expand(3, 4).contiguous()
    cases["ln_constant_rows"] = {
        "kind": "LayerNorm",
        "normalizedShape": 4,
        "options": {},
        "state": {k: flat(v) for k, v in module.state_dict().items()},
        "stateShapes": state_shapes(module),
        "transpose": False,
        "steps": [{"mode": "train", **run(module, x, False)}],
    }
    return {"cases": cases}
