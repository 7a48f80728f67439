"""numpy peer of bench/run.mjs: the same computations written the way the numpy tutorials
write them (seed 000's feed-forward and hand-written backward: weights [in, out],
Z = A @ W + b, a cache of every Z and A), timed the same way (warm-up, median).
bench/run.mjs starts it twice, with one BLAS thread and with the default.
bench/run.mjs raises glibc's mmap and trim thresholds for it (see there): with the
defaults, every step gives its 360 KB arrays back to the system and faults fresh pages in.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import blas_info, serve  # noqa: E402


def relu(Z):
    return np.maximum(0, Z)


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def init_params(sizes, rng):
    """Weights [in, out] from U(−1/√in, 1/√in) (PyTorch's range, as tapegrad's Dense), biases 0."""
    return [(rng.uniform(-1, 1, (sizes[i], sizes[i + 1])) / np.sqrt(sizes[i]), np.zeros((1, sizes[i + 1]))) for i in range(len(sizes) - 1)]


def feed_forward(X, params, hidden, last):
    """Returns the cache [(A_prev, Z, A), …] of every layer."""
    cache = []
    A = X
    for l, (W, b) in enumerate(params):
        Z = A @ W + b
        A_next = last(Z) if l == len(params) - 1 else hidden(Z)
        cache.append((A, Z, A_next))
        A = A_next
    return cache


def backward(dZ, params, cache, hidden_grad, lr):
    """From dZ of the last layer down: dW = A_prevᵀ·dZ, db = Σ dZ, dA_prev = dZ·Wᵀ; updates in place."""
    for l in reversed(range(len(params))):
        W, b = params[l]
        A_prev, _, _ = cache[l]
        dW = A_prev.T @ dZ
        db = np.sum(dZ, axis=0, keepdims=True)
        if l > 0:
            dA = dZ @ W.T
            dZ = hidden_grad(dA, cache[l - 1])
        W -= lr * dW
        b -= lr * db


def mlp_step(sizes, n, activation, rng):
    X = rng.standard_normal((n, sizes[0]))
    Y = (rng.random((n, 1)) > 0.5).astype(np.float64)
    params = init_params(sizes, rng)
    if activation == "relu":
        hidden, hidden_grad = relu, lambda dA, c: dA * (c[1] > 0)
    else:
        hidden, hidden_grad = np.tanh, lambda dA, c: dA * (1 - c[2] ** 2)

    def step():
        cache = feed_forward(X, params, hidden, sigmoid)
        A = cache[-1][2]
        eps = 1e-12
        cost = -np.mean(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps))
        backward((A - Y) / n, params, cache, hidden_grad, 0.01)
        return cost

    return step


def softmax_step(rng):
    n = 128
    X = rng.standard_normal((n, 784))
    labels = (np.arange(n) * 7) % 10
    onehot = np.eye(10)[labels]
    params = init_params([784, 256, 128, 10], rng)

    def step():
        cache = feed_forward(X, params, relu, lambda Z: Z)
        logits = cache[-1][2]
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        cost = -(logp * onehot).sum() / n
        backward((np.exp(logp) - onehot) / n, params, cache, lambda dA, c: dA * (c[1] > 0), 0.01)
        return cost

    return step


def build(case, rng):
    kind = case["kind"]
    if kind == "mlp":
        return mlp_step(case["sizes"], case["n"], case["activation"], rng)
    if kind == "softmax":
        return softmax_step(rng)
    if kind == "matmul":
        m, k, n = case["m"], case["k"], case["n"]
        a = rng.standard_normal((k, m)).T if case.get("transposeA") else rng.standard_normal((m, k))
        b = rng.standard_normal((n, k)).T if case.get("transposeB") else rng.standard_normal((k, n))
        return lambda: a @ b
    x = rng.standard_normal(case["shape"])
    y = rng.standard_normal(case["otherShape"]) if "otherShape" in case else rng.standard_normal(case["shape"])
    out = rng.standard_normal(case["shape"])
    return {
        "add": lambda: x + y,
        "addOut": lambda: np.add(x, y, out=out),
        "mul": lambda: x * y,
        "exp": lambda: np.exp(x),
        "sum0": lambda: x.sum(0),
        "sum1": lambda: x.sum(1),
    }[case["op"]]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    serve({"version": f"numpy {np.__version__}", "blas": blas_info()}, lambda case: build(case, rng))
