import type { Expressions } from "./expression.js";

/** The reductions cases of scripts/torch_op_cases/reductions.py, op for op, under the same names. */
export const expressions: Expressions = {};
