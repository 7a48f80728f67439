import { NDArray, formatShape } from "@tapegrad/tensor";
import { AutogradError, GradcheckError } from "../errors.js";
import { gradients } from "../functional.js";
import { noGrad } from "../modes.js";
import { Tensor } from "../tensor.js";

/** Tolerances of gradcheck: an element passes when |analytic − numeric| ≤ atol + rtol·|numeric|. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Return the report instead of throwing on a mismatch. */
  raiseException?: boolean;
}

/** The worst-matching Jacobian entry. */
export interface GradcheckEntry {
  /** Which input (position in the inputs list). */
  input: number;
  /** Flat index of the element within that input. */
  element: number;
  /** Flat index of the output element. */
  output: number;
  analytic: number;
  numeric: number;
  /** |analytic − numeric| − (atol + rtol·|numeric|): positive means a failure. */
  excess: number;
}

/** What gradcheck compared. */
export interface GradcheckReport {
  passed: boolean;
  /** Number of Jacobian entries compared. */
  checked: number;
  maxAbsError: number;
  /** The entry that came closest to (or furthest past) the tolerance. */
  worst: GradcheckEntry | null;
}

/**
 * Compares every entry of f's Jacobian computed by the VJPs (one backward per output
 * element) with central finite differences (f(x+ε) − f(x−ε)) / 2ε, for every element of
 * every input that requires grad, in float64.
 * @returns the report when every entry is within tolerance.
 * @throws GradcheckError naming the worst element otherwise; AutogradError when no input requires grad.
 */
export function gradcheck(f: (...inputs: Tensor[]) => Tensor, inputs: Tensor | readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = options;
  const list = inputs instanceof Tensor ? [inputs] : inputs;
  const checked = list.map((x, i) => {
    if (!(x instanceof Tensor)) throw new AutogradError(`gradcheck: input ${i} is not a Tensor`);
    return x.requiresGrad;
  });
  if (!checked.some(Boolean)) throw new AutogradError("gradcheck: no input requires grad, so there is nothing to check");
  // Differentiate fresh leaves that share the inputs' memory, so the callers' .grad stay untouched.
  const leaves = list.map((x) => x.detach().requiresGrad_(x.requiresGrad));
  const output = f(...leaves);
  if (!(output instanceof Tensor)) throw new AutogradError("gradcheck: f must return a Tensor");
  const outSize = output.size;
  const analytic: Float64Array[][] = leaves.map((x) => Array.from({ length: outSize }, () => new Float64Array(x.size)));
  const wanted = leaves.filter((_, i) => checked[i]);
  for (let o = 0; o < outSize; o++) {
    if (!output.requiresGrad) break;
    const seed = new Float64Array(outSize);
    seed[o] = 1;
    const grads = gradients(output, wanted, { gradOutputs: [new Tensor(new NDArray(seed, output.shape))], retainGraph: true });
    let k = 0;
    leaves.forEach((_, i) => {
      if (checked[i]) analytic[i]![o] = grads[k++]!.toFloat64Array();
    });
  }
  let worst: GradcheckEntry | null = null;
  let maxAbsError = 0;
  let count = 0;
  noGrad(() => {
    leaves.forEach((x, i) => {
      if (!checked[i]) return;
      const values = x.array.values();
      if (values.buffer !== x.array.data.buffer || !x.array.isContiguous()) {
        throw new AutogradError(`gradcheck: input ${i} of shape ${formatShape(x.shape)} must be contiguous; call .contiguous() first`);
      }
      for (let e = 0; e < x.size; e++) {
        const original = values[e]!;
        values[e] = original + eps;
        const plus = f(...leaves).toFloat64Array();
        values[e] = original - eps;
        const minus = f(...leaves).toFloat64Array();
        values[e] = original;
        for (let o = 0; o < outSize; o++) {
          const numeric = (plus[o]! - minus[o]!) / (2 * eps);
          const a = analytic[i]![o]![e]!;
          const error = Math.abs(a - numeric);
          const excess = Number.isNaN(error) ? Infinity : error - (atol + rtol * Math.abs(numeric));
          maxAbsError = Math.max(maxAbsError, Number.isNaN(error) ? Infinity : error);
          count++;
          if (worst === null || excess > worst.excess) worst = { input: i, element: e, output: o, analytic: a, numeric, excess };
        }
      }
    });
  });
  const report: GradcheckReport = { passed: worst === null || (worst as GradcheckEntry).excess <= 0, checked: count, maxAbsError, worst };
  if (!report.passed && raiseException) {
    const w = report.worst!;
    throw new GradcheckError(
      `gradcheck: Jacobian mismatch for input ${w.input} (shape ${formatShape(list[w.input]!.shape)}) at element ${w.element}, ` +
        `output element ${w.output}: analytic ${w.analytic}, numeric ${w.numeric} (atol ${atol}, rtol ${rtol})`,
      report,
    );
  }
  return report;
}
