import { ShapeError, formatShape } from "../errors.js";
import { normalizeDim } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { writeStrided } from "./strided.js";

/**
 * Joins arrays along an existing dimension. All shapes must agree except along `dim`.
 * @throws ShapeError on an empty list, differing ranks or sizes, naming the shapes.
 */
export function cat(arrays: readonly NDArray[], dim = 0): NDArray {
  if (!Array.isArray(arrays as unknown) || arrays.length === 0) throw new ShapeError("cat: expected a non-empty list of arrays");
  const first = arrays[0]!;
  if (first.ndim === 0) throw new ShapeError("cat: 0-d arrays cannot be joined; use stack");
  const d = normalizeDim(dim, first.ndim, "cat");
  let total = 0;
  for (const x of arrays) {
    const fits = x.ndim === first.ndim && x.shape.every((s, i) => i === d || s === first.shape[i]);
    if (!fits) {
      throw new ShapeError(`cat: shapes ${arrays.map((a) => formatShape(a.shape)).join(", ")} differ outside dimension ${d}`);
    }
    total += x.shape[d]!;
  }
  const shape = first.shape.slice();
  shape[d] = total;
  const out = NDArray.zeros(shape);
  let start = 0;
  for (const x of arrays) {
    const length = x.shape[d]!;
    const slot = out.narrow(d, start, length);
    writeInto(slot, x);
    start += length;
  }
  return out;
}

/**
 * Joins same-shape arrays along a new dimension `dim` (in [-ndim-1, ndim]).
 * @throws ShapeError on an empty list or differing shapes.
 */
export function stack(arrays: readonly NDArray[], dim = 0): NDArray {
  if (!Array.isArray(arrays as unknown) || arrays.length === 0) throw new ShapeError("stack: expected a non-empty list of arrays");
  const first = arrays[0]!;
  for (const x of arrays) {
    if (x.ndim !== first.ndim || x.shape.some((s, i) => s !== first.shape[i])) {
      throw new ShapeError(`stack: every array needs the same shape, got ${arrays.map((a) => formatShape(a.shape)).join(", ")}`);
    }
  }
  const d = normalizeDim(dim, first.ndim + 1, "stack");
  return cat(arrays.map((x) => x.unsqueeze(d)), d);
}

/**
 * Copies `source` into the (possibly strided) view `target`, broadcasting source to it.
 * Writes through to target's buffer.
 */
export function writeInto(target: NDArray, source: NDArray): void {
  writeStrided(source.broadcastTo(target.shape).values(), target);
}
