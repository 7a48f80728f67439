import { DataError, Tensor } from "@tapegrad/autograd";
import { optionalNumber } from "./options.js";

// Argument checks shared by the functional forms and the layers of the normalization,
// embedding, dropout and activation families (internal: not exported from the index).

/**
 * Refuses `inplace: true`: tapegrad's layers and functions always return a new tensor.
 * @throws DataError when inplace is true or not a boolean.
 */
export function checkInplace(op: string, inplace: unknown): false {
  if (inplace === undefined || inplace === false) return false;
  if (inplace === true) {
    throw new DataError(`${op}: inplace=true is not supported (tapegrad returns a new tensor); drop the option or pass false`);
  }
  throw new DataError(`${op}: inplace must be true or false, got ${describe(inplace)}`);
}

/** The tensor argument, checked. @throws DataError when it is not a Tensor. */
export function tensorArgument(op: string, x: unknown, what = "input"): Tensor {
  if (!(x instanceof Tensor)) throw new DataError(`${op}: expected a Tensor as ${what}, got ${describe(x)}`);
  return x;
}

/** A value as it reads in an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(", ")}]`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}

/** Checks a size argument. @throws DataError unless it is a positive integer. */
export function positiveInteger(op: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw new DataError(`${op}: ${name} must be a positive integer, got ${describe(value)}`);
  return value;
}

/**
 * Checks a dropout probability.
 * @throws DataError unless p is a number in [0, 1].
 */
export function dropoutProbability(op: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new DataError(`${op}: dropout probability p must be a number in [0, 1], got ${describe(p)}`);
  return p;
}

/** A normalized shape: a size or sizes, each a positive integer. @throws DataError otherwise. */
export function checkNormalizedShape(op: string, normalizedShape: unknown): number[] {
  const sizes = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(sizes) || sizes.length === 0 || !sizes.every((s) => typeof s === "number" && Number.isInteger(s) && s > 0)) {
    throw new DataError(`${op}: normalizedShape must be a positive integer or a non-empty array of them, got ${describe(normalizedShape)}`);
  }
  return [...sizes];
}

/** eps, checked. @throws DataError unless it is a finite number ≥ 0. */
export function checkEps(op: string, eps: unknown): number {
  return optionalNumber(op, "eps", eps, 1e-5, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
}

/**
 * A padding index normalised to [0, numEmbeddings), or null.
 * @throws DataError when it is not an integer in [−numEmbeddings, numEmbeddings).
 */
export function normalizePaddingIdx(op: string, paddingIdx: unknown, numEmbeddings: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (typeof paddingIdx !== "number" || !Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
    throw new DataError(`${op}: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}] (within the ${numEmbeddings} embeddings), got ${describe(paddingIdx)}`);
  }
  return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
}
