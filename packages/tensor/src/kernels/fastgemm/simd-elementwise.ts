import { NDArray } from "../../ndarray.js";
import { sameShape } from "../../layout.js";
import type { BinaryKernel, UnaryKernel } from "../elementwise.js";
import { compiledLoopsEnabled } from "../compile.js";
import { reluBackwardWasm, reluWasm } from "./wasm.js";

/**
 * Below this many values the JavaScript loop is as fast as copying into the kernel's
 * memory and back; above, ReLU's loops (whose branches mispredict on random signs) take
 * about 2 ns a value against a fraction of that for the copies and the SIMD pass.
 */
const SIMD_ABOVE = 2048;

/** True when `out` is absent or is `x` itself, contiguous (in place). */
const plainOut = (x: NDArray, out: NDArray | undefined): boolean => out === undefined || (out.storage === x.storage && out.offset === x.offset && sameShape(out.shape, x.shape));

/**
 * kernels.relu with a WebAssembly SIMD path for large contiguous arrays (into a new array,
 * or in place); every other call, and `setCompiledLoops(false)`, goes to `kernel`.
 */
export function withSimdRelu(kernel: UnaryKernel): UnaryKernel {
  return (x, out) => {
    if (x.size < SIMD_ABOVE || !compiledLoopsEnabled() || !x.isContiguous() || !plainOut(x, out)) return kernel(x, out);
    const result = out ?? NDArray.empty(x.shape);
    return reluWasm(x.data, x.offset, result.data, result.offset, x.size) ? result : kernel(x, out);
  };
}

/**
 * kernels.passWherePositive with a WebAssembly SIMD path for large contiguous operands of
 * one shape (into a new array, or in place into g); every other call goes to `kernel`.
 */
export function withSimdReluBackward(kernel: BinaryKernel): BinaryKernel {
  return (g, gate, out) => {
    if (g.size < SIMD_ABOVE || !compiledLoopsEnabled() || !sameShape(g.shape, gate.shape) || !g.isContiguous() || !gate.isContiguous() || !plainOut(g, out) || gate.storage === out?.storage) return kernel(g, gate, out);
    const result = out ?? NDArray.empty(g.shape);
    return reluBackwardWasm(g.data, g.offset, gate.data, gate.offset, result.data, result.offset, g.size) ? result : kernel(g, gate, out);
  };
}
