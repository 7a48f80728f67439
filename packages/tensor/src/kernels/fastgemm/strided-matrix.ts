/** A matrix read through strides: element (i, j) is `data[offset + i·rowStride + j·colStride]`. */
export interface StridedMatrix {
  readonly data: Float64Array;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/**
 * True when every element of a rows×cols matrix placed at `x` (strides not negative) lies
 * in [0, total): where a workspace checks a product's operands against its regions. An
 * empty matrix reads nothing, so it always fits.
 */
export function placedInside(x: Omit<StridedMatrix, "data">, rows: number, cols: number, total: number): boolean {
  if (rows === 0 || cols === 0) return true;
  return x.offset >= 0 && x.rowStride >= 0 && x.colStride >= 0 && x.offset + (rows - 1) * x.rowStride + (cols - 1) * x.colStride < total;
}
