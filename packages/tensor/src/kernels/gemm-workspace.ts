import { kernelWorkspace } from "./fastgemm/wasm.js";
import type { KernelWorkspace, MatrixPlacement, WorkspaceProduct } from "./fastgemm/wasm.js";
import { gemmKernel, gemmReference, worthWasm } from "./matmul.js";
import { gemmNative } from "./fastgemm/native.js";
import { placedInside } from "./fastgemm/strided-matrix.js";

export type { MatrixPlacement, WorkspaceProduct };

/**
 * Scratch memory for a kernel that builds GEMM operands itself (the convolutions unfold
 * images into it) and reads the products back from it, with the products run on it. Its
 * regions lie in the WebAssembly kernel's memory when some declared product would run on
 * that kernel, so each operand is written once, where the kernel reads it; else in a
 * JavaScript array. Each product runs on the kernel gemmStrided would pick for its sizes
 * (the scalar reference for small ones), so it equals gemmStrided on the same values bit
 * for bit. The rules of KernelWorkspace hold: fill, run and read within one kernel call,
 * copy results out, and keep no view of `memory` past it.
 */
export type GemmWorkspace = KernelWorkspace;

/** Whether gemmStrided would run this product on the WebAssembly kernel `kernel`. */
const onFastKernel = (kernel: string, m: number, n: number, k: number): boolean => kernel !== "scalar" && k > 0 && worthWasm(m, n, k);

/** The JavaScript fallback's memory, reused across calls (never part of a result), and how many workspaces have taken it. */
let scratch = new Float64Array(0);
let scratchUses = 0;

/**
 * A workspace with regions of `sizes[i]` values and room for any of `products` (each
 * product later run must be one of them, or pack no more than they do): see GemmWorkspace.
 * Region contents are left as the previous call left them.
 */
export function gemmWorkspace(sizes: readonly number[], products: readonly WorkspaceProduct[]): GemmWorkspace {
  const kernel = gemmKernel();
  // The native kernel reads JavaScript memory in place: the scratch array serves it.
  if (kernel === "native") return scratchWorkspace(sizes, true);
  const viaWasm = products.filter((p) => onFastKernel(kernel, p.m, p.n, p.k));
  if (kernel !== "scalar" && viaWasm.length > 0) {
    const inKernel = kernelWorkspace(kernel, sizes, viaWasm);
    if (inKernel !== null) {
      const { memory } = inKernel;
      const gemm = (m: number, n: number, k: number, a: MatrixPlacement, b: MatrixPlacement, cAt: number): void => {
        if (onFastKernel(kernel, m, n, k)) inKernel.gemm(m, n, k, a, b, cAt);
        else gemmReference(m, n, k, { data: memory, ...a }, { data: memory, ...b }, memory, cAt);
      };
      return { memory, regions: inKernel.regions, gemm, copy: inKernel.copy };
    }
  }
  return scratchWorkspace(sizes);
}

/**
 * Regions one after another in the JavaScript scratch array, products on the scalar
 * reference, or with `native` on the native kernel where gemmStrided would take it.
 */
function scratchWorkspace(sizes: readonly number[], native = false): GemmWorkspace {
  const regions: number[] = [];
  let total = 0;
  for (const size of sizes) {
    regions.push(total);
    total += size;
  }
  if (scratch.length < total) scratch = new Float64Array(total);
  const memory = scratch;
  const use = ++scratchUses;
  const current = (): void => {
    if (use !== scratchUses) throw new Error("gemmWorkspace: another call has used the scratch memory since this workspace was made; make a new one");
  };
  const gemm = (m: number, n: number, k: number, a: MatrixPlacement, b: MatrixPlacement, cAt: number): void => {
    current();
    if (!placedInside(a, m, k, total) || !placedInside(b, k, n, total) || cAt < 0 || cAt + m * n > total) throw new Error(`gemmWorkspace: a ${m}×${k}·${k}×${n} product reaches outside the ${total} values reserved`);
    if (native && onFastKernel("native", m, n, k) && gemmNative(m, n, k, { data: memory, ...a }, { data: memory, ...b }, memory, cAt)) return;
    gemmReference(m, n, k, { data: memory, ...a }, { data: memory, ...b }, memory, cAt);
  };
  const copy = (to: number, from: number, count: number): void => {
    current();
    if (to < 0 || from < 0 || count < 0 || to + count > total || from + count > total) throw new Error(`gemmWorkspace: a copy of ${count} values from ${from} to ${to} reaches outside the ${total} values reserved`);
    memory.copyWithin(to, from, from + count);
  };
  return { memory, regions, gemm, copy };
}
