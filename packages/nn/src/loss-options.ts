import { DataError, ShapeError, Tensor, tensor } from "@tapegrad/autograd";
import { broadcastShapes, formatShape, sameShape } from "@tapegrad/tensor";
import { checkOptions, optionalNumber } from "./options.js";
import type { Reduction } from "./functional/losses.js";

// Option and target checks shared by the functional losses and the loss modules (internal).

/** The reductions every loss accepts; KLDivLoss adds 'batchmean'. */
export const REDUCTIONS: readonly string[] = ["mean", "sum", "none"];

/** 'mean', 'sum' or 'none', or with 'batchmean': the list as an error message says it. */
const listed = (names: readonly string[]) => names.map((n) => `'${n}'`).join(", ").replace(/, ([^,]*)$/, " or $1");

/**
 * Reads the options of a functional loss, which may also be given as a bare reduction
 * (`mseLoss(x, y, "sum")`, the older form). `reductions` lists the accepted reductions
 * (KLDivLoss adds 'batchmean'); the result's type says the common three.
 * @throws DataError on an unknown key (suggesting the close one) or an unknown reduction.
 */
export function lossOptions(
  op: string,
  options: unknown,
  allowed: readonly string[],
  reductions: readonly string[] = REDUCTIONS,
): Record<string, unknown> & { reduction: Reduction } {
  const o = typeof options === "string" ? { reduction: options } : { ...checkOptions(op, options, [...allowed, "reduction"]) };
  const reduction = o.reduction ?? "mean";
  if (typeof reduction !== "string" || !reductions.includes(reduction)) {
    throw new DataError(`${op}: reduction must be ${listed(reductions)}, got ${JSON.stringify(reduction)}`);
  }
  return { ...o, reduction: reduction as Reduction };
}

/** A Tensor from a Tensor or a number[]. @throws DataError otherwise. */
export function asTensor(value: unknown, op: string, what: string): Tensor {
  if (value instanceof Tensor) return value;
  if (Array.isArray(value)) return tensor(value);
  throw new DataError(`${op}: ${what} must be a Tensor or an array of numbers, got ${value === null ? "null" : typeof value}`);
}

/**
 * A constant weight tensor broadcastable to `shape`, or null.
 * @throws ShapeError when it does not broadcast; DataError when it is not a tensor.
 */
export function weightTensor(value: unknown, op: string, name: string, shape: readonly number[]): Tensor | null {
  if (value === undefined || value === null) return null;
  const w = asTensor(value, op, name).detach();
  let joined: number[];
  try {
    joined = broadcastShapes(w.shape, shape);
  } catch {
    throw new ShapeError(`${op}: ${name} of shape ${formatShape(w.shape)} does not broadcast to ${formatShape(shape)}`);
  }
  if (!sameShape(joined, shape)) throw new ShapeError(`${op}: ${name} of shape ${formatShape(w.shape)} does not broadcast to ${formatShape(shape)}`);
  return w;
}

/**
 * The fix for a target whose shape differs from the input's: `[8]` against `[8, 1]` is the
 * classic case, where broadcasting would silently compare every prediction with every label.
 */
export function targetShapeHint(inputShape: readonly number[], targetShape: readonly number[]): string {
  const without = (shape: readonly number[], d: number) => [...shape.slice(0, d), ...shape.slice(d + 1)];
  for (let d = inputShape.length - 1; d >= 0; d--) {
    if (targetShape.length + 1 === inputShape.length && inputShape[d] === 1 && sameShape(without(inputShape, d), targetShape)) {
      return `; reshape the target with unsqueeze(${d}) to ${formatShape(inputShape)}`;
    }
  }
  for (let d = targetShape.length - 1; d >= 0; d--) {
    if (inputShape.length + 1 === targetShape.length && targetShape[d] === 1 && sameShape(without(targetShape, d), inputShape)) {
      return `; reshape the target with squeeze(${d}) to ${formatShape(inputShape)}`;
    }
  }
  const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  if (size(inputShape) === size(targetShape)) return `; reshape the target with reshape(${formatShape(inputShape)})`;
  return "";
}

/** Coerces a target to a Tensor of the input's shape. @throws ShapeError, with the fix, when shapes differ. */
export function target(input: Tensor, value: Tensor | number[], op: string): Tensor {
  if (!(input instanceof Tensor)) throw new DataError(`${op}: input must be a Tensor`);
  const t = asTensor(value, op, "target");
  if (!sameShape(input.shape, t.shape)) {
    throw new ShapeError(`${op}: target shape ${formatShape(t.shape)} differs from input shape ${formatShape(input.shape)}${targetShapeHint(input.shape, t.shape)}`);
  }
  return t;
}

/** The checked options of a cross-entropy: ignoreIndex an integer, labelSmoothing in [0, 1]. */
export function crossEntropySettings(op: string, options: unknown): Record<string, unknown> & { reduction: Reduction; ignoreIndex: number; labelSmoothing: number } {
  const o = lossOptions(op, options, ["weight", "ignoreIndex", "labelSmoothing"]);
  const ignoreIndex = optionalNumber(op, "ignoreIndex", o.ignoreIndex, -100, Number.isInteger, "an integer");
  const labelSmoothing = optionalNumber(op, "labelSmoothing", o.labelSmoothing, 0, (v) => v >= 0 && v <= 1, "a number in [0, 1]");
  return { ...o, ignoreIndex, labelSmoothing };
}

/** A weight option as a module buffer: a Tensor (an array becomes one) or null. @throws DataError otherwise. */
export function bufferTensor(op: string, name: string, value: unknown): Tensor | null {
  if (value === undefined || value === null) return null;
  return asTensor(value, op, name);
}

/** The checked options of an NLL loss: ignoreIndex an integer (default −100), weight as given. */
export function nllSettings(op: string, options: unknown): Record<string, unknown> & { reduction: Reduction; ignoreIndex: number } {
  const o = lossOptions(op, options, ["weight", "ignoreIndex"]);
  return { ...o, ignoreIndex: optionalNumber(op, "ignoreIndex", o.ignoreIndex, -100, Number.isInteger, "an integer") };
}

/**
 * A class-weight option checked against the number of classes: a detached `[C]` tensor, or null.
 * @throws ShapeError when it is not `[classes]`; DataError when it is not a tensor or an array.
 */
export function classWeight(value: unknown, op: string, classes: number): Tensor | null {
  if (value === undefined || value === null) return null;
  const w = asTensor(value, op, "weight").detach();
  if (w.ndim !== 1 || w.shape[0] !== classes) throw new ShapeError(`${op}: weight must hold one value per class, [${classes}], got ${formatShape(w.shape)}`);
  return w;
}
