// tanh with the same bits as V8's Math.tanh, computed inside our own loops.
//
// V8 computes Math.tanh with fdlibm's s_tanh.c (Sun Microsystems, 1993, freely distributable)
// as its src/base/ieee754.cc has it, out of line in C++:
//   |x| < 2⁻²⁸      x
//   2⁻²⁸ ≤ |x| < 1  −t/(t + 2) with t = expm1(−2|x|)
//   1 ≤ |x| < 22    1 − 2/(t + 2) with t = expm1(2|x|)
//   22 ≤ |x|        1
// with the sign of x. tanhScalar does the same operations, its expm1 that of expm1Scalar
// (fdlibm-expm1.ts: s_expm1.c as one formula whose constants come from tables indexed by k), so
// it returns the same double for every input (test/fdlibm-tanh.test.ts holds it to Object.is
// against Math.tanh). Both of tanh's branches and the sign become table entries too:
//   tanh(x) = W − (y·S′ + U′)/(y·S + U + 2),
// where y·S + U is expm1's t (y = ((r − (f + Q)) + R), its S₂ being 1 and P 0 for tanh's k from
// −3 to 63), W = 0, S′ = ±S, U′ = ±U below |x| = 1, and W = ±1, S′ = 0, U′ = ±2 from it on, ±
// the sign of x: a negated numerator negates the quotient exactly, and y·0 + U′ = U′ (y > 0).
//
// On normal inputs (a network's activations) the C code's branches mispredict; tanhScalar has
// none but its early return, and the kernel's loop no call: the tanh kernel takes 14.7 ns per
// element against 19.7 with Math.tanh, 16.9 against 20.0 in a process where V8 checks every
// typed-array read (see `tables` in fdlibm-expm1.ts). Where every input takes the same branch of
// C's (all |x| < 0.17, say), Math.tanh is faster (9.0 ns against 14.5): bench/fdlibm-tanh.mjs.

import { expm1Correction, expm1Step, tables } from "./fdlibm-expm1.js";

// Indices into tanhScalar's constants.
const enum At {
  TwoInvLn2, // 2/ln2: expm1's k from |x| without forming 2|x| (doubling is exact)
  HalfReduceFrom, // s_expm1.c reduces its argument from ½ln2 (rounded up) on: |x| from half that
  Half,
  One,
  Two,
  Lowest, // 2⁻²⁸: below it s_tanh.c returns x
  Highest, // 22: from it on s_tanh.c returns ±1
}

/**
 * tanh of one float64 value: for every x the same double as `Math.tanh(x)` in V8 (fdlibm's
 * algorithm, within an ulp), but computed where it is called, so that a kernel's loop does not
 * pay for a call per element. x itself below 2⁻²⁸ in magnitude, ±1 from 22 on, NaN for NaN.
 */
export const tanhScalar: (x: number) => number = (() => {
  const LN2_HI = 0.6931471803691238; // ln2 to 32 bits: 0x3FE62E42 FEE00000
  const LN2_LO = 1.9082149292705877e-10; // ln2 − LN2_HI: 0x3DEA39EF 35793C76
  const correction = expm1Correction;
  // With big = (|x| ≥ 1), expm1's argument is −2|x| below 1 and 2|x| from it on. At
  // [big + 2·reduced]: its sign (times 2, |x| standing for |a|/2), and ln2hi, ln2lo with that
  // sign, or 0 where s_expm1.c does not reduce (as in expm1Scalar). Then rows at
  // [2·(|k| + 64·big) + (x < 0)] for k = ±|k| (negative below |x| = 1, where |k| ≤ 3; from 3 to
  // 63 above): the constants of expm1's formula and of tanh's, all tables of one length, so that
  // TurboFan checks the index once for all seven reads.
  const ROWS = 256;
  const [C, ARGUMENT_SIGN, SIGNED_LN2_HI, SIGNED_LN2_LO, Q, R, S, U, W, SIGNED_S, SIGNED_U] = tables([7, 4, 4, 4, ROWS, ROWS, ROWS, ROWS, ROWS, ROWS, ROWS]);
  C.set([2 * 1.4426950408889634, 0.3465735912322998 / 2, 0.5, 1, 2, 2 ** -28, 22]);
  ARGUMENT_SIGN.set([-2, 2, -2, 2]);
  SIGNED_LN2_HI.set([0, 0, -LN2_HI, LN2_HI]);
  SIGNED_LN2_LO.set([0, 0, -LN2_LO, LN2_LO]);
  for (let row = 0; row < ROWS; row++) {
    const negative = row & 1;
    const big = row >= ROWS / 2;
    const size = (row >> 1) & 63;
    const step = expm1Step(big ? size : -size, false);
    // Only s_expm1.c's k = 1 (r < −¼) and k = 1024 use P and S₂, and tanh meets neither.
    if (step.p !== 0 || step.s2 !== 1) throw new Error(`tanhScalar: expm1's step for k = ${big ? size : -size} needs P or S₂`);
    const sign = negative ? -1 : 1;
    Q[row] = step.q;
    R[row] = step.r;
    S[row] = step.s;
    U[row] = step.u;
    W[row] = big ? sign : 0;
    SIGNED_S[row] = big ? 0 : sign * step.s;
    SIGNED_U[row] = big ? 2 * sign : sign * step.u;
  }

  // s_tanh.c's early returns, out of the inlined function: NaN (NaN), |x| < 2⁻²⁸ (x, ±0
  // included), ±∞ and |x| ≥ 22 (±1).
  function tanhEdge(x: number): number {
    if (Math.abs(x) < 2 ** -28) return x;
    if (x !== x) return x + x;
    return x > 0 ? 1 : -1;
  }

  function tanhScalar(x: number): number {
    const c = C; // read once: the function must stay small enough for TurboFan to inline
    const ax = Math.abs(x);
    if (!(ax >= c[At.Lowest]! && ax < c[At.Highest]!)) return tanhEdge(x);
    // expm1(a) for a = ∓2|x| as expm1Scalar computes it (see there), with |a|/ln2 = |x|·2/ln2.
    const big = +(ax >= c[At.One]!);
    const reduced = +(ax >= c[At.HalfReduceFrom]!);
    const side = big + 2 * reduced;
    const m = Math.trunc(c[At.TwoInvLn2]! * ax + c[At.Half]!);
    const hi = ax * ARGUMENT_SIGN[side]! - m * SIGNED_LN2_HI[side]!;
    const lo = m * SIGNED_LN2_LO[side]!;
    const r = hi - lo;
    const f = correction(r, hi - r - lo);
    // m ≤ 63 (|x| < 22); "& 63" tells TurboFan so, and it drops its overflow checks.
    const row = 2 * (((m | 0) & 63) * reduced + 64 * big) + +(x < 0);
    const y = r - (f + Q[row]!) + R[row]!;
    return W[row]! - (y * SIGNED_S[row]! + SIGNED_U[row]!) / (y * S[row]! + U[row]! + c[At.Two]!);
  }

  // A few calls through every path now, so that TurboFan, when it inlines tanhScalar, has
  // seen them all and compiles the early return instead of an exit to the interpreter (as
  // expScalar's, see fdlibm-exp.ts).
  for (let round = 0; round < 3; round++) {
    for (const v of [Number.NaN, Infinity, -Infinity, 0, 1e-9, 30, -0.1, 0.5, -0.9, 1, -3, 15]) tanhScalar(v);
  }
  return tanhScalar;
})();
