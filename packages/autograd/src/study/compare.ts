import { DataError, checkOptions, formatShape, optionalNumber, sameShape } from "@tapegrad/tensor";
import { AutogradError } from "../errors.js";
import { Tensor } from "../tensor.js";

/** Tolerances of compareGradients: an element is close when |manual − reference| ≤ atol + rtol·|reference|. */
export interface CompareGradientsOptions {
  /** Absolute tolerance (default 1e-8, as torch.allclose). */
  atol?: number;
  /** Relative tolerance (default 1e-5, as torch.allclose). */
  rtol?: number;
}

/** How one hand-written gradient compares with autograd's. */
export interface GradientComparison {
  name: string;
  /** Shape of the hand-written gradient. */
  shape: number[];
  /** Shape of autograd's gradient. */
  referenceShape: number[];
  /** Every element equal, bit for bit (0 and −0 count as equal). */
  exact: boolean;
  /** Every element within atol + rtol·|reference| (NaN is never close, as torch.allclose). */
  close: boolean;
  /** Largest |manual − reference|; Infinity when the shapes differ, NaN when an element is NaN. */
  maxAbsDiff: number;
  /** What makes the comparison impossible (shapes that differ), else null. */
  problem: string | null;
}

/** The rows of compareGradients, in the order the entries were given, with a table renderer. */
export interface GradientReport {
  rows: GradientComparison[];
  /** True when every row is close. */
  allClose: boolean;
  /** The name of the first row that is not close (where to look), else null. */
  firstMismatch: string | null;
  atol: number;
  rtol: number;
  /** An aligned table, one row per name, and a last line naming the first mismatch. */
  toString(): string;
  /** The rows as plain data. */
  toJSON(): GradientComparison[];
}

/**
 * The gradient autograd computed for `reference`: its `.grad` when it is a leaf that
 * requires grad or an intermediate that called `retainGrad()`; the tensor itself when it
 * is a plain tensor (a gradient from `gradients()` or `vjp`, already detached).
 */
function referenceGradient(name: string, reference: Tensor): Tensor {
  if (reference.retainsGrad || (reference.isLeaf && reference.requiresGrad)) {
    const grad = reference.grad;
    if (grad === null) {
      throw new AutogradError(
        `compareGradients: ${name}: the reference of shape ${formatShape(reference.shape)} has no gradient yet; ` +
          "run backward() on the loss (after retainGrad() on intermediates) before comparing",
      );
    }
    return grad;
  }
  if (!reference.isLeaf) {
    throw new AutogradError(
      `compareGradients: ${name}: the reference of shape ${formatShape(reference.shape)} is an intermediate (made by ${reference.gradFn!.name}) ` +
        "that did not call retainGrad() before backward(), so autograd kept no gradient for it; call retainGrad() on it before backward(), " +
        "or pass a gradient tensor (detach() it first)",
    );
  }
  return reference;
}

function compareOne(name: string, manual: Tensor, reference: Tensor, atol: number, rtol: number): GradientComparison {
  const expected = referenceGradient(name, reference);
  const row: GradientComparison = {
    name,
    shape: [...manual.shape],
    referenceShape: [...expected.shape],
    exact: false,
    close: false,
    maxAbsDiff: Infinity,
    problem: null,
  };
  if (!sameShape(manual.shape, expected.shape)) {
    row.problem = `shape ${formatShape(manual.shape)} where autograd's gradient has ${formatShape(expected.shape)}`;
    return row;
  }
  const m = manual.array.values();
  const r = expected.array.values();
  let exact = true;
  let close = true;
  let maxAbsDiff = 0;
  for (let i = 0; i < m.length; i++) {
    const diff = Math.abs(m[i]! - r[i]!);
    if (m[i] !== r[i]) exact = false;
    // Written so that NaN fails: NaN ≤ x is false.
    if (!(diff <= atol + rtol * Math.abs(r[i]!))) close = false;
    if (Number.isNaN(diff)) maxAbsDiff = NaN;
    else if (diff > maxAbsDiff) maxAbsDiff = diff; // false once maxAbsDiff is NaN
  }
  row.exact = exact;
  row.close = close;
  row.maxAbsDiff = maxAbsDiff;
  return row;
}

const formatDiff = (v: number): string => (v === 0 ? "0" : Number.isFinite(v) ? v.toExponential(2) : String(v));

function renderTable(rows: readonly GradientComparison[], firstMismatch: string | null, atol: number, rtol: number): string {
  const header = ["name", "shape", "exact", "close", "maxAbsDiff"];
  const cells = rows.map((r) => [r.name, formatShape(r.shape), r.exact ? "yes" : "no", r.close ? "yes" : "no", r.problem ?? formatDiff(r.maxAbsDiff)]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ");
  const verdict =
    firstMismatch === null ? `all close (atol ${atol}, rtol ${rtol})` : `first mismatch: ${firstMismatch} (atol ${atol}, rtol ${rtol}): check the line that computes it`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line), verdict].join("\n");
}

/**
 * Compares hand-written gradients with autograd's, one row per name, as a learner does
 * after each line of a manual backward pass: `compareGradients({ dlogits: [dlogits, logits], dW1: [dW1, W1] })`.
 * The reference's `.grad` is used when it is a leaf that requires grad or an intermediate
 * that called `retainGrad()` (call it before `backward()`); a plain tensor is taken as
 * the gradient itself. Each row says whether every element is equal (`exact`), within
 * atol + rtol·|reference| (`close`), and the largest absolute difference.
 * @throws DataError when an entry is not a pair of tensors or a tolerance is not a non-negative number;
 * AutogradError when a reference has no gradient to compare with.
 */
export function compareGradients(entries: Record<string, readonly [manual: Tensor, reference: Tensor]>, options: CompareGradientsOptions = {}): GradientReport {
  checkOptions("compareGradients", options, ["atol", "rtol"]);
  const nonNegative = (v: number) => Number.isFinite(v) && v >= 0;
  const atol = optionalNumber("compareGradients", "atol", options.atol, 1e-8, nonNegative, "a non-negative number");
  const rtol = optionalNumber("compareGradients", "rtol", options.rtol, 1e-5, nonNegative, "a non-negative number");
  if (typeof entries !== "object" || entries === null || Array.isArray(entries) || entries instanceof Tensor) {
    throw new DataError("compareGradients: expected a record { name: [manualGradient, referenceTensor], … }");
  }
  const rows = Object.entries(entries).map(([name, pair]) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !(pair[0] instanceof Tensor) || !(pair[1] instanceof Tensor)) {
      throw new DataError(`compareGradients: ${name} must be a pair [manualGradient, referenceTensor] of two Tensors`);
    }
    return compareOne(name, pair[0], pair[1], atol, rtol);
  });
  const firstMismatch = rows.find((r) => !r.close)?.name ?? null;
  return { rows, allClose: firstMismatch === null, firstMismatch, atol, rtol, toString: () => renderTable(rows, firstMismatch, atol, rtol), toJSON: () => rows };
}
