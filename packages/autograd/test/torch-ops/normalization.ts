import type { Expressions } from "./expression.js";

/** The normalization cases of scripts/torch_op_cases/normalization.py, op for op, under the same names. */
export const expressions: Expressions = {};
