"""PyTorch peer of bench/conv2d.mjs: the same two convolutions (1→8→16 channels, 3×3,
padding 1) on the same batch of 64 MNIST-sized images, forward and backward, in float64 on
one thread. Reads one line per round on stdin ({"repeats": r}), answers one JSON line
{"ms": median milliseconds of r steps}; the first line also warms up."""
import json
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

x = torch.randn(64, 1, 28, 28)
conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
params = list(conv1.parameters()) + list(conv2.parameters())


def step():
    for p in params:
        p.grad = None
    y = conv2(conv1(x))
    y.sum().backward()


def median_ms(repeats):
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        step()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return samples[len(samples) // 2]


for _ in range(3):
    step()
print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps({"ms": median_ms(request["repeats"])}), flush=True)
