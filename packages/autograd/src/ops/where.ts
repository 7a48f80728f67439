import type { Tensor } from "../tensor.js";
import { where as whereOp } from "./arithmetic.js";
import { toTensor, type Operand } from "./operand.js";

/** Elementwise choice: a where condition ≠ 0, else b; all three broadcast. */
export function where(condition: Operand, a: Operand, b: Operand): Tensor {
  return whereOp([toTensor(condition, "where"), toTensor(a, "where"), toTensor(b, "where")], undefined);
}
