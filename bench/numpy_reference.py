"""numpy peer of bench/run.mjs: the same computations, written the way the numpy
tutorials write them (hand-written backprop), timed the same way (warm-up, median).
Prints one JSON object {case: milliseconds} on stdout."""
import json
import sys
import time

import numpy as np


def median_ms(fn, repeats, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


def mlp_step(sizes, n, hidden_act, rng):
    X = rng.standard_normal((n, sizes[0]))
    Y = (rng.random((n, 1)) > 0.5).astype(np.float64)
    Ws = [rng.uniform(-1, 1, (sizes[i + 1], sizes[i])) / np.sqrt(sizes[i]) for i in range(len(sizes) - 1)]
    bs = [np.zeros(sizes[i + 1]) for i in range(len(sizes) - 1)]
    lr = 0.01

    def step():
        As, Zs = [X], []
        A = X
        for i, (W, b) in enumerate(zip(Ws, bs)):
            Z = A @ W.T + b
            Zs.append(Z)
            if i == len(Ws) - 1:
                A = 1 / (1 + np.exp(-Z))
            elif hidden_act == "relu":
                A = np.maximum(Z, 0)
            else:
                A = np.tanh(Z)
            As.append(A)
        eps = 1e-12
        loss = -np.mean(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps))
        dZ = (A - Y) / n
        for i in reversed(range(len(Ws))):
            dW = dZ.T @ As[i]
            db = dZ.sum(0)
            if i > 0:
                dA = dZ @ Ws[i]
                dZ = dA * (Zs[i - 1] > 0) if hidden_act == "relu" else dA * (1 - As[i] ** 2)
            Ws[i] -= lr * dW
            bs[i] -= lr * db
        return loss

    return step


def softmax_step(rng):
    sizes = [784, 256, 128, 10]
    n = 128
    X = rng.standard_normal((n, 784))
    labels = rng.integers(0, 10, n)
    onehot = np.eye(10)[labels]
    Ws = [rng.uniform(-1, 1, (sizes[i + 1], sizes[i])) / np.sqrt(sizes[i]) for i in range(3)]
    bs = [np.zeros(sizes[i + 1]) for i in range(3)]

    def step():
        As, Zs = [X], []
        A = X
        for i, (W, b) in enumerate(zip(Ws, bs)):
            Z = A @ W.T + b
            Zs.append(Z)
            A = Z if i == 2 else np.maximum(Z, 0)
            As.append(A)
        m = A.max(1, keepdims=True)
        logp = A - m - np.log(np.exp(A - m).sum(1, keepdims=True))
        loss = -(logp * onehot).sum() / n
        dZ = (np.exp(logp) - onehot) / n
        for i in reversed(range(3)):
            dW = dZ.T @ As[i]
            db = dZ.sum(0)
            if i > 0:
                dZ = (dZ @ Ws[i]) * (Zs[i - 1] > 0)
            Ws[i] -= 0.01 * dW
            bs[i] -= 0.01 * db
        return loss

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


def main():
    """Serves timing requests, one JSON object per line on stdin: {"case": {...},
    "repeats": n, "warmup": w}, answering each with the median in ms. Built cases are
    kept, so the caller can interleave rounds with its own measurements."""
    rng = np.random.default_rng(0)
    built = {}
    threads = "unknown"
    try:
        from threadpoolctl import threadpool_info

        threads = ",".join(f"{i['internal_api']}:{i['num_threads']}" for i in threadpool_info())
    except Exception:
        pass
    print(json.dumps({"numpy": np.__version__, "blas": threads}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        case = request["case"]
        if case["name"] not in built:
            built[case["name"]] = build(case, rng)
        print(json.dumps({"ms": median_ms(built[case["name"]], request["repeats"], request["warmup"])}), flush=True)


if __name__ == "__main__":
    main()
