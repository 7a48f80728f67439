import { DataError, ShapeError, formatShape, kernels, normalizeDim, sameShape } from "@tapegrad/tensor";
import { defineOp } from "../op.js";
import { Tensor } from "../tensor.js";

const catOp = defineOp<number>({
  name: "cat",
  rule: "∂xᵢ = narrow(g, dim, offsetᵢ, sizeᵢ)",
  save: () => ({}),
  forward: (arrays, dim) => kernels.cat(arrays, dim),
  vjp: (g, { inputShapes, params: dim, needsGrad }) => {
    let start = 0;
    return inputShapes.map((shape, i) => {
      const length = shape[dim]!;
      const piece = needsGrad[i] ? g.narrow(dim, start, length) : null;
      start += length;
      return piece;
    });
  },
});

/** Checks that `tensors` is a non-empty list of Tensors before any work is done. */
function checkList(tensors: readonly Tensor[], op: string): void {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ShapeError(`${op}: expected a non-empty list of tensors`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new DataError(`${op}: element ${i} of the list is not a Tensor`);
  });
}

/**
 * Joins tensors along an existing dimension; shapes must agree elsewhere.
 * `[a, n₁, c] ⧺ [a, n₂, c] → [a, n₁+n₂, c]` for dim 1.
 * @throws ShapeError on an empty list or mismatched shapes.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, "cat");
  return catOp(tensors, normalizeDim(dim, tensors[0]!.ndim, "cat"));
}

/**
 * Joins same-shape tensors along a new dimension `dim`.
 * `n × [a, b] → [n, a, b]` for dim 0.
 * @throws ShapeError on an empty list or differing shapes.
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkList(tensors, "stack");
  const first = tensors[0]!;
  if (tensors.some((t) => !sameShape(t.shape, first.shape))) {
    throw new ShapeError(`stack: every tensor needs the same shape, got ${tensors.map((t) => formatShape(t.shape)).join(", ")}`);
  }
  const d = normalizeDim(dim, first.ndim + 1, "stack");
  return cat(tensors.map((t) => t.unsqueeze(d)), d);
}
