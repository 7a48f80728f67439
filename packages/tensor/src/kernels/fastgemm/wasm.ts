import { GEMM_FMA_WASM_BASE64, GEMM_WASM_BASE64 } from "./gemm-bytes.generated.js";
import type { StridedMatrix } from "./strided-matrix.js";

/** The exports of gemm.wat (both builds). */
interface GemmExports {
  memory: WebAssembly.Memory;
  pack(src: number, rowBytes: number, colBytes: number, rows: number, cols: number, dst: number): void;
  gemm(m: number, n: number, k: number, a: number, aRowBytes: number, aColBytes: number, aPanelBytes: number, b: number, bRowBytes: number, bStripBytes: number, c: number, bias: number, flags: number): void;
}

/** The two builds of gemm.wat: with fused multiply-adds (relaxed SIMD) and without (SIMD). */
export type WasmGemmBuild = "fma" | "simd";

const loaded = new Map<WasmGemmBuild, GemmExports | null>();

/**
 * Instantiates one build of the kernel once, synchronously (each module is about 1 KB,
 * well under browsers' limit for synchronous compilation). Null where WebAssembly or the
 * build's extension is missing: `WebAssembly.validate` rejects the module there (relaxed
 * SIMD: Node 20 without --experimental-wasm-relaxed-simd, older browsers).
 */
function load(build: WasmGemmBuild): GemmExports | null {
  const known = loaded.get(build);
  if (known !== undefined) return known;
  let exports: GemmExports | null = null;
  try {
    if (typeof WebAssembly === "object" && typeof atob === "function") {
      const base64 = build === "fma" ? GEMM_FMA_WASM_BASE64 : GEMM_WASM_BASE64;
      const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
      if (WebAssembly.validate(bytes)) exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as GemmExports;
    }
  } catch {
    exports = null;
  }
  loaded.set(build, exports);
  return exports;
}

/** True when the WebAssembly SIMD kernel (or, given "fma", its relaxed-SIMD build) can run here. */
export function wasmGemmAvailable(build: WasmGemmBuild = "simd"): boolean {
  return load(build) !== null;
}

/** A view of the kernel's memory with room for `doubles` values, growing it when needed. */
function heap(kernel: GemmExports, doubles: number): Float64Array {
  const needed = doubles * 8;
  const have = kernel.memory.buffer.byteLength;
  if (needed > have) kernel.memory.grow(Math.ceil((needed - have) / 65536));
  return new Float64Array(kernel.memory.buffer);
}

/** Rounds a count of doubles up to a whole cache line (8 doubles), so every region starts aligned. */
const line = (doubles: number): number => (doubles + 7) & ~7;

/**
 * Values from the first to one past the last element a rows×cols strided matrix reads, or
 * -1 when copying that span would copy much more than the matrix (a narrow view of a large
 * array) or a stride is negative.
 */
function span(rows: number, cols: number, { rowStride, colStride }: StridedMatrix): number {
  if (rowStride < 0 || colStride < 0) return -1;
  const extent = rowStride * (rows - 1) + colStride * (cols - 1) + 1;
  return extent <= 2 * rows * cols + 64 ? extent : -1;
}

/** An operand copied into the kernel's memory: its first element's index and its strides there. */
interface Staged {
  at: number;
  rowStride: number;
  colStride: number;
}

/**
 * Copies the values a rows×cols matrix reads into the kernel's memory at `at`: the span
 * from its first to its last element in one block (strides kept), or, for a view whose
 * span is much wider than itself, its elements gathered row by row (strides cols, 1).
 */
function stage(memory: Float64Array, at: number, rows: number, cols: number, x: StridedMatrix): Staged {
  const extent = span(rows, cols, x);
  if (extent >= 0) {
    memory.set(x.data.subarray(x.offset, x.offset + extent), at);
    return { at, rowStride: x.rowStride, colStride: x.colStride };
  }
  const { data, offset, rowStride, colStride } = x;
  for (let i = 0, to = at; i < rows; i++) for (let p = 0; p < cols; p++) memory[to++] = data[offset + i * rowStride + p * colStride]!;
  return { at, rowStride: cols, colStride: 1 };
}

/** Values `stage` needs at most for a rows×cols matrix. */
const staged = (rows: number, cols: number, x: StridedMatrix): number => Math.max(span(rows, cols, x), rows * cols);

/**
 * An operand larger than this many values (32 KiB, an L1 cache)...
 */
const PACK_ABOVE = 4096;
/**
 * ...is packed in strips when at least this many rows of A, 16 tiles, re-read it: rows of
 * B read 32 bytes at a time at a stride of n·8 bytes crowd into a few cache sets and evict
 * each other (measured before this kernel: packing made 256² 14% and 512² 22% faster).
 */
const PACK_ROWS = 64;
const PACK_A = (globalThis as any).process?.env?.PACK_A === "1";
const PACK_ALL_B = (globalThis as any).process?.env?.PACK_B === "1";

/**
 * C[m×n] = A[m×k]·B[k×n] (+ bias on every row, then ReLU when `relu`) on one build of the
 * kernel: copies A and B into its memory (each in one block where its layout allows),
 * packs B in strips of 4 columns when many tiles re-read it or its rows are not
 * contiguous, runs the kernel, and copies C out into contiguous rows of `c` at
 * `cOffset`. Each element is summed over k in order from 0, then the bias is added; on
 * the SIMD build that is the scalar reference bit for bit, on the FMA build each step is
 * one fused multiply-add. Returns false (having done nothing) when that build is
 * unavailable. Needs k ≥ 1.
 */
export function gemmWasm(build: WasmGemmBuild, m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, c: Float64Array, cOffset: number, bias?: Float64Array, relu = false): boolean {
  const kernel = load(build);
  if (!kernel) return false;
  const n4 = (n + 3) & ~3;
  const pack = PACK_ALL_B || b.colStride !== 1 || (m >= PACK_ROWS && k * n > PACK_ABOVE);
  const biasStart = 0;
  const cStart = biasStart + line(n4);
  const aStart = cStart + line(m * n);
  const bStart = aStart + line(staged(m, k, a));
  // Row-major B's last strip reads up to 3 values past its end: 4 of slack.
  const packStart = bStart + line(staged(k, n, b) + 4);
  const packA = PACK_A;
  const aPackStart = packStart + line(pack ? n4 * k : 0);
  const memory = heap(kernel, aPackStart + (packA ? ((m + 3) & ~3) * k : 0));
  const left = stage(memory, aStart, m, k, a);
  let aArgs = [left.at * 8, left.rowStride * 8, left.colStride * 8, left.rowStride * 32];
  if (packA) {
    kernel.pack(left.at * 8, left.rowStride * 8, left.colStride * 8, m, k, aPackStart * 8);
    aArgs = [aPackStart * 8, 8, 32, 32 * k];
  }
  const right = stage(memory, bStart, k, n, b);
  let bAt = right.at;
  let bRowBytes = right.rowStride * 8;
  let bStripBytes = 32;
  if (pack) {
    // B packed as Bᵀ: its columns become the rows of the strips.
    kernel.pack(right.at * 8, right.colStride * 8, right.rowStride * 8, n, k, packStart * 8);
    [bAt, bRowBytes, bStripBytes] = [packStart, 32, 32 * k];
  }
  if (bias) {
    memory.set(bias.subarray(0, n), biasStart);
    memory.fill(0, biasStart + n, biasStart + n4);
  }
  // B in the outer loop when it is the larger operand: each of its strips then stays in
  // L1 while A streams past from L2.
  const bOuter = n > m ? 4 : 0;
  const flags = (bias ? 1 : 0) | (relu ? 2 : 0) | bOuter;
  kernel.gemm(m, n, k, aArgs[0]!, aArgs[1]!, aArgs[2]!, aArgs[3]!, bAt * 8, bRowBytes, bStripBytes, cStart * 8, biasStart * 8, flags);
  c.set(memory.subarray(cStart, cStart + m * n), cOffset);
  return true;
}
