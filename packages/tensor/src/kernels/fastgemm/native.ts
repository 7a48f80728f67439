/**
 * tapegrad's native kernels (native/kernels.c, an N-API addon that `pnpm build` compiles
 * where a C compiler and Node's headers exist): products and ReLU's passes on the
 * Float64Arrays' own memory, with 512-bit (AVX-512) or 256-bit (AVX2) fused multiply-adds,
 * each giving the same bits as the WebAssembly FMA kernel. Loaded synchronously in Node only (through
 * `process.getBuiltinModule`, so browser bundles import nothing); wherever the addon is
 * missing, was not built, or the CPU has neither AVX-512 nor AVX2 with FMA, tapegrad runs on
 * WebAssembly as before.
 * TAPEGRAD_NATIVE=0 in the environment leaves it unloaded.
 */

import type { StridedMatrix } from "./strided-matrix.js";
import type { DenseGradients } from "./wasm.js";
import { getThreadCount } from "./threads.js";
import { copyStrided } from "../strided.js";

/** The addon's exports (every argument is checked there: no call reaches outside its arrays). */
export interface NativeKernels {
  gemm(m: number, n: number, k: number, a: Float64Array, aOffset: number, aRowStride: number, aColStride: number, b: Float64Array, bOffset: number, bRowStride: number, bColStride: number, c: Float64Array, cOffset: number, bias: Float64Array | null, relu: boolean, threads: number): void;
  relu(x: Float64Array, xOffset: number, out: Float64Array, outOffset: number, count: number): void;
  reluBackward(g: Float64Array, gOffset: number, gate: Float64Array, gateOffset: number, out: Float64Array, outOffset: number, count: number): void;
  columnSums(x: Float64Array, xOffset: number, rows: number, cols: number, out: Float64Array, outOffset: number): void;
  axpy(y: Float64Array, yOffset: number, x: Float64Array, xOffset: number, count: number, alpha: number): void;
  /** The tile products run on ("avx512", "avx2"); with a name this CPU runs, products use that one from now on (tests). */
  variant(name?: string | null): string | null;
}

/** The addon's ABI_VERSION (kernels.c) this file calls: another build is left unloaded. */
const ABI_VERSION = 2;

/** Where `pnpm build` puts the addon, relative to the package's root. */
const ADDON = "native/build/tapegrad-kernels.node";

type GetBuiltin = (id: string) => unknown;
interface NodeModules {
  require: (path: string) => unknown;
  existsSync: (path: string) => boolean;
  join: (...parts: string[]) => string;
  dirname: (path: string) => string;
  moduleFile: string;
}

/** Node's module, fs, path and url modules and this file's path, or null outside Node (or when `env` says TAPEGRAD_NATIVE=0). */
function nodeModules(env: Record<string, string | undefined> | undefined): NodeModules | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: GetBuiltin; env?: Record<string, string | undefined> } }).process;
  if (typeof proc?.getBuiltinModule !== "function" || (env ?? proc.env)?.TAPEGRAD_NATIVE === "0") return null;
  const get = proc.getBuiltinModule;
  const { createRequire } = get("node:module") as { createRequire(from: string): (path: string) => unknown };
  const { existsSync } = get("node:fs") as { existsSync(path: string): boolean };
  const { join, dirname } = get("node:path") as { join(...parts: string[]): string; dirname(path: string): string };
  const { fileURLToPath } = get("node:url") as { fileURLToPath(url: string): string };
  // ESM (and the sources under vitest) know their URL; the CommonJS build knows __filename.
  const url = typeof import.meta === "object" ? (import.meta as { url?: string }).url : undefined;
  const moduleFile = typeof url === "string" && url.startsWith("file:") ? fileURLToPath(url) : typeof __filename === "string" ? __filename : null;
  if (moduleFile === null) return null;
  return { require: createRequire(moduleFile), existsSync, join, dirname, moduleFile };
}

/**
 * The addon, looked for in this package's root: one directory up from dist/index.js,
 * three from src/kernels/fastgemm/native.ts; null where it cannot run, or when `env`
 * (process.env unless given) has TAPEGRAD_NATIVE=0. Exported for tests.
 */
export function loadNative(env?: Record<string, string | undefined>): NativeKernels | null {
  try {
    const node = nodeModules(env);
    if (node === null) return null;
    let dir = node.dirname(node.moduleFile);
    for (let up = 0; up < 4; up++, dir = node.dirname(dir)) {
      const file = node.join(dir, ADDON);
      if (!node.existsSync(file)) continue;
      const addon = node.require(file) as NativeKernels & { abi?: number; available(): boolean };
      return addon.abi === ABI_VERSION && addon.available() ? addon : null;
    }
  } catch {
    // A foreign build, or a sandbox without native modules: WebAssembly serves.
  }
  return null;
}

let native: NativeKernels | null | undefined;

/** The native kernels, or null where they cannot run (loaded once). */
export function nativeKernels(): NativeKernels | null {
  if (native === undefined) native = loadNative();
  return native;
}

/**
 * C[m×n] = A[m×k]·B[k×n] (+ bias on every row, then ReLU when `relu`) on the native
 * kernel, read and written in place (C as contiguous rows of `c` from `cOffset`): the same
 * bits as gemmWasm's FMA build. Returns false (having done nothing) where the native
 * kernels cannot run. Needs k ≥ 1.
 */
export function gemmNative(m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, c: Float64Array, cOffset: number, bias?: Float64Array, relu = false): boolean {
  const kernels = nativeKernels();
  if (kernels === null) return false;
  kernels.gemm(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride, b.colStride, c, cOffset, bias ?? null, relu, getThreadCount());
  return true;
}

/** Memory for ∂z after a ReLU, reused across calls (never part of a result). */
let scratch = new Float64Array(0);

/**
 * A dense layer's backward on the native kernels, as denseBackwardWasm: ∂z = g, or
 * g·[y > 0] after a ReLU; ∂x = ∂z·W, ∂W = ∂zᵀ·x, ∂b = Σ_rows ∂z, each equal bit for bit to
 * what matmul and sum compute from a contiguous ∂z (and to denseBackwardWasm's FMA build).
 * g must be contiguous rows. Returns false (having done nothing) where the native kernels
 * cannot run. Needs rows, out and in ≥ 1.
 */
export function denseBackwardNative(rows: number, outFeatures: number, inFeatures: number, g: StridedMatrix, y: StridedMatrix | null, x: StridedMatrix, w: StridedMatrix, into: DenseGradients): boolean {
  const kernels = nativeKernels();
  if (kernels === null) return false;
  const count = rows * outFeatures;
  let gz: StridedMatrix = g;
  if (y) {
    if (scratch.length < count) scratch = new Float64Array(count);
    let gate = y;
    if (y.rowStride !== outFeatures || y.colStride !== 1) {
      // A strided y is gathered into contiguous rows first (after the ∂z region).
      if (scratch.length < 2 * count) scratch = new Float64Array(2 * count);
      copyStrided({ data: y.data, offset: y.offset, shape: [rows, outFeatures], strides: [y.rowStride, y.colStride] }, scratch, count);
      gate = { data: scratch, offset: count, rowStride: outFeatures, colStride: 1 };
    }
    kernels.reluBackward(g.data, g.offset, gate.data, gate.offset, scratch, 0, count);
    gz = { data: scratch, offset: 0, rowStride: outFeatures, colStride: 1 };
  }
  if (into.input) gemmNative(rows, inFeatures, outFeatures, gz, w, into.input, 0);
  // ∂zᵀ: ∂z read with its strides swapped.
  if (into.weight) gemmNative(outFeatures, inFeatures, rows, { ...gz, rowStride: gz.colStride, colStride: gz.rowStride }, x, into.weight, 0);
  if (into.bias) kernels.columnSums(gz.data, gz.offset, rows, outFeatures, into.bias, 0);
  return true;
}

/**
 * True when tapegrad's native kernels can run here: in Node, on x86-64 with AVX-512 or AVX2
 * and FMA, once
 * `pnpm build` (or `node scripts/build-native.mjs` in an installed package) has compiled
 * them. They are then the default GEMM kernel ("native"), with the same results as "fma",
 * and split large products across threads (`setNumThreads`). Loading them (with the
 * package) also raises glibc's malloc thresholds for the process, so that large arrays
 * reuse memory instead of faulting fresh pages in; TAPEGRAD_MALLOC=default in the
 * environment leaves malloc as it was, TAPEGRAD_NATIVE=0 leaves the kernels unloaded.
 */
export function nativeKernelsAvailable(): boolean {
  return nativeKernels() !== null;
}

// Loaded with the package in Node rather than at the first product: loading the addon also
// settles glibc's malloc for the process (see steadyMalloc in kernels.c), which every
// large array gains from, an elementwise op's result as much as a product's.
nativeKernels();
