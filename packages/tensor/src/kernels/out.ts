import { ShapeError, formatShape } from "../errors.js";
import { sameShape } from "../layout.js";
import type { NDArray } from "../ndarray.js";

/**
 * Checks that `out` can take a kernel's result of `shape`: contiguous, of exactly that
 * shape (a kernel writes its result in row-major order and never broadcasts into `out`).
 * @throws ShapeError naming the op and both shapes.
 */
export function checkOut(op: string, out: NDArray, shape: readonly number[]): void {
  if (!out.isContiguous() || !sameShape(out.shape, shape)) {
    throw new ShapeError(`${op}: out must be contiguous with the result's shape ${formatShape(shape)}, got ${formatShape(out.shape)}${out.isContiguous() ? "" : " (not contiguous)"}`);
  }
}
