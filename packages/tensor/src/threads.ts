import { DataError } from "./errors.js";
import { getThreadCount, setThreadCount, threadsSupported } from "./kernels/fastgemm/threads.js";

/**
 * Threads a large matrix product may use, the calling thread included (PyTorch's
 * `torch.get_num_threads`). In Node it starts as the number of CPUs (up to 8); in browsers
 * it is 1, since a page's main thread cannot wait for a helper synchronously.
 */
export function getNumThreads(): number {
  return getThreadCount();
}

/**
 * Sets the threads large matrix products may use (PyTorch's `torch.set_num_threads`): 1
 * runs everything on the calling thread. Results do not depend on it: each element of a
 * product is summed by one thread, in the same order, whatever the count.
 * @throws DataError when `count` is not an integer from 1 to 64, or is above 1 where
 * helper threads cannot run (outside Node).
 */
export function setNumThreads(count: number): void {
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 64) {
    throw new DataError(`setNumThreads: count must be an integer from 1 to 64, got ${String(count)}`);
  }
  if (count > 1 && !threadsSupported()) {
    throw new DataError(`setNumThreads: only 1 thread can run here (helper threads need Node's worker_threads and SharedArrayBuffer); got ${count}`);
  }
  setThreadCount(count);
}
