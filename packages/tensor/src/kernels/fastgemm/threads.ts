import { GEMM_SHARED_FMA_WASM_BASE64, GEMM_SHARED_WASM_BASE64 } from "./gemm-bytes.generated.js";

/**
 * Helper threads for the GEMM kernel: each instantiates the kernel over the same shared
 * WebAssembly memory as the calling thread and, when handed a block of C's rows, runs the
 * kernel on it while the calling thread runs its own block. Every element of C is still
 * summed by one thread in one order, so results do not depend on the thread count.
 *
 * Only where threads can be used synchronously: Node's worker_threads (reached through
 * `process.getBuiltinModule`, so browser bundles import nothing) with SharedArrayBuffer.
 * A browser's main thread cannot block on Atomics.wait, so there the kernel stays on one
 * thread and its unshared builds.
 */

/** The arguments of the kernel's `gemm` export, in order. */
export type GemmArgs = [m: number, n: number, k: number, a: number, aRowBytes: number, aColBytes: number, aPanelBytes: number, b: number, bRowBytes: number, bStripBytes: number, c: number, bias: number, flags: number];

/** One helper's control block (Int32 slots in a SharedArrayBuffer). */
const STATE = 0;
const BUILD = 1;
const ARGS = 2;
const READY = 15;
const SLOTS = 16;
/** STATE values. */
const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const FAILED = 3;
/** READY bits: the helper instantiated the SIMD build, the FMA build. */
const HAS_SIMD = 1;
const HAS_FMA = 2;

interface WorkerLike {
  unref(): void;
  terminate(): unknown;
}
interface WorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: unknown }) => WorkerLike;
}

interface Helper {
  control: Int32Array;
  worker: WorkerLike;
}

/** Node's worker_threads when it can be reached synchronously and shared memory exists; else null. */
function workerThreads(): WorkerThreads | null {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") return null;
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof getBuiltin !== "function") return null;
  try {
    return (getBuiltin("node:worker_threads") as WorkerThreads | undefined) ?? null;
  } catch {
    return null;
  }
}

/** Logical CPUs, where the engine says (Node); 1 elsewhere. */
function cpuCount(): number {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  try {
    const os = getBuiltin?.("node:os") as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
    return Math.max(1, os?.availableParallelism?.() ?? os?.cpus().length ?? 1);
  } catch {
    return 1;
  }
}

const threadsModule = workerThreads();

/** True when the kernel can run on more than one thread here (Node with worker_threads). */
export function threadsSupported(): boolean {
  return threadsModule !== null;
}

let sharedMemory: WebAssembly.Memory | null | undefined;

/**
 * The memory every thread's kernel works in: shared where threads are supported (created
 * once, 1 page to start, up to 4 GiB), else null and each build keeps its own.
 */
export function kernelMemory(): WebAssembly.Memory | null {
  if (sharedMemory === undefined) {
    sharedMemory = null;
    if (threadsModule) {
      try {
        sharedMemory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
      } catch {
        sharedMemory = null;
      }
    }
  }
  return sharedMemory;
}

/** The bytes of the shared builds, for the helpers to instantiate. */
const sharedBytes = (base64: string): Uint8Array => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));

/**
 * The helper's program (run as a CommonJS script by worker_threads): instantiate the
 * shared builds over the memory, say which loaded, then wait for blocks until the process
 * ends. A failing block is reported as FAILED rather than left hanging.
 */
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { memory, control, builds } = workerData;
const kernels = builds.map((bytes) => {
  try {
    if (!WebAssembly.validate(bytes)) return null;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  } catch {
    return null;
  }
});
Atomics.store(control, ${READY}, (kernels[0] ? ${HAS_SIMD} : 0) | (kernels[1] ? ${HAS_FMA} : 0));
Atomics.notify(control, ${READY});
for (;;) {
  const state = Atomics.load(control, ${STATE});
  if (state !== ${POSTED}) {
    Atomics.wait(control, ${STATE}, state);
    continue;
  }
  try {
    const a = control.subarray(${ARGS}, ${ARGS + 13});
    kernels[control[${BUILD}]].gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
    Atomics.store(control, ${STATE}, ${DONE});
  } catch {
    Atomics.store(control, ${STATE}, ${FAILED});
  }
  Atomics.notify(control, ${STATE});
}
`;

const helpers: Helper[] = [];
/** Blocks handed to helpers so far (for tests: proof that a product was split). */
let blocksPosted = 0;

/** Helpers started, helpers ready for `build` (0 SIMD, 1 FMA), and blocks posted to helpers so far. */
export function helperStatus(build: 0 | 1): { started: number; ready: number; blocks: number } {
  const need = build === 1 ? HAS_FMA : HAS_SIMD;
  return { started: helpers.length, ready: helpers.filter((h) => (Atomics.load(h.control, READY) & need) !== 0).length, blocks: blocksPosted };
}

/** Starts the helpers the thread count allows now, rather than at the first large product (tests, benchmarks). */
export function warmHelpers(): void {
  const memory = kernelMemory();
  if (memory && helpers.length < threadCount - 1) startHelpers(memory);
}
let threadCount = Math.min(cpuCount(), threadsModule ? 8 : 1);

/** Threads a matrix product may use (the calling thread included). */
export function getThreadCount(): number {
  return threadCount;
}

/**
 * Sets the threads a matrix product may use. Helpers beyond the count stay parked (a
 * blocked thread costs no CPU) for when it rises again; missing ones start on the next
 * product large enough to split.
 */
export function setThreadCount(count: number): void {
  threadCount = count;
}

/** Starts helpers up to the thread count; they become usable once they report READY. */
function startHelpers(memory: WebAssembly.Memory): void {
  if (!threadsModule) return;
  const builds = [sharedBytes(GEMM_SHARED_WASM_BASE64), sharedBytes(GEMM_SHARED_FMA_WASM_BASE64)];
  while (helpers.length < threadCount - 1) {
    const control = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
    let worker: WorkerLike;
    try {
      worker = new threadsModule.Worker(HELPER_SOURCE, { eval: true, workerData: { memory, control, builds } });
    } catch {
      threadCount = helpers.length + 1;
      return;
    }
    // A helper waiting for work must not keep the process alive.
    worker.unref();
    helpers.push({ control, worker });
  }
}

/**
 * Products with fewer multiply-adds than this run on one thread. Waking a sleeping helper
 * costs tens of microseconds on a quiet machine and much more on a busy one, where the
 * helper waits for a core: measured on a shared 2-core machine, 900×50·50×50 (2.3M) took
 * 1.3× as long split, 128×784·784×256 (26M) 0.7×. Helpers do not spin while idle, which
 * would cut the wake-up but take the core from whoever else needs it.
 */
export const SPLIT_ABOVE = 1 << 23;

/**
 * The helpers that would take blocks of an m×k·k×n product on `build` (0 SIMD, 1 FMA) now:
 * none when the product is small, one thread is allowed or there is no shared memory,
 * else the ready ones. Starts the helpers the thread count allows when they are missing,
 * so that later products can split.
 */
function readyHelpers(m: number, n: number, k: number, build: 0 | 1, memory: WebAssembly.Memory | null): Helper[] {
  if (threadCount <= 1 || memory === null || m < 8 || m * n * k < SPLIT_ABOVE) return [];
  if (helpers.length < threadCount - 1) startHelpers(memory);
  const need = build === 1 ? HAS_FMA : HAS_SIMD;
  return helpers.slice(0, threadCount - 1).filter((h) => (Atomics.load(h.control, READY) & need) !== 0);
}

/**
 * Whether an m×k·k×n product on `build` (0 SIMD, 1 FMA) will be split across helper
 * threads now. Callers put such a product in the shared memory (the only one helpers
 * see) and every other in an unshared one, where copies in and out run about twice as
 * fast (V8 copies to and from shared memory with relaxed atomics).
 */
export function splitsAcrossThreads(m: number, n: number, k: number, build: 0 | 1): boolean {
  return readyHelpers(m, n, k, build, kernelMemory()).length > 0;
}

/**
 * Runs `gemm` over C's rows in blocks of whole 4-row panels, one block per ready helper
 * plus one on this thread, and waits for all; or runs it whole on this thread when the
 * product is small, only one thread is allowed, `memory` (the helpers') is null, or no
 * helper is ready. `build` is 0 for the SIMD build, 1 for FMA. Returns after every block
 * is written.
 * @throws Error when a helper failed on its block.
 */
export function gemmOnThreads(gemm: (...args: GemmArgs) => void, build: 0 | 1, memory: WebAssembly.Memory | null, args: GemmArgs): void {
  const [m, n, k] = args;
  const ready = readyHelpers(m, n, k, build, memory);
  if (ready.length === 0) {
    gemm(...args);
    return;
  }
  const panels = Math.ceil(m / 4);
  const parts = Math.min(ready.length + 1, panels);
  const [, , , a, aRowBytes, aColBytes, aPanelBytes, b, bRowBytes, bStripBytes, c, bias, flags] = args;
  const block = (part: number): GemmArgs => {
    const first = Math.floor((panels * part) / parts);
    const end = Math.floor((panels * (part + 1)) / parts);
    const rows = Math.min(m, end * 4) - first * 4;
    // B's strips in the outer loop when B is the larger operand of this block.
    const order = (flags & ~4) | (n > rows ? 4 : 0);
    return [rows, n, k, a + first * aPanelBytes, aRowBytes, aColBytes, aPanelBytes, b, bRowBytes, bStripBytes, c + first * 4 * n * 8, bias, order];
  };
  const posted = ready.slice(0, parts - 1);
  posted.forEach((helper, i) => {
    helper.control.set(block(i + 1), ARGS);
    helper.control[BUILD] = build;
    Atomics.store(helper.control, STATE, POSTED);
    Atomics.notify(helper.control, STATE);
    blocksPosted++;
  });
  let failed = false;
  try {
    gemm(...block(0));
  } finally {
    for (const helper of posted) {
      while (Atomics.load(helper.control, STATE) === POSTED) Atomics.wait(helper.control, STATE, POSTED, 1000);
      if (Atomics.load(helper.control, STATE) === FAILED) failed = true;
      Atomics.store(helper.control, STATE, IDLE);
    }
  }
  if (failed) throw new Error("gemm: a helper thread failed on its block of rows");
}
