"""Embedding in float64: outputs and weight gradients (and the weight after max_norm's
in-place renormalisation) for packages/nn/test/embedding.test.ts, with torch's own
initial weights so the paddingIdx row shows zeroed. Each case is seeded from its own name."""
import zlib

import torch

torch.set_default_dtype(torch.float64)


def flat(t):
    return {"shape": list(t.shape), "values": t.detach().to(torch.float64).reshape(-1).tolist()}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def case(name, num, dim, index_shape, pretrained=None, indices=None, **options):
    seed(name)
    if pretrained is None:
        module = torch.nn.Embedding(num, dim, **options)
    else:
        module = torch.nn.Embedding.from_pretrained(torch.randn(num, dim) * 2, **pretrained, **options)
    weight_before = module.weight.detach().clone()
    x = torch.randint(0, num, index_shape) if indices is None else torch.tensor(indices)
    y = module(x)
    cotangent = torch.randn(y.shape)
    grad = None
    if module.weight.requires_grad:
        (grad,) = torch.autograd.grad((y * cotangent).sum(), [module.weight])
    camel = {"padding_idx": "paddingIdx", "max_norm": "maxNorm", "norm_type": "normType", "scale_grad_by_freq": "scaleGradByFreq"}
    return {
        "numEmbeddings": num,
        "embeddingDim": dim,
        "options": {camel[k]: v for k, v in options.items()},
        "pretrained": pretrained,
        "paddingIdx": module.padding_idx,
        "weight": flat(weight_before),
        "weightAfter": flat(module.weight),
        "requiresGrad": module.weight.requires_grad,
        "stateShapes": [[k, list(v.shape)] for k, v in module.state_dict().items()],
        "indices": flat(x),
        "output": flat(y),
        "cotangent": flat(cotangent),
        "weightGrad": None if grad is None else flat(grad),
    }


def build():
    cases = {
        "plain": case("plain", 10, 4, (3, 5)),
        "vector_indices": case("vector_indices", 6, 3, (7,)),
        "scalar_index": case("scalar_index", 6, 3, (), indices=4),
        "three_dims": case("three_dims", 5, 2, (2, 3, 2)),
        "padding": case("padding", 8, 3, None, indices=[[2, 0, 2, 5], [7, 2, 2, 1]], padding_idx=2),
        "padding_negative": case("padding_negative", 8, 3, None, indices=[[7, 1], [0, 7]], padding_idx=-1),
        "padding_unused": case("padding_unused", 8, 3, None, indices=[1, 3, 3], padding_idx=0),
        "scale_grad_by_freq": case("scale_grad_by_freq", 6, 3, None, indices=[[1, 1, 4, 1], [0, 4, 2, 2]], scale_grad_by_freq=True),
        "scale_grad_by_freq_padding": case("scale_grad_by_freq_padding", 6, 3, None, indices=[[1, 1, 4, 1], [0, 4, 0, 2]], scale_grad_by_freq=True, padding_idx=0),
        "max_norm": case("max_norm", 7, 4, None, indices=[[0, 3, 3], [5, 6, 0]], max_norm=1.5),
        "max_norm_p1": case("max_norm_p1", 7, 4, None, indices=[[2, 4], [4, 1]], max_norm=2.0, norm_type=1.0),
        "max_norm_p3_padding": case("max_norm_p3_padding", 7, 4, None, indices=[[2, 4], [4, 6]], max_norm=1.0, norm_type=3.0, padding_idx=4),
        "pretrained_frozen": case("pretrained_frozen", 5, 3, (4,), pretrained={}),
        "pretrained_trainable_padding": case("pretrained_trainable_padding", 5, 3, None, pretrained={"freeze": False}, indices=[[1, 0], [1, 3]], padding_idx=1),
    }
    return {"cases": cases}
