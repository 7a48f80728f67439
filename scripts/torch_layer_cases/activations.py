"""Activation modules in float64: outputs and input gradients for
packages/nn/test/activations.test.ts. Inputs include exact zeros (the kinks, where the
gradient is PyTorch's convention) and values beyond softplus's threshold. Each case is
seeded from its own name."""
import zlib

import torch

torch.set_default_dtype(torch.float64)


def flat(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def case(name, module, shape, kwargs):
    torch.manual_seed(zlib.crc32(name.encode()))
    x = torch.randn(*shape) * 3
    x.view(-1)[::5] = 0.0
    x = x.requires_grad_(True)
    y = module(x)
    cotangent = torch.randn(y.shape)
    (grad,) = torch.autograd.grad((y * cotangent).sum(), [x])
    return {"module": type(module).__name__, "args": kwargs, "input": flat(x), "output": flat(y), "cotangent": flat(cotangent), "inputGrad": flat(grad)}


def build():
    nn = torch.nn
    # name: (module, input shape, the constructor's arguments in tapegrad's form)
    specs = {
        "relu": (nn.ReLU(), (4, 5), []),
        "sigmoid": (nn.Sigmoid(), (4, 5), []),
        "tanh": (nn.Tanh(), (4, 5), []),
        "softmax_dim0": (nn.Softmax(0), (4, 5), [0]),
        "gelu": (nn.GELU(), (4, 5), []),
        "gelu_tanh": (nn.GELU(approximate="tanh"), (3, 2, 4), [{"approximate": "tanh"}]),
        "leaky_relu": (nn.LeakyReLU(), (4, 5), []),
        "leaky_relu_slope": (nn.LeakyReLU(0.2), (4, 5), [0.2]),
        "elu": (nn.ELU(), (4, 5), []),
        "elu_alpha": (nn.ELU(alpha=0.5), (4, 5), [0.5]),
        "silu": (nn.SiLU(), (4, 5), []),
        "softplus": (nn.Softplus(), (4, 5), []),
        "softplus_beta_threshold": (nn.Softplus(beta=2, threshold=1.5), (4, 5), [{"beta": 2, "threshold": 1.5}]),
        "log_softmax_dim1": (nn.LogSoftmax(dim=1), (4, 5), [1]),
        "log_softmax_last": (nn.LogSoftmax(dim=-1), (2, 3, 4), [-1]),
    }
    return {"cases": {name: case(name, module, shape, args) for name, (module, shape, args) in specs.items()}}
