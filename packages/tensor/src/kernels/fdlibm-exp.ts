// eˣ with the same bits as V8's Math.exp, inside our own loops.
//
// V8 computes Math.exp with fdlibm's e_exp.c (Sun Microsystems, 1993, freely distributable)
// as its src/base/ieee754.cc has it, in C++ that optimized JavaScript must call out of
// line. The functions here do the same floating-point operations on the same values in the
// same order, so they round the same way and return the same double for every input
// (test/fdlibm-exp.test.ts holds them to Object.is against Math.exp); being JavaScript,
// TurboFan inlines them into a kernel's loop.
//
// fdlibm's method: write x = k·ln2 + r with k = trunc(x/ln2 ± ½), so |r| ≤ ½ln2, and r as
// hi − lo, where hi = x − k·ln2hi is exact (ln2hi has 32 trailing zero bits) and lo = k·ln2lo.
// With c = r − r²·(P1 + r²·(P2 + … + r²·P5)), a Remez fit, eʳ = 1 − ((lo − r·c/(2 − c)) − hi)
// within an ulp, and eˣ = 2ᵏ·eʳ.

// The constants of e_exp.c under its names, each beside its IEEE hex words there.
const enum At {
  InvLn2, // 1/ln2: 0x3FF71547 652B82FE
  Ln2Hi, // ln2 rounded to 32 bits: 0x3FE62E42 FEE00000
  Ln2Lo, // ln2 − Ln2Hi: 0x3DEA39EF 35793C76
  P1, // 0x3FC55555 5555553E
  P2, // 0xBF66C16C 16BEBD93
  P3, // 0x3F11566A AF25DE2C
  P4, // 0xBEBBBD41 C5D26BF1
  P5, // 0x3E663769 72BEA4D0
  ReduceFrom, // fdlibm reduces x from this |x| on (high word 0x3FD62E43): ½ln2 rounded up
  MinusReduceFrom,
  One,
  Two,
  Lowest, // expScalar's straight path takes Lowest < |x| < Highest
  Highest,
}
// In one Float64Array because TurboFan builds a double literal anew at each use (two
// instructions and a register), while a load from a constant array is one instruction:
// measured 9.9 → 8.8 ns per exp on 2¹⁸ values.
const C = Float64Array.of(
  1.4426950408889634,
  0.6931471803691238,
  1.9082149292705877e-10,
  0.16666666666666602,
  -0.0027777777777015593,
  0.00006613756321437934,
  -0.0000016533902205465252,
  4.1381367970572385e-8,
  0.3465735912322998,
  -0.3465735912322998,
  1,
  2,
  1e-8,
  707,
);
// ±½ by the side of the reduction x falls on, 0 where fdlibm does not reduce: HALF[1 + side].
const HALF = Float64Array.of(-0.5, 0, 0.5);

const E = 2.718281828459045; // V8 returns this for exp(1), where the formula is an ulp short: 0x4005BF0A 8B145769
const O_THRESHOLD = 709.782712893384; // above it eˣ overflows: 0x40862E42 FEFA39EF
const U_THRESHOLD = -745.1332191019411; // below it eˣ rounds to 0: 0xC0874910 D52D3051
const TWO_POW_MINUS_28 = 3.725290298461914e-9; // below it eˣ = 1 + x (high word 0x3E300000)
const TWO_POW_1023 = 8.98846567431158e307;
const TWO_POW_MINUS_1000 = 9.332636185032189e-302;

// e_exp.c scales by 2ᵏ, building it in the exponent bits, and at the ends of the range in
// two steps: y·2·2¹⁰²³ for k = 1024, and y·2^(k + 1000)·2⁻¹⁰⁰⁰ below k = −1021 (a subnormal
// result, rounded once, by the second product). SCALE holds the first factor and SCALE_AFTER
// the second (1 in between, an exact product) at [k + 1075], so every k takes the same two
// products and no branch.
const K_MIN = -1075;
const K_MAX = 1024;
const SCALE = new Float64Array(K_MAX - K_MIN + 1);
const SCALE_AFTER = new Float64Array(K_MAX - K_MIN + 1);
for (let k = K_MIN; k <= K_MAX; k++) {
  SCALE[k - K_MIN] = k === 1024 ? 2 : k >= -1021 ? 2 ** k : 2 ** (k + 1000);
  SCALE_AFTER[k - K_MIN] = k === 1024 ? TWO_POW_1023 : k >= -1021 ? 1 : TWO_POW_MINUS_1000;
}

/**
 * eˣ of one float64 value, the same double as `Math.exp(x)` returns in V8 for every x
 * (fdlibm's algorithm, within an ulp), but inlined into optimized loops instead of called
 * out of line: ∞ above 709.78…, +0 below −745.13…, NaN for NaN.
 */
export function expScalar(x: number): number {
  const c = C; // one module-variable read: the function must stay small enough to inline
  const ax = Math.abs(x);
  // Where e_exp.c returns early. No call out of here: a call inside a kernel's loop, once
  // taken, slowed the whole loop by a quarter.
  if (!(ax > c[At.Lowest]! && ax < c[At.Highest]!) || x === 1) {
    if (!(x <= O_THRESHOLD)) return x > 0 ? Infinity : x;
    if (x < U_THRESHOLD) return 0;
    if (x === 1) return E;
    if (ax < TWO_POW_MINUS_28) return 1 + x;
  }
  // Below ½ln2 e_exp.c takes k = 0 and skips the reduction; a zero half gives k = 0 there
  // (|x/ln2| < ½), and the reduction then leaves r = x and lo = ±0, so one path serves all:
  // e_exp.c's k = 0 formula 1 − ((x·c)/(c − 2) − x) differs from this one only in the sign
  // of a quotient it subtracts instead of adds, exact both ways. Between ½ln2 and 1.5·ln2 the
  // general reduction gives e_exp.c's k = ±1, hi and lo too.
  const k = Math.trunc(c[At.InvLn2]! * x + HALF[1 + +(x >= c[At.ReduceFrom]!) - +(x <= c[At.MinusReduceFrom]!)]!);
  const hi = x - k * c[At.Ln2Hi]!;
  const lo = k * c[At.Ln2Lo]!;
  const r = hi - lo;
  const t = r * r;
  const p = r - t * (c[At.P1]! + t * (c[At.P2]! + t * (c[At.P3]! + t * (c[At.P4]! + t * c[At.P5]!))));
  return (c[At.One]! - (lo - (r * p) / (c[At.Two]! - p) - hi)) * SCALE[k - K_MIN]! * SCALE_AFTER[k - K_MIN]!;
}
