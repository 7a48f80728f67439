/**
 * The memory under one or more NDArrays: a Float64Array plus what every view of it shares.
 * Identity of memory is identity of the Storage object, never of the Float64Array, so a
 * buffer pool can later recycle Float64Arrays without stale side tables keyed on them.
 */
export class Storage {
  /** The values. */
  readonly data: Float64Array;
  /**
   * In-place writes through any view of this memory: PyTorch's version counter, which
   * lives with the memory so every view and every `detach()` shares it.
   */
  version = 0;

  /** Wraps a buffer without copying it. */
  constructor(data: Float64Array) {
    this.data = data;
  }

  /** Number of float64 elements. */
  get length(): number {
    return this.data.length;
  }
}

// Storages made by `allocate` while a collector is active, for the autograd engine: a
// gradient whose memory was born during one VJP and returned once is held by no one else.
let collector: Set<Storage> | null = null;

/**
 * New zero-filled memory for a kernel's result. Every kernel output is allocated here, so
 * this is the one place a buffer pool or an ownership tracker plugs in.
 */
export function allocate(length: number): Storage {
  const storage = new Storage(new Float64Array(length));
  collector?.add(storage);
  return storage;
}

/**
 * Starts adding every Storage that `allocate` makes to `born`, for hot loops that cannot
 * afford a closure; returns what `endCollecting` must restore (call it in a finally).
 */
export function beginCollecting(born: Set<Storage>): Set<Storage> | null {
  const previous = collector;
  collector = born;
  return previous;
}

/** Restores the collector that `beginCollecting` replaced. */
export function endCollecting(previous: Set<Storage> | null): void {
  collector = previous;
}
