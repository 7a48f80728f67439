import type { Expressions } from "./expression.js";

/** The indexing cases of scripts/torch_op_cases/indexing.py, op for op, under the same names. */
export const expressions: Expressions = {};
