import { chunk, flip, outer, split, unbind } from "@tapegrad/autograd";
import type { Expressions } from "./expression.js";

/** The shape cases of scripts/torch_op_cases/shape.py, op for op, under the same names. */
export const expressions: Expressions = {
  split_size: (x) => x.split(2, 1),
  split_sizes_negative_dim: (x) => x.split([1, 3, 0, 1], -1),
  split_transposed: (x) => split(x.t(), 2),
  split_larger_than_dim: (x) => x.split(7),
  split_pieces_combined: (x) => x.split(2)[0]!.mul(x.split([2, 2])[0]!.flip(0)).add(x.split(1)[3]!.exp()),
  chunk: (x) => x.chunk(3, 1),
  chunk_fewer_pieces: (x) => chunk(x, 4),
  chunk_transposed_negative_dim: (x) => x.t().chunk(2, -2),
  unbind: (x) => x.unbind(1),
  unbind_transposed_negative_dim: (x) => unbind(x.t(), -1),
  repeat: (x) => x.repeat(2, 1, 3),
  repeat_transposed: (x) => x.t().repeat(2, 2).mul(1.5),
  repeat_scalar_and_ones: (x, y) => [x.repeat(3, 2), y.repeat(1, 1)],
  flip: (x) => x.flip(0, 2),
  flip_transposed_negative_dim: (x) => flip(x.t(), [-1]),
  flip_all: (x) => x.flip([0, 1, 2]).sin(),
  outer: (a, b) => a.outer(b),
  outer_free: (a, b) => outer(a.exp(), b).mul(2),
};
