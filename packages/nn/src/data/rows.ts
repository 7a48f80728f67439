import { NDArray } from "@tapegrad/tensor";

/** Copies rows `indices` (along dimension 0) of an array into a new contiguous array. */
export function gatherRows(x: NDArray, indices: readonly number[]): NDArray {
  const source = x.contiguous();
  const width = x.shape[0] === 0 ? 0 : x.size / x.shape[0]!;
  const out = new Float64Array(indices.length * width);
  indices.forEach((r, i) => out.set(source.data.subarray(source.offset + r * width, source.offset + (r + 1) * width), i * width));
  return new NDArray(out, [indices.length, ...x.shape.slice(1)]);
}
