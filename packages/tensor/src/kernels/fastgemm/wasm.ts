import { GEMM_WASM_BASE64 } from "./gemm-bytes.generated.js";
import type { StridedMatrix } from "./strided-matrix.js";
import { copyRun, packA, packB } from "./pack.js";

/** The exports of gemm.wat. */
interface GemmExports {
  memory: WebAssembly.Memory;
  gemm(m: number, n: number, k: number, a: number, aRowBytes: number, aColBytes: number, aPanelBytes: number, b: number, bRowBytes: number, bStripBytes: number, c: number, cRowBytes: number, bias: number, hasBias: number): void;
}

let exports: GemmExports | null | undefined;

/**
 * Instantiates the SIMD kernel once, synchronously (the module is under 1 KB, well under
 * browsers' limit for synchronous compilation). Null where WebAssembly or its SIMD
 * extension is missing: `WebAssembly.validate` rejects the module there.
 */
function load(): GemmExports | null {
  if (exports !== undefined) return exports;
  exports = null;
  try {
    if (typeof WebAssembly !== "object" || typeof atob !== "function") return null;
    const bytes = Uint8Array.from(atob(GEMM_WASM_BASE64), (ch) => ch.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return null;
    exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as GemmExports;
  } catch {
    exports = null;
  }
  return exports;
}

/** True when the WebAssembly SIMD kernel can run here. */
export function wasmGemmAvailable(): boolean {
  return load() !== null;
}

/** A view of the kernel's memory with room for `doubles` values, growing it when needed. */
function heap(kernel: GemmExports, doubles: number): Float64Array {
  const needed = doubles * 8;
  const have = kernel.memory.buffer.byteLength;
  if (needed > have) kernel.memory.grow(Math.ceil((needed - have) / 65536));
  return new Float64Array(kernel.memory.buffer);
}

/**
 * C[m×n] = A[m×k]·B[k×n] (+ bias on every row) on the SIMD kernel: copies A and B into
 * its memory (in one block each when their layout allows), runs the kernel, and copies C
 * out into contiguous rows of `c` at `cOffset`. Sums each element over k in order, then
 * adds its bias, like the scalar reference. Returns false (having done nothing) when the
 * kernel is unavailable.
 */
export function gemmWasm(m: number, n: number, k: number, matrixA: StridedMatrix, matrixB: StridedMatrix, c: Float64Array, cOffset: number, bias?: Float64Array): boolean {
  const kernel = load();
  if (!kernel) return false;
  // Edge tiles read up to 3 rows of A and 3 columns of B (and of the bias) past the end:
  // keep that slack inside memory (its values only reach elements of C never stored).
  const aStart = 0;
  const bStart = aStart + 4 * k * ((m + 3) >> 2) + 4;
  const biasStart = bStart + 4 * k * ((n + 3) >> 2) + 4;
  const cStart = biasStart + n + 4;
  const memory = heap(kernel, cStart + m * n);
  const [aRowBytes, aColBytes, aPanelBytes] = packA(memory, aStart, m, k, n, matrixA);
  const [bRowBytes, bStripBytes] = packB(memory, bStart, m, k, n, matrixB);
  if (bias) copyRun(memory, biasStart, bias, 0, n);
  kernel.gemm(m, n, k, aStart * 8, aRowBytes, aColBytes, aPanelBytes, bStart * 8, bRowBytes, bStripBytes, cStart * 8, n * 8, biasStart * 8, bias ? 1 : 0);
  const out = new Float64Array(kernel.memory.buffer, cStart * 8, m * n);
  c.set(out, cOffset);
  return true;
}
