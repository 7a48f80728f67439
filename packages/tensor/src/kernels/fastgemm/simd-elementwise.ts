import { NDArray } from "../../ndarray.js";
import { sameShape } from "../../layout.js";
import type { BinaryKernel, UnaryKernel } from "../elementwise.js";
import { compiledLoopsEnabled } from "../compile.js";
import { reluBackwardWasm, reluWasm } from "./wasm.js";
import { nativeKernels } from "./native.js";

/**
 * Below this many values the JavaScript loop is as fast as copying into the kernel's
 * memory and back; above, ReLU's loops (whose branches mispredict on random signs) take
 * about 2 ns a value against a fraction of that for the copies and the SIMD pass.
 */
const SIMD_ABOVE = 2048;
/** The native kernels copy nothing: from here their call costs less than the loop's mispredictions. */
const NATIVE_ABOVE = 256;

/** True when `out` is absent or is `x` itself, contiguous (in place). */
const plainOut = (x: NDArray, out: NDArray | undefined): boolean => out === undefined || (out.storage === x.storage && out.offset === x.offset && sameShape(out.shape, x.shape));

/**
 * kernels.relu with a SIMD path (native, else WebAssembly) for large contiguous arrays
 * (into a new array, or in place); every other call, and `setCompiledLoops(false)`, goes
 * to `kernel`.
 */
export function withSimdRelu(kernel: UnaryKernel): UnaryKernel {
  return (x, out) => {
    const native = nativeKernels();
    if (x.size < (native ? NATIVE_ABOVE : SIMD_ABOVE) || !compiledLoopsEnabled() || !x.isContiguous() || !plainOut(x, out)) return kernel(x, out);
    const result = out ?? NDArray.empty(x.shape);
    if (native) {
      native.relu(x.data, x.offset, result.data, result.offset, x.size);
      return result;
    }
    return reluWasm(x.data, x.offset, result.data, result.offset, x.size) ? result : kernel(x, out);
  };
}

/**
 * kernels.passWherePositive with a SIMD path (native, else WebAssembly) for large
 * contiguous operands of one shape (into a new array, or in place into g); every other
 * call goes to `kernel`.
 */
export function withSimdReluBackward(kernel: BinaryKernel): BinaryKernel {
  return (g, gate, out) => {
    const native = nativeKernels();
    if (g.size < (native ? NATIVE_ABOVE : SIMD_ABOVE) || !compiledLoopsEnabled() || !sameShape(g.shape, gate.shape) || !g.isContiguous() || !gate.isContiguous() || !plainOut(g, out) || gate.storage === out?.storage) return kernel(g, gate, out);
    const result = out ?? NDArray.empty(g.shape);
    if (native) {
      native.reluBackward(g.data, g.offset, gate.data, gate.offset, result.data, result.offset, g.size);
      return result;
    }
    return reluBackwardWasm(g.data, g.offset, gate.data, gate.offset, result.data, result.offset, g.size) ? result : kernel(g, gate, out);
  };
}
