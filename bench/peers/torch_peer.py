"""PyTorch peer of bench/run.mjs: the same computations the way a PyTorch user writes them
(nn.Sequential of nn.Linear, a loss module, optim.SGD), float64 on one thread (or, with
PEER_THREADS=default, on as many as PyTorch picks), timed the same way (warm-up, median)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import blas_info, serve  # noqa: E402

# One thread unless PEER_THREADS=default asks for PyTorch's own choice (all cores).
if os.environ.get("PEER_THREADS", "1") != "default":
    torch.set_num_threads(int(os.environ.get("PEER_THREADS", "1")))
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)


def mlp_step(sizes, n, activation):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        layers.append(torch.nn.Sigmoid() if i == len(sizes) - 2 else torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh())
    model = torch.nn.Sequential(*layers)
    X = torch.randn(n, sizes[0])
    Y = (torch.rand(n, 1) > 0.5).double()
    loss_fn = torch.nn.BCELoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()

    return step


def softmax_step():
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    X = torch.randn(128, 784)
    labels = (torch.arange(128) * 7) % 10
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss_fn(model(X), labels).backward()
        opt.step()

    return step


def no_grad(fn):
    def run():
        with torch.no_grad():
            return fn()

    return run


def conv_step():
    """Two convolutions (1→8→16 channels, 3×3, padding 1) on 64 MNIST-sized images, forward
    and backward of their weights and biases: the same step as bench/run.mjs's conv case."""
    x = torch.randn(64, 1, 28, 28)
    conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
    conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
    params = [*conv1.parameters(), *conv2.parameters()]

    def step():
        for p in params:
            p.grad = None
        conv2(conv1(x)).sum().backward()

    return step


def build(case):
    kind = case["kind"]
    if kind == "conv":
        return conv_step()
    if kind == "mlp":
        return mlp_step(case["sizes"], case["n"], case["activation"])
    if kind == "softmax":
        return softmax_step()
    if kind == "matmul":
        m, k, n = case["m"], case["k"], case["n"]
        a = torch.randn(k, m).t() if case.get("transposeA") else torch.randn(m, k)
        b = torch.randn(n, k).t() if case.get("transposeB") else torch.randn(k, n)
        return no_grad(lambda: a @ b)
    x = torch.randn(*case["shape"])
    y = torch.randn(*(case.get("otherShape") or case["shape"]))
    out = torch.randn(*case["shape"])
    return no_grad({
        "add": lambda: x + y,
        "addOut": lambda: torch.add(x, y, out=out),
        "mul": lambda: x * y,
        "exp": lambda: torch.exp(x),
        "sum0": lambda: x.sum(0),
        "sum1": lambda: x.sum(1),
    }[case["op"]])


if __name__ == "__main__":
    serve({"version": f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s)", "blas": blas_info()}, build)
