"""Creation functions with no random numbers: linspace, arange, eye, full, zeros, ones.
Each expression is written op for op in packages/autograd/test/torch-ops/creation.ts under
the same name (and compared there, in packages/autograd/test/creation.test.ts). The cases
take no inputs; the values are torch's own (float64 throughout, so integer arguments are
written as floats where torch would otherwise pick int64)."""
import torch

NO_GRAD = {"grad": False}

LINSPACE = {
    # name: (start, end, steps)
    "5_10": (5.0, 10.0),
    "10_5": (10.0, 5.0),
    "m1_1": (-1.0, 1.0),
    "m3p7_11p2": (-3.7, 11.2),
    "small_7p3": (1e-3, 7.3),
    "3_3": (3.0, 3.0),
    "big": (-1e6, 1e6 + 0.1),
}
STEPS = [0, 1, 2, 3, 4, 7, 8, 9, 16, 17, 33, 100]

CASES = {}
for name, (start, end) in LINSPACE.items():
    for n in STEPS:
        CASES[f"linspace_{name}_{n}"] = ((lambda s, e, k: lambda: torch.linspace(s, e, k))(start, end, n), [], NO_GRAD)

ARANGE = {
    "5": (5.0,),
    "2p5": (2.5,),
    "0": (0.0,),
    "5_0_m1": (5.0, 0.0, -1.0),
    "0_1_0p3": (0.0, 1.0, 0.3),
    "0_0p9_0p3": (0.0, 0.9, 0.3),
    "1_m1_m0p4": (1.0, -1.0, -0.4),
    "1_2p5_0p5": (1.0, 2.5, 0.5),
    "m2p5_30_1p3": (-2.5, 30.0, 1.3),
    "0_100_0p1": (0.0, 100.0, 0.1),
    "0_20_0p7": (0.0, 20.0, 0.7),
    "3_3": (3.0, 3.0),
    "10_m10_m3": (10.0, -10.0, -3.0),
    # (1.3 − 1)/0.1 rounds to 3.0000000000000004: torch's size rule gives 4 values, ending at 1.3.
    "1_1p3_0p1": (1.0, 1.3, 0.1),
    "m1_m1p3_m0p1": (-1.0, -1.3, -0.1),
}
for name, args in ARANGE.items():
    CASES[f"arange_{name}"] = ((lambda a: lambda: torch.arange(*a))(args), [], NO_GRAD)

for name, args in {"0": (0,), "1": (1,), "3": (3,), "2_3": (2, 3), "4_2": (4, 2), "3_0": (3, 0), "0_2": (0, 2)}.items():
    CASES[f"eye_{name}"] = ((lambda a: lambda: torch.eye(*a))(args), [], NO_GRAD)

CASES.update({
    "full_2_3": (lambda: torch.full((2, 3), 7.5), [], NO_GRAD),
    "full_scalar": (lambda: torch.full((), -2.0), [], NO_GRAD),
    "full_empty": (lambda: torch.full((0, 3), 1.0), [], NO_GRAD),
    "zeros_0_3": (lambda: torch.zeros(0, 3), [], NO_GRAD),
    "zeros_scalar": (lambda: torch.zeros(()), [], NO_GRAD),
    "ones_2_1_3": (lambda: torch.ones(2, 1, 3), [], NO_GRAD),
    "tensor_empty": (lambda: torch.tensor([]), [], NO_GRAD),
    "tensor_1_0": (lambda: torch.tensor([[]]), [], NO_GRAD),
    "tensor_2_0": (lambda: torch.tensor([[], []]), [], NO_GRAD),
    "tensor_scalar": (lambda: torch.tensor(3.5), [], NO_GRAD),
    "full_like_2_0": (lambda: torch.full_like(torch.ones(2, 0), 3.0), [], NO_GRAD),
    "ones_like_scalar": (lambda: torch.ones_like(torch.tensor(2.0)), [], NO_GRAD),
})
