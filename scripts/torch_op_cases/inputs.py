"""Input makers for the op cases: each says how its values are drawn and, as `kind`, how
the TypeScript test rebuilds it (float64 tensors throughout there: indices and masks are
float64 tensors of integers and 0/1, as tapegrad's API takes them)."""
import torch


class Input:
    def __init__(self, kind, make):
        self.kind = kind
        self._make = make

    def make(self):
        return self._make()


def real(*shape):
    """Standard normal values; the input gets a gradient."""
    return Input("real", lambda: torch.randn(*shape, dtype=torch.float64).requires_grad_(True))


def positive(*shape):
    """|N(0, 1)| + 0.5: logs, square roots, denominators; the input gets a gradient."""
    return Input("real", lambda: (torch.randn(*shape, dtype=torch.float64).abs() + 0.5).requires_grad_(True))


def values(data):
    """Exactly these values (zeros for prod, ties for sort); the input gets a gradient."""
    return Input("real", lambda: torch.tensor(data, dtype=torch.float64).requires_grad_(True))


def constant(*shape):
    """Standard normal values that get no gradient (a source to copy from, a bound)."""
    return Input("constant", lambda: torch.randn(*shape, dtype=torch.float64))


def index(high, *shape):
    """Integers in [0, high) as an int64 tensor (float64 in TypeScript); no gradient."""
    return Input("index", lambda: torch.randint(0, high, shape))


def index_values(data):
    """These integer indices, as an int64 tensor; no gradient."""
    return Input("index", lambda: torch.tensor(data, dtype=torch.int64))


def mask(*shape):
    """A boolean mask (0/1 float64 in TypeScript); no gradient."""
    return Input("mask", lambda: torch.rand(*shape) < 0.5)
