import {
  DataError,
  ShapeError,
  Tensor,
  binaryCrossEntropy as bce,
  binaryCrossEntropyWithLogits as bceLogits,
  tensor,
} from "@tapegrad/autograd";
import { formatShape, sameShape } from "@tapegrad/tensor";

// Losses built from primitives get their gradients from the graph. The two binary
// cross-entropies are fused ops in @tapegrad/autograd (ops/loss.ts), because their
// composite gradients break at the edges.

/** How a per-element loss is reduced: averaged, summed, or returned as is. */
export type Reduction = "mean" | "sum" | "none";

/** Applies a reduction to per-element losses. @throws DataError on an unknown reduction. */
export function reduce(losses: Tensor, reduction: Reduction, op: string): Tensor {
  if (reduction === "mean") return losses.mean();
  if (reduction === "sum") return losses.sum();
  if (reduction === "none") return losses;
  throw new DataError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
}

/** Coerces a target to a Tensor of the input's shape. @throws ShapeError when shapes differ. */
function target(input: Tensor, value: Tensor | number[], op: string): Tensor {
  const t = value instanceof Tensor ? value : Array.isArray(value) ? tensor(value) : null;
  if (!(input instanceof Tensor) || t === null) throw new DataError(`${op}: input and target must be Tensors`);
  if (!sameShape(input.shape, t.shape)) {
    throw new ShapeError(`${op}: target shape ${formatShape(t.shape)} differs from input shape ${formatShape(input.shape)}`);
  }
  return t;
}

/**
 * Binary cross-entropy of probabilities, −[y·log x + (1 − y)·log(1 − x)] with logs clamped
 * at −100 (PyTorch semantics). `input` and `target` have the same shape.
 * @throws DataError when an input lies outside [0, 1]; ShapeError when shapes differ.
 */
export function binaryCrossEntropy(input: Tensor, targetValue: Tensor | number[], reduction: Reduction = "mean"): Tensor {
  const y = target(input, targetValue, "BCELoss");
  const values = input.array.values();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 1)) throw new DataError(`BCELoss: every input must lie in [0, 1], got ${v} at flat index ${i}`);
  }
  return reduce(bce([input, y], undefined), reduction, "BCELoss");
}

/**
 * Binary cross-entropy on logits, in the stable form max(x, 0) − x·y + log(1 + e^−|x|):
 * finite for logits of ±1000.
 * @throws ShapeError when shapes differ.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, targetValue: Tensor | number[], reduction: Reduction = "mean"): Tensor {
  const y = target(input, targetValue, "BCEWithLogitsLoss");
  return reduce(bceLogits([input, y], undefined), reduction, "BCEWithLogitsLoss");
}

/**
 * Mean squared error (x − y)², reduced.
 * @throws ShapeError when shapes differ.
 */
export function mseLoss(input: Tensor, targetValue: Tensor | number[], reduction: Reduction = "mean"): Tensor {
  const y = target(input, targetValue, "MSELoss");
  return reduce(input.sub(y).square(), reduction, "MSELoss");
}

/**
 * Cross-entropy of logits `[N, C]` against class indices `[N]`: −logSoftmax(x)[n, yₙ],
 * reduced over N. Composed from logSoftmax, so it is stable for large logits.
 * @throws ShapeError on wrong shapes; DataError when a target is not an integer in [0, C).
 */
export function crossEntropy(input: Tensor, targets: Tensor | number[], reduction: Reduction = "mean"): Tensor {
  if (!(input instanceof Tensor) || input.ndim !== 2) {
    throw new ShapeError(`CrossEntropyLoss: expected logits [N, C], got ${input instanceof Tensor ? formatShape(input.shape) : typeof input}`);
  }
  const [n, c] = input.shape as [number, number];
  const t = targets instanceof Tensor ? targets.toFloat64Array() : Array.isArray(targets) ? Float64Array.from(targets) : null;
  const tShape = targets instanceof Tensor ? targets.shape : [t?.length ?? 0];
  if (t === null || tShape.length !== 1 || t.length !== n) {
    throw new ShapeError(`CrossEntropyLoss: expected ${n} class indices for logits ${formatShape(input.shape)}, got shape ${formatShape(tShape)}`);
  }
  const oneHot = new Float64Array(n * c);
  t.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0 || k >= c) throw new DataError(`CrossEntropyLoss: target ${k} at position ${i} is not a class index in [0, ${c})`);
    oneHot[i * c + k] = 1;
  });
  const picked = input.logSoftmax(1).mul(tensor(oneHot, { shape: [n, c] })).sum(1).neg();
  return reduce(picked, reduction, "CrossEntropyLoss");
}
