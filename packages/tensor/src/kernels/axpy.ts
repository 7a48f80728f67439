import { DataError, ShapeError } from "../errors.js";
import { nativeKernels } from "./fastgemm/native.js";

/** Below this many values the JavaScript loop beats the native call. */
const NATIVE_FROM = 256;

/**
 * y ← y + alpha·x in place, value by value (BLAS's axpy): each product is rounded before
 * its sum, so every engine gives the same bits. The optimizers' update of a parameter's
 * memory; on the native kernels (where they load) it runs as a vectorized C loop, where
 * V8's loop takes about 1.4 ns a value.
 * @throws ShapeError when x and y differ in length; DataError when alpha is not a number.
 */
export function axpy(y: Float64Array, x: Float64Array, alpha: number): void {
  if (!(y instanceof Float64Array) || !(x instanceof Float64Array)) throw new DataError("axpy: y and x must be Float64Arrays");
  if (y.length !== x.length) throw new ShapeError(`axpy: y has ${y.length} values but x has ${x.length}`);
  if (typeof alpha !== "number") throw new DataError(`axpy: alpha must be a number, got ${typeof alpha}`);
  const n = y.length;
  const native = n >= NATIVE_FROM ? nativeKernels() : null;
  if (native) {
    native.axpy(y, 0, x, 0, n, alpha);
    return;
  }
  for (let i = 0; i < n; i++) y[i] = y[i]! + alpha * x[i]!;
}
