import type { Expressions } from "./expression.js";

/** The pooling cases of scripts/torch_op_cases/pooling.py, op for op, under the same names. */
export const expressions: Expressions = {};
