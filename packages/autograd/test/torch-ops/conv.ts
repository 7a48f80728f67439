import type { Expressions } from "./expression.js";

/** The conv cases of scripts/torch_op_cases/conv.py, op for op, under the same names. */
export const expressions: Expressions = {};
