/** A matrix read through strides: element (i, j) is `data[offset + i·rowStride + j·colStride]`. */
export interface StridedMatrix {
  readonly data: Float64Array;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}
