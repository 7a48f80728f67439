import type { Expressions } from "./expression.js";

/** The shape cases of scripts/torch_op_cases/shape.py, op for op, under the same names. */
export const expressions: Expressions = {
  square_transposed: (x) => x.t().square(),
};
