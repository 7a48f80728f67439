/**
 * Loops over strided memory. Every kernel that accepts views funnels through here, so the
 * odometer logic (which index to bump, how far to step back) lives in one place.
 */

/** A strided read of a buffer: the layout part of an NDArray. */
export interface StridedView {
  readonly data: Float64Array;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Merges adjacent dimensions that are contiguous with each other in every operand, so
 * inner loops run as long as possible. Returns the merged shape and per-operand strides.
 */
export function coalesce(shape: readonly number[], stridesList: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && stridesList.every((s, k) => outStrides[k]![last] === s[d]! * size);
    if (mergeable) {
      outShape[last]! *= size;
      stridesList.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(size);
      stridesList.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Copies a strided view into `out` (row-major), starting at `outOffset`. */
export function copyStrided(src: StridedView, out: Float64Array, outOffset = 0): void {
  const { shape, strides } = coalesce(src.shape, [src.strides]);
  const st = strides[0]!;
  const data = src.data;
  const n = shape.length;
  if (n === 0) {
    if (sizeOfShape(src.shape) === 1) out[outOffset] = data[src.offset]!;
    return;
  }
  const inner = shape[n - 1]!;
  const si = st[n - 1]!;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  if (n === 1 && si === 1) {
    out.set(data.subarray(src.offset, src.offset + inner), outOffset);
    return;
  }
  const index = new Array<number>(n).fill(0);
  let p = src.offset;
  let o = outOffset;
  for (let outer = total / inner; outer > 0; outer--) {
    if (si === 1) {
      for (let j = 0; j < inner; j++) out[o++] = data[p + j]!;
    } else {
      for (let j = 0, q = p; j < inner; j++, q += si) out[o++] = data[q]!;
    }
    p = advance(index, shape, st, p, n - 2);
  }
}

/**
 * Steps an odometer over dimensions `0..last` by one and returns the new memory position.
 * `index` is updated in place.
 */
export function advance(index: number[], shape: readonly number[], strides: readonly number[], position: number, last: number): number {
  for (let d = last; d >= 0; d--) {
    index[d]!++;
    position += strides[d]!;
    if (index[d]! < shape[d]!) return position;
    position -= strides[d]! * shape[d]!;
    index[d] = 0;
  }
  return position;
}

function sizeOfShape(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/**
 * Writes row-major `values` into the strided view `dst`: the inverse of copyStrided, used
 * to fill a narrowed or transposed slot in place.
 */
export function writeStrided(values: Float64Array, dst: StridedView): void {
  const { shape, strides } = coalesce(dst.shape, [dst.strides]);
  const st = strides[0]!;
  const data = dst.data;
  const n = shape.length;
  let total = 1;
  for (const d of dst.shape) total *= d;
  if (total === 0) return;
  if (n === 0) {
    data[dst.offset] = values[0]!;
    return;
  }
  const inner = shape[n - 1]!;
  const si = st[n - 1]!;
  const index = new Array<number>(n).fill(0);
  let p = dst.offset;
  let o = 0;
  for (let outer = total / inner; outer > 0; outer--) {
    for (let j = 0, q = p; j < inner; j++, q += si) data[q] = values[o++]!;
    p = advance(index, shape, st, p, n - 2);
  }
}
