import { broadcastShapes, sameShape } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { defineBinary, defineUnary, erfScalar, map, type BinaryFn } from "./elementwise.js";
import { checkOut } from "./out.js";
import { expScalar } from "./fdlibm-exp.js";
import { tanhScalar } from "./fdlibm-tanh.js";

// Kernels of the activation functions and of their backward formulas, each written as
// PyTorch's CPU kernel writes it (aten/src/ATen/native/cpu/Activation.cpp), so the values
// agree to the last bits or nearly. Kernels with a parameter (β, a slope, α) take it as an
// argument and loop with a callback; those without one are compiled like the other
// elementwise kernels.

/**
 * fn(a, b) over a and b broadcast together, written into `out` when given (contiguous, of
 * the result's shape; it may be a's own memory, as each element is read before it is written).
 */
function zipInto(op: string, a: NDArray, b: NDArray, fn: BinaryFn, out: NDArray | undefined): NDArray {
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op);
  if (out !== undefined) checkOut(op, out, shape);
  const av = sameShape(a.shape, shape) ? a.values() : a.broadcastTo(shape).values();
  const bv = sameShape(b.shape, shape) ? b.values() : b.broadcastTo(shape).values();
  const result = out ?? NDArray.empty(shape);
  const o = result.data;
  const start = result.offset;
  for (let i = 0; i < av.length; i++) o[start + i] = fn(av[i]!, bv[i]!);
  return result;
}

// Where Math.log1p follows the exponential (softplus, log σ), Math.exp stays: beside that
// call, an inlined expScalar measured no faster, and slower in log σ's compiled loop.
// Likewise GELU's tanh form calls tanhScalar in its backward only (normal inputs: 26.7 → 21.8
// ns per element), Math.tanh in its forward, where tanhScalar measured 3% faster on normal
// inputs and 1.4× slower where all take one branch of C's; and ELU keeps Math.expm1, which
// measured 4–8% faster there than expm1Scalar (bench/fdlibm-tanh.mjs).

/** Elementwise softplus: x where β·x > threshold, else log(1 + e^(β·x))/β, as torch.nn.functional.softplus. */
export function softplus(x: NDArray, beta: number, threshold: number): NDArray {
  return map(x, (v) => (v * beta > threshold ? v : Math.log1p(Math.exp(v * beta)) / beta));
}

/**
 * g·σ(β·x) (softplus's derivative), or g where β·x > threshold. σ is evaluated in its stable
 * form, so no threshold overflows it. g and x broadcast together; optional `out` as zipInto.
 */
export function softplusBackward(g: NDArray, x: NDArray, beta: number, threshold: number, out?: NDArray): NDArray {
  return zipInto("softplusBackward", g, x, (d, v) => {
    const z = v * beta;
    if (z > threshold) return d;
    const t = expScalar(-Math.abs(z)); // e^−z for z ≥ 0, e^z below
    return z >= 0 ? d / (1 + t) : (d * t) / (1 + t);
  }, out);
}

/** Which form of GELU: the exact x·Φ(x), or PyTorch's tanh approximation. */
export type GeluApproximation = "none" | "tanh";

const SQRT1_2 = Math.SQRT1_2;
// √(2/π), written as PyTorch writes it (M_SQRT2 · M_2_SQRTPI · 0.5).
const TANH_BETA = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
const TANH_KAPPA = 0.044715;
// 1/√(2π) (M_2_SQRTPI · M_SQRT1_2 · 0.5): the normal density's factor.
const PDF_FACTOR = (2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5;

/**
 * Elementwise GELU: x·Φ(x) = x·½(1 + erf(x/√2)), or ½x(1 + tanh(√(2/π)(x + 0.044715x³))) for
 * "tanh". For the exact form, `cdf` (contiguous, x's shape) receives Φ(x) = ½(1 + erf(x/√2))
 * as geluBackward computes it, so that a backward given it skips the error function (the
 * costliest part of both passes) and still gets the same bits.
 */
export function gelu(x: NDArray, approximate: GeluApproximation, cdf?: NDArray): NDArray {
  if (approximate === "tanh") return map(x, (v) => 0.5 * v * (1 + Math.tanh(TANH_BETA * (v + TANH_KAPPA * (v * v * v)))));
  if (cdf === undefined) return map(x, (v) => v * 0.5 * (1 + erfScalar(v * SQRT1_2)));
  checkOut("gelu", cdf, x.shape);
  const phi = cdf.data;
  const at = cdf.offset;
  let i = 0;
  return map(x, (v) => {
    const e = erfScalar(v * SQRT1_2);
    phi[at + i++] = 0.5 * (1 + e);
    return v * 0.5 * (1 + e);
  });
}

/**
 * g·GELU′(x) in PyTorch's gelu_backward order of operations, for both forms; optional `out`
 * as zipInto. `cdf`, Φ(x) as gelu wrote it (x's shape, contiguous), replaces the error
 * function when g and x have x's shape: the same values, without computing erf again.
 */
export function geluBackward(g: NDArray, x: NDArray, approximate: GeluApproximation, out?: NDArray, cdf?: NDArray): NDArray {
  if (cdf !== undefined && approximate === "none" && sameShape(g.shape, x.shape) && sameShape(cdf.shape, x.shape) && cdf.isContiguous()) {
    if (out !== undefined) checkOut("geluBackward", out, x.shape);
    const phi = cdf.data;
    const at = cdf.offset;
    let i = 0;
    return zipInto("geluBackward", g, x, (d, v) => {
      const pdf = PDF_FACTOR * expScalar(v * v * -0.5);
      return d * (phi[at + i++]! + v * pdf);
    }, out);
  }
  if (approximate === "tanh") {
    return zipInto("geluBackward", g, x, (d, v) => {
      const square = v * v;
      const inner = TANH_BETA * (v + TANH_KAPPA * (square * v));
      const t = tanhScalar(inner);
      const left = 0.5 * v;
      const leftDerivative = 0.5 * (1 + t);
      const rightDerivative = left * (1 - t * t) * (TANH_BETA * (1 + 3 * TANH_KAPPA * square));
      return d * (leftDerivative + rightDerivative);
    }, out);
  }
  return zipInto("geluBackward", g, x, (d, v) => {
    const cdf = 0.5 * (1 + erfScalar(v * SQRT1_2));
    const pdf = PDF_FACTOR * expScalar(v * v * -0.5);
    return d * (cdf + v * pdf);
  }, out);
}

/** Elementwise x where x > 0, else slope·x (NaN stays NaN). */
export function leakyRelu(x: NDArray, slope: number): NDArray {
  return map(x, (v) => (v > 0 ? v : v * slope));
}

/** g where x > 0, else slope·g: at 0 the negative side's slope, as PyTorch. Optional `out` as zipInto. */
export function leakyReluBackward(g: NDArray, x: NDArray, slope: number, out?: NDArray): NDArray {
  return zipInto("leakyReluBackward", g, x, (d, v) => (v > 0 ? d : d * slope), out);
}

/** Elementwise x where x > 0, else α·(eˣ − 1) (computed with expm1, exact near 0). */
export function elu(x: NDArray, alpha: number): NDArray {
  return map(x, (v) => (v > 0 ? v : alpha * Math.expm1(v)));
}

/**
 * g·α·eˣ where x ≤ 0, else g: at 0 the negative side's slope α, as PyTorch, and a NaN x
 * passes g. eˣ is only evaluated where x ≤ 0, so it cannot overflow. Optional `out` as zipInto.
 */
export function eluBackward(g: NDArray, x: NDArray, alpha: number, out?: NDArray): NDArray {
  return zipInto("eluBackward", g, x, (d, v) => (v <= 0 ? d * alpha * expScalar(v) : d), out);
}

/** Elementwise SiLU x·σ(x), written x/(1 + e⁻ˣ) as PyTorch (−0 at −∞ side, finite for ±1000). */
export const silu = defineUnary("silu", "v / (1 + expScalar(-v))", (v) => v / (1 + expScalar(-v)));

/** g·σ(y)·(1 + y·(1 − σ(y))) for g = a and x = b: SiLU's backward in PyTorch's order. */
export const siluBackward = defineBinary("siluBackward", "x * (t = 1 / (1 + expScalar(-y))) * (1 + y * (1 - t))", (x, y) => {
  const s = 1 / (1 + expScalar(-y));
  return x * s * (1 + y * (1 - s));
});

/** Elementwise log σ(x) = min(x, 0) − log(1 + e^(−|x|)), finite for ±1000. */
export const logSigmoid = defineUnary("logSigmoid", "Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)))", (v) => Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v))));

/** g·σ(−x) for g = a and x = b: log σ's backward, as PyTorch's log_sigmoid_backward writes it. */
export const logSigmoidBackward = defineBinary("logSigmoidBackward", "x * (t = expScalar(-Math.abs(y)), y < 0 ? 1 - t / (1 + t) : t / (1 + t))", (x, y) => {
  const z = expScalar(-Math.abs(y));
  return x * (y < 0 ? 1 - z / (1 + z) : z / (1 + z));
});
