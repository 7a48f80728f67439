import { GEMM_WASM_BASE64 } from "./gemm-bytes.generated.js";
import type { StridedMatrix } from "./strided-matrix.js";

/** The exports of gemm.wat. */
interface GemmExports {
  memory: WebAssembly.Memory;
  gemm(mp: number, np: number, k: number, a: number, aRowBytes: number, aColBytes: number, b: number, c: number): void;
}

let exports: GemmExports | null | undefined;

/**
 * Instantiates the SIMD kernel once, synchronously (the module is 600 bytes, well under
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
 * C[m×n] = A[m×k]·B[k×n] on the SIMD kernel: copies strided A and B into its memory as
 * row-major blocks padded to multiples of 4 (zeros in the padding), runs the kernel, and copies C out
 * into contiguous rows of `c` at `cOffset`. Sums each element over k in order, like the
 * scalar reference. Returns false (having done nothing) when the kernel is unavailable.
 */
export function gemmWasm(m: number, n: number, k: number, matrixA: StridedMatrix, matrixB: StridedMatrix, c: Float64Array, cOffset: number): boolean {
  const { data: a, offset: aOffset, rowStride: aRowStride, colStride: aColStride } = matrixA;
  const { data: b, offset: bOffset, rowStride: bRowStride, colStride: bColStride } = matrixB;
  const kernel = load();
  if (!kernel) return false;
  const mp = (m + 3) & ~3;
  const np = (n + 3) & ~3;
  const aStart = 0;
  const bStart = mp * k;
  const cStart = bStart + k * np;
  const memory = heap(kernel, cStart + mp * np);
  // A keeps the layout that copies in blocks: a transposed view (columns contiguous, as
  // Aᵀ in a weight gradient) is stored column by column, anything else row by row.
  let aRowBytes: number;
  let aColBytes: number;
  if (aRowStride === 1 && aColStride !== 1) {
    for (let p = 0; p < k; p++) {
      const q0 = aOffset + p * aColStride;
      memory.set(a.subarray(q0, q0 + m), aStart + p * mp);
      if (mp > m) memory.fill(0, aStart + p * mp + m, aStart + (p + 1) * mp);
    }
    aRowBytes = 8;
    aColBytes = mp * 8;
  } else {
    if (aColStride === 1 && aRowStride === k) memory.set(a.subarray(aOffset, aOffset + m * k), aStart);
    else {
      for (let i = 0; i < m; i++) {
        const row = aStart + i * k;
        const q0 = aOffset + i * aRowStride;
        if (aColStride === 1) memory.set(a.subarray(q0, q0 + k), row);
        else for (let p = 0, q = q0; p < k; p++, q += aColStride) memory[row + p] = a[q]!;
      }
    }
    memory.fill(0, aStart + m * k, aStart + mp * k);
    aRowBytes = k * 8;
    aColBytes = 8;
  }
  // B row-major with rows padded to np by zeros.
  if (bColStride === 1 && bRowStride === n && np === n) memory.set(b.subarray(bOffset, bOffset + k * n), bStart);
  else for (let p = 0; p < k; p++) {
    const row = bStart + p * np;
    const q0 = bOffset + p * bRowStride;
    if (bColStride === 1) memory.set(b.subarray(q0, q0 + n), row);
    else for (let j = 0, q = q0; j < n; j++, q += bColStride) memory[row + j] = b[q]!;
    if (np > n) memory.fill(0, row + n, row + np);
  }
  kernel.gemm(mp, np, k, aStart * 8, aRowBytes, aColBytes, bStart * 8, cStart * 8);
  const out = new Float64Array(kernel.memory.buffer);
  if (np === n) c.set(out.subarray(cStart, cStart + m * n), cOffset);
  else for (let i = 0; i < m; i++) c.set(out.subarray(cStart + i * np, cStart + i * np + n), cOffset + i * n);
  return true;
}
