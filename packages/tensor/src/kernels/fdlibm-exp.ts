// eˣ with the same bits as V8's Math.exp, computed inside our own loops.
//
// V8 computes Math.exp with fdlibm's e_exp.c (Sun Microsystems, 1993, freely distributable)
// as its src/base/ieee754.cc has it: C++ that optimized JavaScript calls out of line, about
// 10 ns per element here. expScalar does the same floating-point operations on the same values
// in the same order, so it rounds the same way and returns the same double for every input
// (test/fdlibm-exp.test.ts holds it to Object.is against Math.exp), and TurboFan inlines it
// into a kernel's loop: about 8 ns per element. Most of the time is e_exp.c's own chain of
// some twenty dependent operations, a division among them (compiled C takes 8 ns per call
// too); the call was the smaller part.
//
// e_exp.c's method: write x = k·ln2 + r, k = trunc(x/ln2 ± ½), so |r| ≤ ½ln2, and r as hi − lo
// with hi = x − k·ln2hi exact (ln2hi has 32 trailing zero bits) and lo = k·ln2lo. With
// p = r − r²·(P1 + r²·(P2 + … + r²·P5)), a Remez fit, eʳ = 1 − ((lo − r·p/(2 − p)) − hi) within
// an ulp, and eˣ = 2ᵏ·eʳ.

// Indices into the constants below, e_exp.c's under its names, each beside its IEEE hex words.
const enum At {
  InvLn2, // 1/ln2: 0x3FF71547 652B82FE
  P1, // 0x3FC55555 5555553E
  P2, // 0xBF66C16C 16BEBD93
  P3, // 0x3F11566A AF25DE2C
  P4, // 0xBEBBBD41 C5D26BF1
  P5, // 0x3E663769 72BEA4D0
  ReduceFrom, // e_exp.c reduces x from this |x| on (high word 0x3FD62E43): ½ln2 rounded up
  Half,
  One,
  Two,
  Lowest, // expScalar's straight path takes Lowest < |x| < Highest; e_exp.c branches outside
  Highest,
}

/**
 * eˣ of one float64 value: for every x the same double as `Math.exp(x)` in V8 (fdlibm's
 * algorithm, within an ulp of eˣ), but computed where it is called, so that a kernel's loop
 * does not pay for a call per element. ∞ above 709.78…, +0 below −745.13…, NaN for NaN.
 */
export const expScalar: (x: number) => number = (() => {
  const LN2_HI = 0.6931471803691238; // ln2 to 32 bits: 0x3FE62E42 FEE00000
  const LN2_LO = 1.9082149292705877e-10; // ln2 − LN2_HI: 0x3DEA39EF 35793C76
  const E = 2.718281828459045; // V8's exp(1), an ulp above what the formula gives: 0x4005BF0A 8B145769
  const O_THRESHOLD = 709.782712893384; // above it eˣ overflows: 0x40862E42 FEFA39EF
  const U_THRESHOLD = -745.1332191019411; // below it eˣ rounds to 0: 0xC0874910 D52D3051
  const TWO_POW_MINUS_28 = 3.725290298461914e-9; // below it eˣ = 1 + x (high word 0x3E300000)
  const TWO_POW_1023 = 8.98846567431158e307;
  const TWO_POW_MINUS_1000 = 9.332636185032189e-302;
  // e_exp.c's k runs over these at most (x between U_THRESHOLD and O_THRESHOLD).
  const K_MIN = -1075;
  const K_MAX = 1024;

  // Constants and tables are locals of this closure, not module variables: bundlers turn a
  // module's top-level const into var, and TurboFan folds a value into the code only where the
  // variable cannot change (the exp kernel of the built package: 13.0 ns per element with them
  // at module level, 8.8 here). Constants are read from a Float64Array because TurboFan builds
  // a double literal anew at each use, two instructions and a register, where a load from a
  // fixed array is one (an earlier form of this function: 9.9 → 9.0 ns).
  const C = Float64Array.of(
    1.4426950408889634,
    0.16666666666666602,
    -0.0027777777777015593,
    0.00006613756321437934,
    -0.0000016533902205465252,
    4.1381367970572385e-8,
    0.3465735912322998,
    0.5,
    1,
    2,
    1e-8,
    707,
  );
  // ln2hi and ln2lo with the sign of x, or 0 where e_exp.c does not reduce, at
  // [negative + 2·unreduced]: see expScalar.
  const SIGNED_LN2_HI = Float64Array.of(LN2_HI, -LN2_HI, 0, 0);
  const SIGNED_LN2_LO = Float64Array.of(LN2_LO, -LN2_LO, 0, 0);
  // e_exp.c builds 2ᵏ in the exponent bits and scales in two steps at the ends: y·2·2¹⁰²³ for
  // k = 1024, and y·2^(k + 1000)·2⁻¹⁰⁰⁰ below k = −1021, where the result is subnormal and only
  // the second product rounds. SCALE holds the first factor, SCALE_AFTER the second (1 in
  // between, an exact product), so every k takes the same two products and no branch.
  const SCALE = new Float64Array(K_MAX - K_MIN + 1);
  const SCALE_AFTER = new Float64Array(K_MAX - K_MIN + 1);
  for (let k = K_MIN; k <= K_MAX; k++) {
    SCALE[k - K_MIN] = k === 1024 ? 2 : k >= -1021 ? 2 ** k : 2 ** (k + 1000);
    SCALE_AFTER[k - K_MIN] = k === 1024 ? TWO_POW_1023 : k >= -1021 ? 1 : TWO_POW_MINUS_1000;
  }

  function expScalar(x: number): number {
    const c = C; // read once: the function must stay small enough for TurboFan to inline
    const ax = Math.abs(x);
    // Where e_exp.c returns early, answered here and not by a call: a call in the kernel's
    // loop, once taken, slowed the whole loop by a quarter. Between 707 and 745 and just above
    // 2⁻²⁸ the straight path follows, its two scale factors covering the ends of the range.
    if (!(ax > c[At.Lowest]! && ax < c[At.Highest]!) || x === c[At.One]) {
      if (!(x <= O_THRESHOLD)) return x > 0 ? Infinity : x + x; // x + x quiets a signalling NaN, as e_exp.c's
      if (x < U_THRESHOLD) return 0;
      if (x === 1) return E;
      if (ax < TWO_POW_MINUS_28) return 1 + x;
    }
    // e_exp.c's k = trunc(x/ln2 ± ½) is ±m with m = trunc(|x|/ln2 + ½), rounding to nearest
    // being symmetric, and k·ln2hi = m·(±ln2hi) exactly: the sign rides on the constant, read
    // from a table beside the arithmetic instead of ahead of it (9.0 → 8.0 ns). Between ½ln2
    // and 1.5·ln2 this gives e_exp.c's k = ±1, hi and lo. Below ReduceFrom e_exp.c takes k = 0
    // and skips the reduction: the zero constants give hi = x and lo = 0 there, and its formula
    // 1 − ((x·p)/(p − 2) − x) differs from the one below only in the sign of a quotient it
    // subtracts rather than adds, exact both ways.
    const negative = +(x < 0);
    const reduced = +(ax >= c[At.ReduceFrom]!);
    const side = negative + 2 - 2 * reduced;
    const m = Math.trunc(c[At.InvLn2]! * ax + c[At.Half]!);
    const hi = x - m * SIGNED_LN2_HI[side]!;
    const lo = m * SIGNED_LN2_LO[side]!;
    const r = hi - lo;
    const t = r * r;
    const p = r - t * (c[At.P1]! + t * (c[At.P2]! + t * (c[At.P3]! + t * (c[At.P4]! + t * c[At.P5]!))));
    const k = (((m | 0) & -reduced) ^ -negative) + negative;
    return (c[At.One]! - (lo - (r * p) / (c[At.Two]! - p) - hi)) * SCALE[k - K_MIN]! * SCALE_AFTER[k - K_MIN]!;
  }

  // A few calls through every branch now, so that TurboFan, when it inlines expScalar, has
  // seen them all and compiles the early returns instead of an exit to the interpreter,
  // whose bookkeeping cost the loop 1 ns per element (9.0 against 8.0) until the first edge
  // value turned up. V8 keeps no such record before a function's ninth call: hence three rounds.
  for (let round = 0; round < 3; round++) for (const v of [Number.NaN, Infinity, -Infinity, -746, 1, 0, 1e-9, -708, 708, 2]) expScalar(v);
  return expScalar;
})();
