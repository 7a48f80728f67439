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

/** One helper's control block (Int32 slots in a SharedArrayBuffer of its own). */
const STATE = 0;
const AWAKE = 1;
const READY = 2;
const CONTROL_SLOTS = 3;
/** STATE values: nothing to do; a product posted; a helper working on it; done; failed. */
const IDLE = 0;
const POSTED = 1;
const RUNNING = 2;
const DONE = 3;
const FAILED = 4;
/** READY bits: the helper instantiated the SIMD build, the FMA build. */
const HAS_SIMD = 1;
const HAS_FMA = 2;
/** The product being split (Int32 slots of one SharedArrayBuffer all helpers see): gemm's arguments, the build, rows per chunk, chunks, and the next chunk to take. */
const ARGS = 0;
const BUILD = 13;
const CHUNK_ROWS = 14;
const CHUNKS = 15;
const NEXT = 16;
/** Microseconds a helper stays awake after a product before it sleeps (AWAKE_MS unless a test changed it). */
const SPIN = 17;
/** Chunks helpers have taken so far (for tests: proof that a helper did part of a product). */
const TAKEN = 18;
const WORK_SLOTS = 19;

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
 * How long a helper stays awake after its last product before it sleeps for good. A
 * sleeping helper takes 50–150 µs to wake on this kind of machine, as long as a mid-sized
 * product takes whole; an awake one picks a product up within microseconds. So, like
 * OpenMP's and OpenBLAS's worker threads, a helper stays awake a little while after each
 * product: long enough to span the gaps between the products of a training step.
 */
const AWAKE_MS = 3;
/**
 * Of that, how long it spins hot (checking without pause) before it only polls, waking
 * every POLL_MS. A thread that spins the whole time takes a core from V8's own threads
 * (concurrent GC, compilation): allocation-heavy code ran 10–35% slower beside one, and
 * the names GPT's step went from 32 to 35–41 ms. Polling leaves that core to them.
 */
const HOT_MS = 0.1;
const POLL_MS = 0.05;
let awakeMs = AWAKE_MS;

/**
 * @internal For tests: helpers stay awake `ms` milliseconds after each product from now
 * on (so a test can count on one being awake); returns the previous setting.
 */
export function setHelperAwakeMs(ms: number): number {
  const previous = awakeMs;
  awakeMs = ms;
  if (work !== null) Atomics.store(work, SPIN, Math.round(ms * 1000));
  return previous;
}

/**
 * The helper's program (run as a CommonJS script by worker_threads): instantiate the
 * shared builds over the memory and say which loaded; then, until the process ends, take
 * chunks of each posted product until none are left, and after each product (or being
 * woken) stay awake for AWAKE_MS, spinning for HOT_MS of it and polling after that, before
 * it sleeps. A product the calling thread finished alone is taken back before the helper
 * starts on it (STATE back to IDLE). A failing chunk is reported as FAILED rather than
 * left hanging.
 */
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { memory, control, work, builds } = workerData;
const kernels = builds.map((bytes) => {
  try {
    if (!WebAssembly.validate(bytes)) return null;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  } catch {
    return null;
  }
});
const chunkArgs = ${chunkArgs.toString()};
Atomics.store(control, ${READY}, (kernels[0] ? ${HAS_SIMD} : 0) | (kernels[1] ? ${HAS_FMA} : 0));
Atomics.notify(control, ${READY});
Atomics.store(control, ${AWAKE}, 1);
let until = performance.now() + work[${SPIN}] / 1000;
let hot = performance.now() + ${HOT_MS};
for (;;) {
  const state = Atomics.load(control, ${STATE});
  if (state === ${POSTED}) {
    if (Atomics.compareExchange(control, ${STATE}, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
    let outcome = ${DONE};
    try {
      const gemm = kernels[work[${BUILD}]].gemm;
      const chunks = work[${CHUNKS}];
      for (let chunk = Atomics.add(work, ${NEXT}, 1); chunk < chunks; chunk = Atomics.add(work, ${NEXT}, 1)) {
        gemm(...chunkArgs(work, chunk, work[${CHUNK_ROWS}]));
        Atomics.add(work, ${TAKEN}, 1);
      }
    } catch {
      outcome = ${FAILED};
    }
    Atomics.store(control, ${STATE}, outcome);
    Atomics.notify(control, ${STATE});
    until = performance.now() + work[${SPIN}] / 1000;
    hot = performance.now() + ${HOT_MS};
    continue;
  }
  const now = performance.now();
  if (now < hot) {
    for (let i = 0; i < 256 && Atomics.load(control, ${STATE}) === state; i++);
    continue;
  }
  if (now < until) {
    Atomics.wait(control, ${STATE}, state, ${POLL_MS});
    continue;
  }
  Atomics.store(control, ${AWAKE}, 0);
  if (Atomics.load(control, ${STATE}) === state) Atomics.wait(control, ${STATE}, state);
  Atomics.store(control, ${AWAKE}, 1);
  until = performance.now() + work[${SPIN}] / 1000;
  hot = performance.now() + ${HOT_MS};
}
`;

/**
 * gemm's arguments for chunk `chunk` of the product in `work`: C's rows from
 * chunk·chunkRows (a whole number of 4-row panels) to the next chunk's first or m. B's
 * strips go in the outer loop when B is the larger operand of the chunk. Runs on the
 * helpers too (its source is copied into theirs), so it uses nothing outside itself.
 */
function chunkArgs(work: Int32Array, chunk: number, chunkRows: number): GemmArgs {
  const m = work[0]!;
  const n = work[1]!;
  const first = chunk * chunkRows;
  const rows = Math.min(m - first, chunkRows);
  const panelBytes = work[6]!;
  return [rows, n, work[2]!, work[3]! + (first / 4) * panelBytes, work[4]!, work[5]!, panelBytes, work[7]!, work[8]!, work[9]!, work[10]! + first * n * 8, work[11]!, (work[12]! & ~4) | (n > rows ? 4 : 0)];
}

const helpers: Helper[] = [];
/** The product being split, shared with every helper. */
let work: Int32Array | null = null;
/** Products split across helpers so far (for tests: proof that a product was split). */
let blocksPosted = 0;

/** Helpers started, helpers ready for `build` (0 SIMD, 1 FMA), products posted to helpers so far, and chunks of them the helpers computed. */
export function helperStatus(build: 0 | 1): { started: number; ready: number; blocks: number; chunks: number } {
  const need = build === 1 ? HAS_FMA : HAS_SIMD;
  return { started: helpers.length, ready: helpers.filter((h) => (Atomics.load(h.control, READY) & need) !== 0).length, blocks: blocksPosted, chunks: work === null ? 0 : Atomics.load(work, TAKEN) };
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
 * sleeping thread costs no CPU) for when it rises again; missing ones start on the next
 * product large enough to split.
 */
export function setThreadCount(count: number): void {
  threadCount = count;
}

/** Starts helpers up to the thread count; they become usable once they report READY. */
function startHelpers(memory: WebAssembly.Memory): void {
  if (!threadsModule) return;
  if (work === null) {
    work = new Int32Array(new SharedArrayBuffer(WORK_SLOTS * 4));
    work[SPIN] = Math.round(awakeMs * 1000);
  }
  const builds = [sharedBytes(GEMM_SHARED_WASM_BASE64), sharedBytes(GEMM_SHARED_FMA_WASM_BASE64)];
  while (helpers.length < threadCount - 1) {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
    let worker: WorkerLike;
    try {
      worker = new threadsModule.Worker(HELPER_SOURCE, { eval: true, workerData: { memory, control, work, builds } });
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
 * Products with at least this many multiply-adds are split across helpers whether they
 * are awake or not: waking one (tens of microseconds on a quiet machine, much more on a
 * busy one) is small beside such a product.
 */
export const SPLIT_ABOVE = 1 << 23;

/**
 * Products with at least this many multiply-adds (and fewer than SPLIT_ABOVE) are split
 * only across helpers awake now (spinning or polling after an earlier product), which is
 * what happens within a training step; asleep ones are woken for the next product instead.
 * Measured on a 2-core machine: 900×50·50×50 (2.3M) in 147 against 205 µs on one thread.
 */
export const SPLIT_AWAKE_ABOVE = 1 << 19;

/**
 * C's rows per chunk (whole 4-row panels): about eight chunks per thread, so that a
 * thread slowed by a busy core simply takes fewer, but 32 rows at least, since each chunk
 * reads all of B again; fewer when C has too few rows for a chunk per thread.
 */
function chunkRowsFor(m: number, threads: number): number {
  const panels = (rows: number): number => Math.ceil(rows / 4) * 4;
  return Math.max(panels(m / (threads * 8)), Math.min(32, panels(m / threads)));
}

/**
 * The helpers that would take chunks of an m×k·k×n product on `build` (0 SIMD, 1 FMA)
 * now: none when the product is small, one thread is allowed or there is no shared
 * memory; else, for a large product, the ready ones, and for a mid-sized one (when
 * `midSized` allows), the ready ones awake now (waking the others for next time).
 * Starts the helpers the thread count allows when they are missing.
 */
function readyHelpers(m: number, n: number, k: number, build: 0 | 1, memory: WebAssembly.Memory | null, midSized: boolean): Helper[] {
  const size = m * n * k;
  if (threadCount <= 1 || memory === null || size < (midSized ? SPLIT_AWAKE_ABOVE : SPLIT_ABOVE) || m < 8) return [];
  if (helpers.length < threadCount - 1) startHelpers(memory);
  const need = build === 1 ? HAS_FMA : HAS_SIMD;
  const ready = helpers.slice(0, threadCount - 1).filter((h) => (Atomics.load(h.control, READY) & need) !== 0);
  if (size >= SPLIT_ABOVE) return ready;
  const awake: Helper[] = [];
  for (const h of ready) {
    if (Atomics.load(h.control, AWAKE) === 1) awake.push(h);
    else Atomics.notify(h.control, STATE);
  }
  return awake;
}

/**
 * Whether an m×k·k×n product on `build` (0 SIMD, 1 FMA) will be split across helper
 * threads now; mid-sized products count only when `midSized`. Callers put such a product
 * in the shared memory (the only one helpers see) and every other in an unshared one,
 * where copies in and out run about twice as fast (V8 copies to and from shared memory
 * with relaxed atomics). Convolutions leave mid-sized products out: they write their
 * unfolded images into the memory themselves, which costs more on a shared one than the
 * split gains (the digits convnet's step took 11.6 against 9.8 ms).
 */
export function splitsAcrossThreads(m: number, n: number, k: number, build: 0 | 1, midSized = true): boolean {
  return readyHelpers(m, n, k, build, kernelMemory(), midSized).length > 0;
}

/**
 * Runs `gemm` over C's rows in chunks of whole 4-row panels, which this thread and the
 * ready helpers take one at a time until none are left (a thread slowed by a busy core
 * simply takes fewer), and waits for all; or runs it whole on this thread when the
 * product is small (or mid-sized and not `midSized`), only one thread is allowed,
 * `memory` (the helpers') is null, or no helper is ready. `build` is 0 for the SIMD build,
 * 1 for FMA. Every element is summed by one thread in the same order either way. Returns
 * after every chunk is written.
 * @throws Error when a helper failed on its chunk.
 */
export function gemmOnThreads(gemm: (...args: GemmArgs) => void, build: 0 | 1, memory: WebAssembly.Memory | null, args: GemmArgs, midSized = true): void {
  const [m, n, k] = args;
  const ready = readyHelpers(m, n, k, build, memory, midSized);
  if (ready.length === 0 || work === null) {
    gemm(...args);
    return;
  }
  const chunkRows = chunkRowsFor(m, ready.length + 1);
  const chunks = Math.ceil(m / chunkRows);
  work.set(args, ARGS);
  work[BUILD] = build;
  work[CHUNK_ROWS] = chunkRows;
  work[CHUNKS] = chunks;
  Atomics.store(work, NEXT, 0);
  const posted = ready.slice(0, chunks - 1);
  for (const helper of posted) {
    Atomics.store(helper.control, STATE, POSTED);
    Atomics.notify(helper.control, STATE);
  }
  blocksPosted++;
  let failed = false;
  try {
    for (let chunk = Atomics.add(work, NEXT, 1); chunk < chunks; chunk = Atomics.add(work, NEXT, 1)) gemm(...chunkArgs(work, chunk, chunkRows));
  } finally {
    for (const helper of posted) {
      // Take the product back from a helper that has not started on it; else wait for it,
      // spinning first, since it is busy on its last chunk and will finish within microseconds.
      if (Atomics.compareExchange(helper.control, STATE, POSTED, IDLE) === POSTED) continue;
      const until = performance.now() + 2;
      while (Atomics.load(helper.control, STATE) === RUNNING && performance.now() < until) for (let i = 0; i < 64 && Atomics.load(helper.control, STATE) === RUNNING; i++);
      while (Atomics.load(helper.control, STATE) === RUNNING) Atomics.wait(helper.control, STATE, RUNNING, 1000);
      if (Atomics.load(helper.control, STATE) === FAILED) failed = true;
      Atomics.store(helper.control, STATE, IDLE);
    }
  }
  if (failed) throw new Error("gemm: a helper thread failed on its chunk of rows");
}
