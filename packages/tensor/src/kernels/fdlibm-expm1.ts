// eˣ − 1 with the same bits as V8's Math.expm1, computed inside our own loops.
//
// V8 computes Math.expm1 with fdlibm's s_expm1.c (Sun Microsystems, 1993, freely
// distributable) as its src/base/ieee754.cc has it: C++ that optimized JavaScript calls out of
// line. expm1Scalar does the same floating-point operations on the same values in the same
// order, so it rounds the same way and returns the same double for every input
// (test/fdlibm-expm1.test.ts holds it to Object.is against Math.expm1), and TurboFan inlines
// it into a kernel's loop. tanhScalar (fdlibm-tanh.ts) builds on the same pieces; the expm1
// kernel itself keeps Math.expm1, which measured as fast in training (see elementwise.ts).
//
// s_expm1.c's method: write x = k·ln2 + r with k = trunc(x/ln2 ± ½), so |r| ≤ ½ln2 (k = 0 and
// r = x below |x| ≈ ½ln2), r rounded from hi − lo (hi = x − k·ln2hi exact, lo = k·ln2lo) and
// c = (hi − r) − lo what the rounding lost. A Remez fit in r²/2 gives eʳ − 1 = r − f for a small
// correction f (expm1Correction below, which also folds in c), and 2ᵏ·(1 + r − f) − 1 is then
// evaluated in one of seven arrangements, chosen by k so that no digits cancel.
//
// C chooses the arrangement with branches, and on a network's activations k changes from one
// element to the next: Math.expm1 takes 6 ns per element where every input takes the same
// branch, 16 on normal inputs. Here every k takes one formula,
//   eˣ − 1 = (((r + P) − (f + Q)) + R)·S·S₂ + U,
// with P … U read from tables indexed by k, which make it each of s_expm1.c's arrangements:
//   k = 0                r − f                  [x − (x·e − hxs) there; its c is 0]
//   k = −1               ((r − f) − 1)·½        [½(x − e) − ½: halving commutes with rounding]
//   k = 1, r < −¼        ((r + ½) − f)·2        [−2(e − (x + ½))]
//   k = 1                ((r − f) + ½)·2        [1 + 2(x − e): doubling commutes with rounding]
//   2 ≤ k < 20           ((r − f) + 1 − 2⁻ᵏ)·2ᵏ  [(1 − 2⁻ᵏ) − (e − x), scaled]
//   20 ≤ k ≤ 56          ((r − (f + 2⁻ᵏ)) + 1)·2ᵏ [x − (e + 2⁻ᵏ), plus 1, scaled]
//   k ≤ −2 or k > 56     ((r − f) + 1)·2ᵏ − 1     [(1 − (e − x))·2ᵏ − 1; for k = 1024, ·2·2¹⁰²³]
// (e in brackets is s_expm1.c's final e, our f). A factor 1 is exact; adding a zero term can
// only turn −0 into +0, which none of the sums it meets can tell apart (r is x ≠ 0 or a rounded
// hi − lo, never −0); and r − f = −(f − r) exactly, rounding being symmetric. So every row gives
// s_expm1.c's bits.

/**
 * Float64Arrays of these lengths, for the constants and tables of the functions here: views of
 * one ArrayBuffer. V8 keeps an ArrayBuffer's memory off the heap, at an address TurboFan writes
 * into the code (a typed array of 64 bytes or less made without one lives on the heap, where
 * every read first loads its address and checks its length: the tanh kernel with its seven
 * constants there, 15.6 ns per element against 14.7). And once any ArrayBuffer in the process
 * has been detached (growing the GEMM kernel's WebAssembly memory does that), every read checks
 * that its buffer is still attached; with one buffer, its address takes one register (16.9 ns
 * against 17.4 with a buffer per table).
 */
export function tables<const Lengths extends readonly number[]>(lengths: Lengths): { -readonly [K in keyof Lengths]: Float64Array } {
  const buffer = new ArrayBuffer(8 * lengths.reduce((sum, length) => sum + length, 0));
  let offset = 0;
  return lengths.map((length) => {
    const view = new Float64Array(buffer, offset, length);
    offset += 8 * length;
    return view;
  }) as { -readonly [K in keyof Lengths]: Float64Array };
}

// Indices into expm1Correction's constants: s_expm1.c's Q1 … Q5 (its Remez coefficients scaled
// by 2ⁱ, for z = r²/2), then small numbers of its formula.
const enum Coefficient {
  Q1, // 0xBFA11111 111110F4
  Q2, // 0x3F5A01A0 19FE5585
  Q3, // 0xBF14CE19 9EAADBB7
  Q4, // 0x3ED0CFCA 86E65239
  Q5, // 0xBE8AFDB7 6E09C32D
  Half,
  One,
  Three,
  Six,
}

/**
 * s_expm1.c's correction f for a reduced argument r (|r| ≤ ½ln2) and its rounding error c:
 * eʳ⁺ᶜ − 1 ≈ r − f. Shared by expm1Scalar and tanhScalar, and inlined into both by TurboFan.
 */
export const expm1Correction: (r: number, c: number) => number = (() => {
  // Constants and tables are locals of a closure, not module variables: bundlers turn a
  // module's top-level const into var, which TurboFan cannot fold (see fdlibm-exp.ts).
  const [C] = tables([9]);
  C.set([-0.03333333333333313, 0.0015873015872548146, -0.0000793650757867488, 0.000004008217827329362, -2.0109921818362437e-7, 0.5, 1, 3, 6]);
  return function expm1Correction(r: number, c: number): number {
    const q = C;
    const hfx = q[Coefficient.Half]! * r;
    const hxs = r * hfx;
    const r1 = q[Coefficient.One]! + hxs * (q[Coefficient.Q1]! + hxs * (q[Coefficient.Q2]! + hxs * (q[Coefficient.Q3]! + hxs * (q[Coefficient.Q4]! + hxs * q[Coefficient.Q5]!))));
    const t = q[Coefficient.Three]! - r1 * hfx;
    const e = hxs * ((r1 - t) / (q[Coefficient.Six]! - r * t));
    return r * (e - c) - c - hxs;
  };
})();

/** The constants of the formula above for one k: see expm1Step. */
export interface Expm1Step {
  /** P, added to r first. */
  readonly p: number;
  /** Q, added to the correction f. */
  readonly q: number;
  /** R, added to the difference. */
  readonly r: number;
  /** S, the first scale factor. */
  readonly s: number;
  /** S₂, the second scale factor (2¹⁰²³ for k = 1024, whose 2ᵏ is no double; else 1). */
  readonly s2: number;
  /** U, added last. */
  readonly u: number;
}

/**
 * The constants P, Q, R, S, S₂, U with which (((r + P) − (f + Q)) + R)·S·S₂ + U is
 * s_expm1.c's arrangement for this k (an integer, at most 1024); `rBelowQuarter` tells
 * r < −¼, which matters for k = 1 only. Used to fill the tables of expm1Scalar and tanhScalar.
 */
export function expm1Step(k: number, rBelowQuarter: boolean): Expm1Step {
  if (k === 0) return { p: 0, q: 0, r: 0, s: 1, s2: 1, u: 0 };
  if (k === -1) return { p: 0, q: 0, r: -1, s: 0.5, s2: 1, u: 0 };
  if (k === 1) return rBelowQuarter ? { p: 0.5, q: 0, r: 0, s: 2, s2: 1, u: 0 } : { p: 0, q: 0, r: 0.5, s: 2, s2: 1, u: 0 };
  if (k === 1024) return { p: 0, q: 0, r: 1, s: 2, s2: 2 ** 1023, u: -1 };
  if (k <= -2 || k > 56) return { p: 0, q: 0, r: 1, s: 2 ** k, s2: 1, u: -1 };
  if (k < 20) return { p: 0, q: 0, r: 1 - 2 ** -k, s: 2 ** k, s2: 1, u: 0 };
  return { p: 0, q: 2 ** -k, r: 1, s: 2 ** k, s2: 1, u: 0 };
}

// Indices into expm1Scalar's constants.
const enum At {
  InvLn2, // 1/ln2: 0x3FF71547 652B82FE
  ReduceFrom, // s_expm1.c reduces x from this |x| on (high word 0x3FD62E43): ½ln2 rounded up
  Half,
  Lowest, // 2⁻⁵⁴: below it s_expm1.c returns x
  MinusOne, // −56·ln2 rounded (high word 0x4043687A): from it down s_expm1.c returns −1
  OThreshold, // above it eˣ − 1 overflows: 0x40862E42 FEFA39EF
  MinusQuarter,
}

/**
 * eˣ − 1 of one float64 value: for every x the same double as `Math.expm1(x)` in V8 (fdlibm's
 * algorithm, within an ulp, accurate near 0), but computed where it is called, so that a
 * kernel's loop does not pay for a call per element. ∞ above 709.78…, −1 below −38.8, NaN for NaN.
 */
export const expm1Scalar: (x: number) => number = (() => {
  const LN2_HI = 0.6931471803691238; // ln2 to 32 bits: 0x3FE62E42 FEE00000
  const LN2_LO = 1.9082149292705877e-10; // ln2 − LN2_HI: 0x3DEA39EF 35793C76
  const correction = expm1Correction;
  // k·ln2hi and k·ln2lo are m·(±ln2hi) and m·(±ln2lo) for m = |k|, the sign riding on the
  // constant, or 0 where s_expm1.c does not reduce: at [negative + 2·reduced]. Then the
  // formula's constants, a table per letter at [k − K_MIN], and k = 1 with r < −¼ in the last
  // row. All of one length, so that TurboFan checks the index once for all six reads.
  const K_MIN = -56; // x > −38.8 gives k ≥ −56 (below, the early return)
  const K_MAX = 1024; // x ≤ 709.78 gives k ≤ 1024
  const BELOW_QUARTER = K_MAX - K_MIN + 1;
  const rows = BELOW_QUARTER + 1;
  const [C, SIGNED_LN2_HI, SIGNED_LN2_LO, P, Q, R, S, S2, U] = tables([7, 4, 4, rows, rows, rows, rows, rows, rows]);
  C.set([1.4426950408889634, 0.3465735912322998, 0.5, 2 ** -54, -38.81622314453125, 709.782712893384, -0.25]);
  SIGNED_LN2_HI.set([0, 0, LN2_HI, -LN2_HI]);
  SIGNED_LN2_LO.set([0, 0, LN2_LO, -LN2_LO]);
  for (let row = 0; row < rows; row++) {
    const step = row === BELOW_QUARTER ? expm1Step(1, true) : expm1Step(row + K_MIN, false);
    P[row] = step.p;
    Q[row] = step.q;
    R[row] = step.r;
    S[row] = step.s;
    S2[row] = step.s2;
    U[row] = step.u;
  }

  // s_expm1.c's early returns, out of the inlined function: NaN, ±0 and |x| < 2⁻⁵⁴ (x itself),
  // x > 709.78 (∞) and x ≤ −38.8 (−1, with −∞).
  function expm1Edge(x: number): number {
    if (Math.abs(x) < 2 ** -54) return x;
    if (!(x <= 709.782712893384)) return x > 0 ? Infinity : x + x; // x + x quiets a signalling NaN, as s_expm1.c's
    return -1;
  }

  function expm1Scalar(x: number): number {
    const c = C; // read once: the function must stay small enough for TurboFan to inline
    const ax = Math.abs(x);
    if (!(ax >= c[At.Lowest]! && x > c[At.MinusOne]! && x <= c[At.OThreshold]!)) return expm1Edge(x);
    // s_expm1.c's k = trunc(x/ln2 ± ½) is ±m with m = trunc(|x|/ln2 + ½), rounding to nearest
    // being symmetric. Between ½ln2 and 1.5·ln2 this gives its k = ±1, hi and lo, and below
    // ReduceFrom, where it takes k = 0 and r = x, the zero constants give hi = x, lo = 0, c = 0.
    const negative = +(x < 0);
    const reduced = +(ax >= c[At.ReduceFrom]!);
    const side = negative + 2 * reduced;
    const m = Math.trunc(c[At.InvLn2]! * ax + c[At.Half]!);
    const hi = x - m * SIGNED_LN2_HI[side]!;
    const lo = m * SIGNED_LN2_LO[side]!;
    const r = hi - lo;
    const f = correction(r, hi - r - lo);
    const k = (((m | 0) & -reduced) ^ -negative) + negative;
    const row = k - K_MIN + (+(k === 1) & +(r < c[At.MinusQuarter]!)) * (BELOW_QUARTER - 1 + K_MIN);
    return (r + P[row]! - (f + Q[row]!) + R[row]!) * S[row]! * S2[row]! + U[row]!;
  }

  // A few calls through every path now, so that TurboFan, when it inlines expm1Scalar, has
  // seen them all and compiles the early return instead of an exit to the interpreter (as
  // expScalar's, see fdlibm-exp.ts).
  for (let round = 0; round < 3; round++) {
    for (const v of [Number.NaN, Infinity, -Infinity, 0, -50, 709.5, 1e-9, -0.3, 0.5, -0.5, 1, 3, 30]) expm1Scalar(v);
  }
  return expm1Scalar;
})();
