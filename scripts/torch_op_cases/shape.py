"""Shape ops: split, chunk, unbind, repeat, flip, outer. Each expression is written op for
op in packages/autograd/test/torch-ops/shape.ts under the same name."""
import torch
from inputs import real, values  # noqa: F401

CASES = {
    "split_size": (lambda x: x.split(2, 1), [real(3, 5)]),
    "split_sizes_negative_dim": (lambda x: x.split([1, 3, 0, 1], -1), [real(2, 5)]),
    "split_transposed": (lambda x: torch.split(x.t(), 2), [real(3, 5)]),
    "split_larger_than_dim": (lambda x: x.split(7), [real(5, 2)]),
    "split_pieces_combined": (lambda x: [a * b.flip(0) for a, b in zip(x.split(2), x.split([2, 2]))][0] + x.split(1)[3].exp(), [real(4, 3)]),
    "chunk": (lambda x: x.chunk(3, 1), [real(2, 7)]),
    "chunk_fewer_pieces": (lambda x: torch.chunk(x, 4), [real(6, 2)]),
    "chunk_transposed_negative_dim": (lambda x: x.t().chunk(2, -2), [real(3, 5)]),
    "unbind": (lambda x: x.unbind(1), [real(2, 3, 2)]),
    "unbind_transposed_negative_dim": (lambda x: torch.unbind(x.t(), -1), [real(3, 2)]),
    "repeat": (lambda x: x.repeat(2, 1, 3), [real(2, 3)]),
    "repeat_transposed": (lambda x: x.t().repeat(2, 2) * 1.5, [real(3, 2)]),
    "repeat_scalar_and_ones": (lambda x, y: [x.repeat(3, 2), y.repeat(1, 1)], [values(0.7), real(2, 2)]),
    "flip": (lambda x: x.flip(0, 2), [real(2, 3, 4)]),
    "flip_transposed_negative_dim": (lambda x: torch.flip(x.t(), [-1]), [real(3, 4)]),
    "flip_all": (lambda x: x.flip([0, 1, 2]).sin(), [real(2, 2, 3)]),
    "outer": (lambda a, b: a.outer(b), [real(3), real(4)]),
    "outer_free": (lambda a, b: torch.outer(a.exp(), b) * 2, [real(2), real(5)]),
}
