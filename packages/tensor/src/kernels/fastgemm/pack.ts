import type { StridedMatrix } from "./strided-matrix.js";

// How the SIMD kernel's operands are laid out in its memory (see gemm.wat): copied in one
// block where the source layout allows, or packed in strips of 4 rows (A) or 4 columns (B)
// where many tiles re-read them.

/** An operand larger than this many values (32 KiB, an L1 cache) is packed in strips... */
const PACK_ABOVE = 4096;
/**
 * ...when at least this many rows (for B) or columns (for A) of the other operand, 16
 * tiles, re-read it. Measured: packing B made 256² 14% and 512² 22% faster, but a weight
 * gradient (50×900·900×50) 8% slower.
 */
const PACK_ROWS = 64;

// Rows of a few dozen values copy faster in a loop than through `subarray` + `set`, which
// allocate a view per row (measured: 900 rows of 50 took 3× longer). Long runs use `set`.
const LOOP_COPY_BELOW = 64;

/** Copies `length` values from `src` at `from` to `dst` at `at`. */
export function copyRun(dst: Float64Array, at: number, src: Float64Array, from: number, length: number): void {
  if (length < LOOP_COPY_BELOW) for (let i = 0; i < length; i++) dst[at + i] = src[from + i]!;
  else dst.set(src.subarray(from, from + length), at);
}

/**
 * Copies A into the kernel's memory at `start` and returns the byte strides the kernel
 * reads it with: [row, column, panel of 4 rows]. A is copied in the layout that copies
 * fastest (one block when it is contiguous row-major or contiguous transposed, as Aᵀ in a
 * weight gradient), except that a tall transposed A that many tiles re-read is packed in
 * strips of 4 rows: read in place, its columns lie m·8 bytes apart and, for m a multiple
 * of a power of two, crowd into a few cache sets (256²ᵀ ran at 14 GFLOP/s, 18 packed).
 */
export function packA(memory: Float64Array, start: number, m: number, k: number, n: number, a: StridedMatrix): [rowBytes: number, colBytes: number, panelBytes: number] {
  const { data, offset, rowStride, colStride } = a;
  if (rowStride === 1 && colStride !== 1) {
    if (n >= PACK_ROWS && m * k > PACK_ABOVE) {
      // Read each column of A (contiguous) and scatter it into the strips.
      const stripStride = 4 * k;
      for (let p = 0; p < k; p++) {
        const q0 = offset + p * colStride;
        for (let i = 0; i < m; i++) memory[start + (i >> 2) * stripStride + 4 * p + (i & 3)] = data[q0 + i]!;
      }
      return [8, 32, k * 32];
    }
    if (colStride === m) copyRun(memory, start, data, offset, m * k);
    else for (let p = 0; p < k; p++) copyRun(memory, start + p * m, data, offset + p * colStride, m);
    return [8, m * 8, 32];
  }
  if (colStride === 1 && rowStride === k) copyRun(memory, start, data, offset, m * k);
  else {
    for (let i = 0; i < m; i++) {
      const row = start + i * k;
      const q0 = offset + i * rowStride;
      if (colStride === 1) copyRun(memory, row, data, q0, k);
      else for (let p = 0, q = q0; p < k; p++, q += colStride) memory[row + p] = data[q]!;
    }
  }
  return [k * 8, 8, 32 * k];
}

/**
 * Copies B into the kernel's memory at `start` and returns the byte strides the kernel
 * reads it with. B that many tiles will re-read and that outgrows the L1 cache is packed
 * in strips of 4 columns, each k×4 row-major, so every tile streams its B values from
 * consecutive addresses; long rows read 32 bytes at a time otherwise map to a few cache
 * sets and evict each other. Other B is copied row-major, in one block when it already is.
 */
export function packB(memory: Float64Array, start: number, m: number, k: number, n: number, b: StridedMatrix): [rowBytes: number, stripBytes: number] {
  const { data, offset, rowStride, colStride } = b;
  if (m >= PACK_ROWS && k * n > PACK_ABOVE) {
    // Read B row by row (in memory order for the usual layouts); each row scatters into
    // the strips at a stride of 4k. The last strip's missing columns are zeros.
    const stripStride = 4 * k;
    const full = n & ~3;
    for (let p = 0; p < k; p++) {
      const q0 = offset + p * rowStride;
      const at0 = start + 4 * p;
      if (colStride === 1) {
        for (let j = 0, at = at0; j < full; j += 4, at += stripStride) {
          memory[at] = data[q0 + j]!;
          memory[at + 1] = data[q0 + j + 1]!;
          memory[at + 2] = data[q0 + j + 2]!;
          memory[at + 3] = data[q0 + j + 3]!;
        }
      } else {
        for (let j = 0, at = at0; j < full; j += 4, at += stripStride) {
          const q = q0 + j * colStride;
          memory[at] = data[q]!;
          memory[at + 1] = data[q + colStride]!;
          memory[at + 2] = data[q + 2 * colStride]!;
          memory[at + 3] = data[q + 3 * colStride]!;
        }
      }
      if (full < n) {
        const at = at0 + (full >> 2) * stripStride;
        for (let c = 0; c < 4; c++) memory[at + c] = full + c < n ? data[q0 + (full + c) * colStride]! : 0;
      }
    }
    return [32, k * 32];
  }
  if (colStride === 1 && rowStride === n) {
    copyRun(memory, start, data, offset, k * n);
  } else if (colStride === 1) {
    for (let p = 0; p < k; p++) copyRun(memory, start + p * n, data, offset + p * rowStride, n);
  } else {
    // Transposed (Wᵀ in a dense layer): read the source in order, write with a stride.
    for (let j = 0; j < n; j++) {
      for (let p = 0, q = offset + j * colStride; p < k; p++, q += rowStride) memory[start + p * n + j] = data[q]!;
    }
  }
  return [n * 8, 32];
}
