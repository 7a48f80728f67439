import { GEMM_FMA_WASM_BASE64, GEMM_SHARED_FMA_WASM_BASE64, GEMM_SHARED_WASM_BASE64, GEMM_WASM_BASE64 } from "./gemm-bytes.generated.js";
import { placedInside, type StridedMatrix } from "./strided-matrix.js";
import { gemmOnThreads, kernelMemory, splitsAcrossThreads } from "./threads.js";

/** The exports of gemm.wat (both builds). */
interface GemmExports {
  memory: WebAssembly.Memory;
  pack(src: number, rowBytes: number, colBytes: number, rows: number, cols: number, dst: number): void;
  gemm(m: number, n: number, k: number, a: number, aRowBytes: number, aColBytes: number, aPanelBytes: number, b: number, bRowBytes: number, bStripBytes: number, c: number, bias: number, flags: number): void;
  reluBackward(g: number, gate: number, dst: number, count: number): void;
  relu(src: number, dst: number, count: number): void;
  columnSums(src: number, rows: number, cols: number, dst: number): void;
  copy(dst: number, src: number, bytes: number): void;
  maxPool(src: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, oh: number, ow: number, dst: number, at: number): void;
}

/** The two builds of gemm.wat: with fused multiply-adds (relaxed SIMD) and without (SIMD). */
export type WasmGemmBuild = "fma" | "simd";

const loaded = new Map<string, GemmExports | null>();

/** The memory helper threads share with each instance: the shared one for shared instances, else null. */
const threadMemory = new WeakMap<GemmExports, WebAssembly.Memory | null>();
/** The build of each instance. */
const builds = new WeakMap<GemmExports, WasmGemmBuild>();

/**
 * Pages (64 KiB) of the plain memory both unshared builds work in: 64 MiB, reserved once
 * and touched only as far as calls reach. It is never grown where a shared memory exists
 * (calls that need more go to the shared instance, whose memory grows without detaching):
 * growing detaches the old buffer, and after one detached buffer V8 checks every
 * typed-array access in the process for detachment (measured: simple loops 1.5× slower).
 */
const PLAIN_PAGES = 1024;
let plain: WebAssembly.Memory | undefined;
const plainMemory = (): WebAssembly.Memory => (plain ??= new WebAssembly.Memory({ initial: PLAIN_PAGES }));

/**
 * The instance to run a call that needs `doubles` values of memory on: `kernel` itself,
 * or, when it is a plain instance too small for the call and a shared memory exists, the
 * same build over the shared memory (so that the plain memory never grows).
 */
function fitting(kernel: GemmExports, doubles: number): GemmExports {
  if (threadMemory.get(kernel) !== null || doubles * 8 <= kernel.memory.buffer.byteLength || kernelMemory() === null) return kernel;
  return load(builds.get(kernel)!, true) ?? kernel;
}

/**
 * Instantiates one build of the kernel once, synchronously (each module is under 2 KB,
 * well under browsers' limit for synchronous compilation): with `shared`, over the memory
 * helper threads share (threads.ts; null where there is none), else over its own. Null
 * where WebAssembly or the build's extension is missing: `WebAssembly.validate` rejects
 * the module there (relaxed SIMD: Node 20 without --experimental-wasm-relaxed-simd, older
 * browsers).
 */
function load(build: WasmGemmBuild, shared = false): GemmExports | null {
  const key = `${build}${shared ? ":shared" : ""}`;
  const known = loaded.get(key);
  if (known !== undefined) return known;
  let exports: GemmExports | null = null;
  try {
    const memory = shared ? kernelMemory() : null;
    if (typeof WebAssembly === "object" && typeof atob === "function" && (memory !== null || !shared)) {
      const base64 = memory ? (build === "fma" ? GEMM_SHARED_FMA_WASM_BASE64 : GEMM_SHARED_WASM_BASE64) : build === "fma" ? GEMM_FMA_WASM_BASE64 : GEMM_WASM_BASE64;
      const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
      if (WebAssembly.validate(bytes)) exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: memory ?? plainMemory() } }).exports as unknown as GemmExports;
      if (exports) {
        threadMemory.set(exports, memory);
        builds.set(exports, build);
      }
    }
  } catch {
    exports = null;
  }
  loaded.set(key, exports);
  return exports;
}

/**
 * The instance for products that split across helper threads (on the shared memory) when
 * `split`, else the unshared one, where copies in and out are about twice as fast.
 */
const instanceFor = (build: WasmGemmBuild, split: boolean): GemmExports | null => (split ? load(build, true) : null) ?? load(build);

/** True when the WebAssembly SIMD kernel (or, given "fma", its relaxed-SIMD build) can run here. */
export function wasmGemmAvailable(build: WasmGemmBuild = "simd"): boolean {
  return load(build) !== null;
}

/**
 * Counts the calls that have taken the kernel's memory (heap): a workspace made at one
 * count refuses to run once another call has used the memory after it.
 */
let memoryUses = 0;

/** A view of the kernel's memory with room for `doubles` values, growing it when needed. */
function heap(kernel: GemmExports, doubles: number): Float64Array {
  memoryUses++;
  const needed = doubles * 8;
  const have = kernel.memory.buffer.byteLength;
  if (needed > have) kernel.memory.grow(Math.ceil((needed - have) / 65536));
  return new Float64Array(kernel.memory.buffer);
}

/**
 * Plans one call's use of the kernel's memory: regions handed out one after another, each
 * starting on a cache line (8 doubles), with `slack` values after each for the kernels'
 * reads past an end (row-major B's last strip, pairs over an odd count).
 */
class Regions {
  total = 0;
  take(doubles: number, slack = 4): number {
    const at = this.total;
    this.total += (doubles + slack + 7) & ~7;
    return at;
  }
}

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

/** Values `stage` needs at most for a rows×cols matrix. */
const stagedSize = (rows: number, cols: number, x: StridedMatrix): number => Math.max(span(rows, cols, x), rows * cols);

/**
 * Copies the values a rows×cols matrix reads into the kernel's memory at `at` and returns
 * the matrix as the kernel sees it there (data = memory): the span from its first to its
 * last element in one block, strides kept; or, for a view whose span is much wider than
 * itself (or with `contiguous`, for any layout but row-major), its elements gathered into
 * contiguous rows.
 */
function stage(memory: Float64Array, at: number, rows: number, cols: number, x: StridedMatrix, contiguous = false): StridedMatrix {
  const extent = span(rows, cols, x);
  const rowMajor = x.colStride === 1 && x.rowStride === cols;
  if (extent >= 0 && (!contiguous || rowMajor)) {
    memory.set(x.data.subarray(x.offset, x.offset + extent), at);
    return { data: memory, offset: at, rowStride: x.rowStride, colStride: x.colStride };
  }
  const { data, offset, rowStride, colStride } = x;
  for (let i = 0, to = at; i < rows; i++) for (let p = 0; p < cols; p++) memory[to++] = data[offset + i * rowStride + p * colStride]!;
  return { data: memory, offset: at, rowStride: cols, colStride: 1 };
}

/**
 * An operand larger than this many values (32 KiB, an L1 cache)...
 */
const PACK_ABOVE = 4096;
/**
 * ...is packed in strips when at least this many rows of A, 16 tiles, re-read it: rows of
 * B read 32 bytes at a time at a stride of n·8 bytes crowd into a few cache sets and evict
 * each other (measured before this kernel: packing made 256² 14% and 512² 22% faster)...
 */
const PACK_ROWS = 64;
/**
 * ...or when each tile sums over at least this many rows of B: a weight gradient's long
 * sums (k = 900) then stream B from consecutive addresses (measured on the moons layers'
 * ∂W: the kernel 10–30% faster, more than the packing costs). B whose rows are not
 * contiguous is always packed.
 */
const PACK_DEPTH = 512;

const packsB = (m: number, k: number, n: number, b: Pick<StridedMatrix, "colStride">): boolean => b.colStride !== 1 || ((m >= PACK_ROWS || k >= PACK_DEPTH) && k * n > PACK_ABOVE);

/**
 * A that is not row-major (a transposed operand: Aᵀ of a weight gradient) is packed in
 * strips of 4 rows when many B strips re-read it: read in place its columns lie a whole
 * row of the source apart and, for sizes a multiple of a power of two, crowd into a few
 * cache sets (256²ᵀ: 10 GFLOP/s in place).
 */
const packsA = (m: number, k: number, n: number, a: Pick<StridedMatrix, "colStride">): boolean => a.colStride !== 1 && n >= PACK_ROWS && m * k > PACK_ABOVE;

/** Where one GEMM's operands are packed, planned before memory is sized: -1 for one read in place. */
function planPack(regions: Regions, m: number, k: number, n: number, a: StridedMatrix, b: StridedMatrix): { a: number; b: number } {
  return { a: packsA(m, k, n, a) ? regions.take(((m + 3) & ~3) * k) : -1, b: packsB(m, k, n, b) ? regions.take(((n + 3) & ~3) * k) : -1 };
}

/**
 * C[m×n] = A·B (+ bias, then ReLU) with every operand staged in the kernel's memory
 * already (`a` and `b` as `stage` returned them, C and the bias as offsets): packs the
 * operands planPack placed, then runs the kernel (splitting it across helper threads as
 * gemmOnThreads decides; mid-sized products only when `midSized`).
 */
function run(kernel: GemmExports, build: WasmGemmBuild, m: number, n: number, k: number, a: StridedMatrix, b: StridedMatrix, packAt: { a: number; b: number }, cAt: number, biasAt: number, flags: number, midSized = true): void {
  let [aAt, aRowBytes, aColBytes, aPanelBytes] = [a.offset, a.rowStride * 8, a.colStride * 8, a.rowStride * 32];
  if (packAt.a >= 0) {
    kernel.pack(a.offset * 8, a.rowStride * 8, a.colStride * 8, m, k, packAt.a * 8);
    [aAt, aRowBytes, aColBytes, aPanelBytes] = [packAt.a, 8, 32, 32 * k];
  }
  let [bAt, bRowBytes, bStripBytes] = [b.offset, b.rowStride * 8, 32];
  if (packAt.b >= 0) {
    // B packed as Bᵀ: its columns become the rows of the strips.
    kernel.pack(b.offset * 8, b.colStride * 8, b.rowStride * 8, n, k, packAt.b * 8);
    [bAt, bRowBytes, bStripBytes] = [packAt.b, 32, 32 * k];
  }
  // B in the outer loop when it is the larger operand: each of its strips then stays in
  // L1 while A streams past from L2.
  const bOuter = n > m ? 4 : 0;
  gemmOnThreads(kernel.gemm, build === "fma" ? 1 : 0, threadMemory.get(kernel) ?? null, [m, n, k, aAt * 8, aRowBytes, aColBytes, aPanelBytes, bAt * 8, bRowBytes, bStripBytes, cAt * 8, biasAt * 8, flags | bOuter], midSized);
}

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
  const chosen = instanceFor(build, splitsAcrossThreads(m, n, k, build === "fma" ? 1 : 0));
  if (!chosen) return false;
  const regions = new Regions();
  const biasAt = regions.take(n);
  const cAt = regions.take(m * n);
  const aAt = regions.take(stagedSize(m, k, a));
  const bAt = regions.take(stagedSize(k, n, b));
  const packAt = planPack(regions, m, k, n, a, b);
  const kernel = fitting(chosen, regions.total);
  const memory = heap(kernel, regions.total);
  if (bias) {
    memory.set(bias.subarray(0, n), biasAt);
    memory.fill(0, biasAt + n, biasAt + n + 4);
  }
  run(kernel, build, m, n, k, stage(memory, aAt, m, k, a), stage(memory, bAt, k, n, b), packAt, cAt, biasAt, (bias ? 1 : 0) | (relu ? 2 : 0));
  c.set(memory.subarray(cAt, cAt + m * n), cOffset);
  return true;
}

/** The `data` of a matrix that lives in the kernel's memory, which `run` never reads through it. */
const IN_KERNEL_MEMORY = new Float64Array(0);

/** How a matrix lies in memory it does not name: element (i, j) at `offset + i·rowStride + j·colStride`. */
export type MatrixPlacement = Omit<StridedMatrix, "data">;

/**
 * A product a workspace will run, declared before its memory is sized: its sizes and its
 * operands' strides (offsets do not matter here), which decide whether and how much of
 * each operand the kernel packs.
 */
export interface WorkspaceProduct {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: Pick<StridedMatrix, "rowStride" | "colStride">;
  readonly b: Pick<StridedMatrix, "rowStride" | "colStride">;
}

/**
 * Regions of the kernel's memory that a caller fills with GEMM operands itself and reads
 * products from, so an operand it builds (a convolution's unfolded image) is written once,
 * where the kernel reads it, rather than built in JavaScript and copied in, and a product
 * is read where the kernel wrote it.
 *
 * `memory` views the kernel's memory only until the next call that takes that memory
 * (any other product, ReLU or workspace): memory that is not shared is replaced when it
 * grows, and any call may overwrite these regions. So fill, run and read within one
 * kernel call, and copy results out into arrays of their own; `gemm` throws when another
 * call has taken the memory in between.
 */
export interface KernelWorkspace {
  /** The kernel's memory (all of it); the regions are offsets into it. */
  readonly memory: Float64Array;
  /** Where each region asked for starts in `memory`, in the order asked for. */
  readonly regions: readonly number[];
  /**
   * C[m×n] = A[m×k]·B[k×n] with A and B read from `memory` where they are placed, C
   * written as contiguous rows at `cAt`: packs what `run` decides, then runs the kernel
   * (on helper threads when the product is large), each element summed over k in order
   * from 0 as gemmWasm sums it.
   * @throws Error when k < 1, the product packs more than the declared products reserved
   * room for, an operand or C lies outside the regions, or another call has taken the
   * memory since.
   */
  gemm(m: number, n: number, k: number, a: MatrixPlacement, b: MatrixPlacement, cAt: number): void;
  /**
   * Copies `count` values within `memory` from `from` to `to` (the two may overlap), as
   * `memory.copyWithin(to, from, from + count)` would, but in WebAssembly: on a shared
   * memory copyWithin is 2.5–3.5× slower (an unfold makes one such copy per channel and
   * tap).
   * @throws Error when a run lies outside the regions or another call has taken the memory since.
   */
  copy(to: number, from: number, count: number): void;
}

/**
 * Reserves regions of `sizes[i]` values in one build's memory (each on a cache line, with
 * slack after it for the kernel's reads past an end) plus room to pack the operands of
 * any of `products`, grows the memory to fit, and returns the workspace; null (having
 * reserved nothing) when that build is unavailable.
 */
export function kernelWorkspace(build: WasmGemmBuild, sizes: readonly number[], products: readonly WorkspaceProduct[]): KernelWorkspace | null {
  const chosen = instanceFor(build, products.some(({ m, n, k }) => splitsAcrossThreads(m, n, k, build === "fma" ? 1 : 0, false)));
  if (!chosen) return null;
  const plan = new Regions();
  const regions = sizes.map((size) => plan.take(size));
  // One area for each packed operand, as large as the largest declared product needs.
  const packedA = Math.max(0, ...products.map(({ m, n, k, a }) => (packsA(m, k, n, a) ? ((m + 3) & ~3) * k : 0)));
  const packedB = Math.max(0, ...products.map(({ m, n, k, b }) => (packsB(m, k, n, b) ? ((n + 3) & ~3) * k : 0)));
  const packAAt = packedA > 0 ? plan.take(packedA) : -1;
  const packBAt = packedB > 0 ? plan.take(packedB) : -1;
  const kernel = fitting(chosen, plan.total);
  const memory = heap(kernel, plan.total);
  const use = memoryUses;
  const current = (): void => {
    if (use !== memoryUses) throw new Error("kernelWorkspace: another call has used the kernel's memory since this workspace was made; make a new one");
  };
  const gemm = (m: number, n: number, k: number, a: MatrixPlacement, b: MatrixPlacement, cAt: number): void => {
    current();
    if (k < 1) throw new Error(`kernelWorkspace: the kernel needs k ≥ 1, got a ${m}×${k}·${k}×${n} product`);
    if (!placedInside(a, m, k, plan.total) || !placedInside(b, k, n, plan.total) || cAt < 0 || cAt + m * n > plan.total) {
      throw new Error(`kernelWorkspace: a ${m}×${k}·${k}×${n} product reaches outside the ${plan.total} values reserved`);
    }
    const pack = { a: -1, b: -1 };
    if (packsA(m, k, n, a)) pack.a = ((m + 3) & ~3) * k <= packedA ? packAAt : Number.NaN;
    if (packsB(m, k, n, b)) pack.b = ((n + 3) & ~3) * k <= packedB ? packBAt : Number.NaN;
    if (Number.isNaN(pack.a) || Number.isNaN(pack.b)) throw new Error(`kernelWorkspace: a ${m}×${k}·${k}×${n} product packs more than its declared products reserved room for`);
    if (m === 0 || n === 0) return;
    run(kernel, build, m, n, k, { data: IN_KERNEL_MEMORY, ...a }, { data: IN_KERNEL_MEMORY, ...b }, pack, cAt, 0, 0, false);
  };
  const copy = (to: number, from: number, count: number): void => {
    current();
    if (to < 0 || from < 0 || count < 0 || to + count > plan.total || from + count > plan.total) throw new Error(`kernelWorkspace: a copy of ${count} values from ${from} to ${to} reaches outside the ${plan.total} values reserved`);
    kernel.copy(to * 8, from * 8, count * 8);
  };
  return { memory, regions, gemm, copy };
}

/** Where `denseBackwardWasm` writes each gradient (contiguous rows), or null for one not wanted. */
export interface DenseGradients {
  /** ∂x, rows×in. */
  readonly input: Float64Array | null;
  /** ∂W, out×in. */
  readonly weight: Float64Array | null;
  /** ∂b, out values. */
  readonly bias: Float64Array | null;
}

/**
 * The backward of a dense layer, z = x·Wᵀ + b (then y = max(z, 0) when `y` is given), in
 * one visit to the kernel: ∂z = g, or g·[y > 0] (kernels.passWherePositive's rule) after
 * a ReLU; then ∂x = ∂z·W, ∂W = ∂zᵀ·x, ∂b = Σ_rows ∂z. g and y (rows×out), x (rows×in) and
 * W (out×in) are copied in once; ∂z never leaves the kernel's memory. Each gradient equals
 * the one matmul and sum compute from a contiguous ∂z on the same build, bit for bit.
 * Returns false (having done nothing) when that build is unavailable. Needs rows, out and
 * in ≥ 1.
 */
export function denseBackwardWasm(build: WasmGemmBuild, rows: number, outFeatures: number, inFeatures: number, g: StridedMatrix, y: StridedMatrix | null, x: StridedMatrix, w: StridedMatrix, into: DenseGradients): boolean {
  const index = build === "fma" ? 1 : 0;
  const chosen = instanceFor(build, splitsAcrossThreads(rows, inFeatures, outFeatures, index) || splitsAcrossThreads(outFeatures, inFeatures, rows, index));
  if (!chosen) return false;
  const count = rows * outFeatures;
  const regions = new Regions();
  const gzAt = regions.take(count);
  const yAt = y ? regions.take(count) : -1;
  const sumsAt = into.bias ? regions.take(outFeatures) : -1;
  // ∂x = ∂z·W: A = ∂z [rows, out], B = W [out, in].
  const gxAt = into.input ? regions.take(rows * inFeatures) : -1;
  const wAt = into.input ? regions.take(stagedSize(outFeatures, inFeatures, w)) : -1;
  // ∂z and ∂zᵀ as the kernel reads them in its memory (run reads only offsets and strides).
  const gz: StridedMatrix = { data: IN_KERNEL_MEMORY, offset: gzAt, rowStride: outFeatures, colStride: 1 };
  const gzT: StridedMatrix = { data: IN_KERNEL_MEMORY, offset: gzAt, rowStride: 1, colStride: outFeatures };
  const wPackAt = into.input ? planPack(regions, rows, outFeatures, inFeatures, gz, w) : { a: -1, b: -1 };
  // ∂W = ∂zᵀ·x: A = ∂zᵀ [out, rows], B = x [rows, in].
  const gwAt = into.weight ? regions.take(outFeatures * inFeatures) : -1;
  const xAt = into.weight ? regions.take(stagedSize(rows, inFeatures, x)) : -1;
  const xPackAt = into.weight ? planPack(regions, outFeatures, rows, inFeatures, gzT, x) : { a: -1, b: -1 };
  const kernel = fitting(chosen, regions.total);
  const memory = heap(kernel, regions.total);
  stage(memory, gzAt, rows, outFeatures, g, true);
  if (y) {
    stage(memory, yAt, rows, outFeatures, y, true);
    kernel.reluBackward(gzAt * 8, yAt * 8, gzAt * 8, count + (count & 1));
  }
  if (into.input) {
    run(kernel, build, rows, inFeatures, outFeatures, gz, stage(memory, wAt, outFeatures, inFeatures, w), wPackAt, gxAt, 0, 0);
    into.input.set(memory.subarray(gxAt, gxAt + rows * inFeatures));
  }
  if (into.weight) {
    run(kernel, build, outFeatures, inFeatures, rows, gzT, stage(memory, xAt, rows, inFeatures, x), xPackAt, gwAt, 0, 0);
    into.weight.set(memory.subarray(gwAt, gwAt + outFeatures * inFeatures));
  }
  if (into.bias) {
    kernel.columnSums(gzAt * 8, rows, outFeatures, sumsAt * 8);
    into.bias.set(memory.subarray(sumsAt, sumsAt + outFeatures));
  }
  return true;
}

/** Either build (their elementwise functions are the same code): the FMA one where it loads. */
const anyBuild = (): GemmExports | null => load("fma") ?? load("simd");

/**
 * max(v, 0) on `count` contiguous values of `x` from `xOffset` into `out` from `outOffset`
 * (which may be the same memory), through the kernel's memory: branch-free, where the
 * JavaScript loop mispredicts on every other sign. The same values as kernels.relu.
 * Returns false (having done nothing) without WebAssembly SIMD.
 */
export function reluWasm(x: Float64Array, xOffset: number, out: Float64Array, outOffset: number, count: number): boolean {
  const chosen = anyBuild();
  if (!chosen) return false;
  // Sized by the plan's total: take() returns where the region starts (0 here), not its size.
  const regions = new Regions();
  const xAt = regions.take(count);
  const kernel = fitting(chosen, regions.total);
  const memory = heap(kernel, regions.total);
  memory.set(x.subarray(xOffset, xOffset + count), xAt);
  kernel.relu(xAt * 8, xAt * 8, count + (count & 1));
  out.set(memory.subarray(xAt, xAt + count), outOffset);
  return true;
}

/**
 * Max-pooling of `planes` contiguous h×w images of `x` from `xOffset` (no padding or
 * dilation, every window inside the image, ow ≥ 2) through the kernel's memory: the
 * maxima into `values` and their positions y·w + x into `indices` (each oh×ow per plane,
 * contiguous), exactly as kernels.maxPool2d's loop finds them. Returns false (having done
 * nothing) without WebAssembly SIMD.
 */
export function maxPoolWasm(x: Float64Array, xOffset: number, planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, oh: number, ow: number, values: Float64Array, indices: Float64Array): boolean {
  const chosen = anyBuild();
  if (!chosen) return false;
  const regions = new Regions();
  const count = planes * h * w;
  const outCount = planes * oh * ow;
  const xAt = regions.take(count);
  const valuesAt = regions.take(outCount);
  const indicesAt = regions.take(outCount);
  const kernel = fitting(chosen, regions.total);
  const memory = heap(kernel, regions.total);
  memory.set(x.subarray(xOffset, xOffset + count), xAt);
  kernel.maxPool(xAt * 8, planes, h, w, kh, kw, sh, sw, oh, ow, valuesAt * 8, indicesAt * 8);
  values.set(memory.subarray(valuesAt, valuesAt + outCount));
  indices.set(memory.subarray(indicesAt, indicesAt + outCount));
  return true;
}

/**
 * g + 0 where gate > 0, else +0 (kernels.passWherePositive, ReLU's backward) on `count`
 * contiguous values, into `out` (which may be g's memory), through the kernel's memory.
 * Returns false (having done nothing) without WebAssembly SIMD.
 */
export function reluBackwardWasm(g: Float64Array, gOffset: number, gate: Float64Array, gateOffset: number, out: Float64Array, outOffset: number, count: number): boolean {
  const chosen = anyBuild();
  if (!chosen) return false;
  const regions = new Regions();
  const gAt = regions.take(count);
  const gateAt = regions.take(count);
  const kernel = fitting(chosen, regions.total);
  const memory = heap(kernel, regions.total);
  memory.set(g.subarray(gOffset, gOffset + count), gAt);
  memory.set(gate.subarray(gateOffset, gateOffset + count), gateAt);
  kernel.reluBackward(gAt * 8, gateAt * 8, gAt * 8, count + (count & 1));
  out.set(memory.subarray(gAt, gAt + count), outOffset);
  return true;
}
