import { kernels, nativeKernelsAvailable, wasmGemmAvailable } from "@tapegrad/tensor";
import { setGemmKernel, type GemmKernel } from "../src/kernels/matmul.js";

/** The GEMM kernels this engine can run, fastest first. */
export const availableKernels: GemmKernel[] = (["native", "fma", "simd", "scalar"] as const).filter((k) => k === "scalar" || (k === "native" ? nativeKernelsAvailable() : wasmGemmAvailable(k)));

/** The WebAssembly builds among them: the kernels that split products across helper threads. */
export const wasmKernels = availableKernels.filter((k): k is "fma" | "simd" => k === "fma" || k === "simd");

/** True for the kernels that work on JavaScript memory in place (no WebAssembly memory). */
export const inJavaScriptMemory = (kernel: GemmKernel): kernel is "native" | "scalar" => kernel === "native" || kernel === "scalar";

/** Runs `fn` with matrix products on `kernel`, then restores the kernel chosen before. */
export function onKernel<T>(kernel: GemmKernel, fn: () => T): T {
  const previous = setGemmKernel(kernel);
  try {
    return fn();
  } finally {
    setGemmKernel(previous);
  }
}

/** The first index where two arrays differ (NaN equal to NaN, −0 not to +0), or −1: a short failure message for long arrays. */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.min(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) if (!Object.is(actual[i], expected[i])) return i;
  return -1;
}

/** Runs `fn` with compiled loops off, so elementwise ops and pooling run their reference loops instead of a fast path. */
export function onReferenceLoops<T>(fn: () => T): T {
  const previous = kernels.setCompiledLoops(false);
  try {
    return fn();
  } finally {
    kernels.setCompiledLoops(previous);
  }
}
