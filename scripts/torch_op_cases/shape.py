"""Shape ops: split, chunk, unbind, repeat, flip, outer. Each expression is written op for
op in packages/autograd/test/torch-ops/shape.ts under the same name."""
import torch
from inputs import real  # noqa: F401

CASES = {
    "square_transposed": (lambda x: x.t().square(), [real(3, 2)]),
}
