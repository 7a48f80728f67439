import { DataError, NDArray, kernels } from "@tapegrad/tensor";
import { Tensor } from "../tensor.js";

/** A Tensor, or a plain number that broadcasts like a 0-d tensor. */
export type Operand = Tensor | number;

/**
 * Turns an operand into a Tensor; numbers become constants that need no gradient.
 * @throws DataError naming the op for anything else.
 */
export function toTensor(value: Operand, op: string): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value === "number") return new Tensor(kernels.scalar(value));
  throw new DataError(`${op}: expected a Tensor or a number, got ${describeValue(value)}`);
}

/** A constant tensor (no gradient) around an array, for masks inside VJPs. */
export function constant(array: NDArray): Tensor {
  return new Tensor(array);
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array (wrap it with tensor(...))";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
