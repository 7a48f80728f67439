import { ShapeError, formatShape } from "../errors.js";
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { advance, coalesce } from "./strided.js";
import { checkOut } from "./out.js";
import { binaryLoop, compiledLoopsEnabled, unaryLoop, type BinaryLoop } from "./compile.js";
import { withSimdRelu, withSimdReluBackward } from "./fastgemm/simd-elementwise.js";
import { expScalar } from "./fdlibm-exp.js";
import { tanhScalar } from "./fdlibm-tanh.js";

/** A function of one float64 value. */
export type UnaryFn = (x: number) => number;
/** A function of two float64 values. */
export type BinaryFn = (a: number, b: number) => number;

/**
 * Applies `fn` to every element into a new contiguous array of the same shape.
 * Accepts any strides.
 */
export function map(x: NDArray, fn: UnaryFn): NDArray {
  const result = NDArray.empty(x.shape);
  const out = result.data;
  const src = x.data;
  if (x.isContiguous()) {
    for (let i = 0, p = x.offset; i < out.length; i++, p++) out[i] = fn(src[p]!);
    return result;
  }
  const { shape, strides } = coalesce(x.shape, [x.strides]);
  const st = strides[0]!;
  const n = shape.length;
  const inner = shape[n - 1]!;
  const si = st[n - 1]!;
  const index = new Array<number>(n).fill(0);
  let p = x.offset;
  let o = 0;
  for (let outer = x.size / inner; outer > 0; outer--) {
    for (let j = 0, q = p; j < inner; j++, q += si) out[o++] = fn(src[q]!);
    p = advance(index, shape, st, p, n - 2);
  }
  return result;
}

/**
 * Applies `fn` elementwise to two arrays broadcast together, into a new contiguous array
 * of the broadcast shape.
 * @throws ShapeError naming `op` and both shapes when they do not broadcast.
 */
export function zip(a: NDArray, b: NDArray, fn: BinaryFn, op = "zip"): NDArray {
  const ad = a.data;
  const bd = b.data;
  if (sameShape(a.shape, b.shape) && a.isContiguous() && b.isContiguous()) {
    const result = NDArray.empty(a.shape);
    const out = result.data;
    for (let i = 0, p = a.offset, q = b.offset; i < out.length; i++) out[i] = fn(ad[p++]!, bd[q++]!);
    return result;
  }
  const target = broadcastShapes(a.shape, b.shape, op);
  const size = sizeOf(target);
  const result = NDArray.empty(target);
  const out = result.data;
  if (size === 0) return result;
  const sa = broadcastStrides(a.shape, a.strides, target);
  const sb = broadcastStrides(b.shape, b.strides, target);
  const { shape, strides } = coalesce(target, [sa, sb]);
  const n = shape.length;
  if (n === 0) {
    out[0] = fn(ad[a.offset]!, bd[b.offset]!);
    return result;
  }
  const [stA, stB] = strides as [number[], number[]];
  const inner = shape[n - 1]!;
  const ia = stA[n - 1]!;
  const ib = stB[n - 1]!;
  const indexA = new Array<number>(n).fill(0);
  const indexB = new Array<number>(n).fill(0);
  let p = a.offset;
  let q = b.offset;
  let o = 0;
  for (let outer = size / inner; outer > 0; outer--) {
    for (let j = 0, pa = p, pb = q; j < inner; j++, pa += ia, pb += ib) out[o++] = fn(ad[pa]!, bd[pb]!);
    p = advance(indexA, shape, stA, p, n - 2);
    q = advance(indexB, shape, stB, q, n - 2);
  }
  return result;
}

/**
 * Picks `a` where `condition` is non-zero, else `b`; all three broadcast together.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function where(condition: NDArray, a: NDArray, b: NDArray): NDArray {
  const target = broadcastShapes(broadcastShapes(condition.shape, a.shape, "where"), b.shape, "where");
  // Three operands are rare enough that row-major copies beat a third odometer.
  const c = condition.broadcastTo(target).values();
  const x = a.broadcastTo(target).values();
  const y = b.broadcastTo(target).values();
  const result = NDArray.empty(target);
  const out = result.data;
  for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? x[i]! : y[i]!;
  return result;
}

/** A number turned into a 0-d array, so scalar operands broadcast like arrays. */
export function scalar(value: number): NDArray {
  return new NDArray(Float64Array.of(value), []);
}

/** An elementwise op on one array, optionally writing into `out`. */
export type UnaryKernel = (x: NDArray, out?: NDArray) => NDArray;

/** A named elementwise kernel with its compiled expression and the callback that computes the same value. */
export interface ElementwiseKernel {
  readonly name: string;
  readonly arity: 1 | 2;
  readonly expression: string;
  readonly fn: UnaryFn | BinaryFn;
  readonly kernel: UnaryKernel | BinaryKernel;
}

const registry: ElementwiseKernel[] = [];

/** Every kernel made by defineUnary and defineBinary: what the compiled-vs-callback test iterates. */
export function elementwiseKernels(): readonly ElementwiseKernel[] {
  return registry;
}

/** The values of `out` checked to hold a result of `shape`, as a Float64Array to write. */
function outValues(op: string, out: NDArray, shape: readonly number[]): Float64Array {
  checkOut(op, out, shape);
  return out.offset === 0 && out.data.length === out.size ? out.data : out.data.subarray(out.offset, out.offset + out.size);
}

/**
 * An elementwise op on one array: `expression` (in `v`) is compiled into its own loop;
 * `fn` computes the same value where compiling is not allowed. With `out` (contiguous, of
 * x's shape; it may be x itself) the result is written there and `out` returned.
 * `fastPath`, given the compiled kernel, returns the kernel to export: one that takes
 * another route where it pays (ReLU's WebAssembly SIMD pass) and this one elsewhere.
 * @throws ShapeError naming `name` when `out` does not fit.
 */
export function defineUnary(name: string, expression: string, fn: UnaryFn, fastPath?: (kernel: UnaryKernel) => UnaryKernel): UnaryKernel {
  const loop = unaryLoop(expression);
  const loops: UnaryKernel = (x, out) => {
    if (out !== undefined) {
      const values = outValues(name, out, x.shape);
      if (out.storage === x.storage && !(x.isContiguous() && x.offset === out.offset)) {
        throw new ShapeError(`${name}: out may only share memory with the input laid out exactly as the result`);
      }
      if (loop && compiledLoopsEnabled()) loop(values, x);
      else values.set(map(x, fn).data);
      return out;
    }
    if (!loop || !compiledLoopsEnabled()) return map(x, fn);
    const result = NDArray.empty(x.shape);
    loop(result.data, x);
    return result;
  };
  const kernel = fastPath ? fastPath(loops) : loops;
  registry.push({ name, arity: 1, expression, fn, kernel });
  return kernel;
}

/**
 * An elementwise op on two broadcast arrays, optionally writing into `out`.
 * @see defineBinary
 */
export type BinaryKernel = (a: NDArray, b: NDArray, out?: NDArray) => NDArray;

/**
 * An elementwise op on two broadcast arrays: `expression` (in `x` and `y`) is compiled into
 * its own loop; `fn` computes the same value where compiling is not allowed. With `out`
 * (contiguous, of the result's shape) the result is written there and `out` returned:
 * `out` may be `a` itself when `a` is contiguous with that shape, as each element is read
 * before it is written; it must not share memory with `b` or overlap `a` otherwise.
 * `fastPath` wraps the compiled kernel, as for defineUnary.
 * @throws ShapeError naming `op` when the shapes do not broadcast or `out` does not fit.
 */
export function defineBinary(op: string, expression: string, fn: BinaryFn, fastPath?: (kernel: BinaryKernel) => BinaryKernel): BinaryKernel {
  const loop = binaryLoop(expression);
  const loops: BinaryKernel = (a, b, out) => {
    const target = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op);
    if (out !== undefined) return zipInto(op, a, b, out, target, loop, fn);
    if (!loop || !compiledLoopsEnabled()) return zip(a, b, fn, op);
    const result = NDArray.empty(target);
    loop(result.data, a, b, target, broadcastStrides(a.shape, a.strides, target), broadcastStrides(b.shape, b.strides, target));
    return result;
  };
  const kernel = fastPath ? fastPath(loops) : loops;
  registry.push({ name: op, arity: 2, expression, fn, kernel });
  return kernel;
}

function zipInto(op: string, a: NDArray, b: NDArray, out: NDArray, target: readonly number[], loop: BinaryLoop | null, fn: BinaryFn): NDArray {
  const values = outValues(op, out, target);
  if (out.storage === b.storage || (out.storage === a.storage && !(a.isContiguous() && a.offset === out.offset && sameShape(a.shape, target)))) {
    throw new ShapeError(`${op}: out may only share memory with the first operand, laid out exactly as the result`);
  }
  if (loop && compiledLoopsEnabled()) {
    loop(values, a, b, target, broadcastStrides(a.shape, a.strides, target), broadcastStrides(b.shape, b.strides, target));
  } else {
    values.set(zip(a, b, fn, op).data);
  }
  return out;
}

// Two branches keep exp's argument ≤ 0, so neither side overflows for |x| of 1000: 1/(1 + e⁻ˣ)
// for x ≥ 0 and eˣ/(1 + eˣ) below, both from t = e^(−|x|), one exp per element.
const SIGMOID = "(t = expScalar(-Math.abs(v)), v >= 0 ? 1 / (1 + t) : t / (1 + t))";
const sigmoidScalar = (v: number): number => {
  const t = expScalar(-Math.abs(v));
  return v >= 0 ? 1 / (1 + t) : t / (1 + t);
};

/** Elementwise −x. */
export const neg = defineUnary("neg", "-v", (v) => -v);
/** Elementwise eˣ. */
export const exp = defineUnary("exp", "expScalar(v)", expScalar);
/** Elementwise natural logarithm (−∞ at 0, NaN below). */
export const log = defineUnary("log", "Math.log(v)", Math.log);
/** Elementwise ln(1 + x), accurate near 0. */
export const log1p = defineUnary("log1p", "Math.log1p(v)", Math.log1p);
/** Elementwise square root. */
export const sqrt = defineUnary("sqrt", "Math.sqrt(v)", Math.sqrt);
/** Elementwise |x|. */
export const abs = defineUnary("abs", "Math.abs(v)", Math.abs);
/** Elementwise hyperbolic tangent. */
export const tanh = defineUnary("tanh", "tanhScalar(v)", tanhScalar);
/** Elementwise sine. */
export const sin = defineUnary("sin", "Math.sin(v)", Math.sin);
/** Elementwise cosine. */
export const cos = defineUnary("cos", "Math.cos(v)", Math.cos);
/** Elementwise logistic 1/(1+e⁻ˣ), finite and exact at both tails. */
export const sigmoid = defineUnary("sigmoid", SIGMOID, sigmoidScalar);
/** @deprecated the former name of `sigmoid`. */
export const sigmoidKernel = sigmoid;
// ReLU's forward and backward meet random signs, where a branch mispredicts half the
// time: multiplying by the 0/1 comparison measured 3× faster. The product is exact for
// finite values; the NaN test after it (taken only for infinite or NaN input) falls back
// to the select, so NaN and ±∞ behave as in PyTorch.

/** Elementwise max(x, 0). NaN stays NaN, as in PyTorch. */
export const relu = defineUnary("relu", "((t = v * +(v > 0) + 0) === t ? t : v > 0 ? v : v === v ? 0 : v)", (v) => (v > 0 ? v : v === v ? 0 : v), withSimdRelu);
/** Elementwise sign as PyTorch's: −1, 0 or 1, with 0 (not NaN, not −0) for NaN and ±0. */
export const sign = defineUnary("sign", "(+(v > 0) - +(v < 0))", (v) => +(v > 0) - +(v < 0));
/** 1 where x > 0, else 0 (the mask of ReLU's gradient). */
export const positive = defineUnary("positive", "+(v > 0)", (v) => (v > 0 ? 1 : 0));
const square = defineUnary("square", "v * v", (v) => v * v);
/** Elementwise 1/x (±∞ at ±0). */
export const reciprocal = defineUnary("reciprocal", "1 / v", (v) => 1 / v);
/** Elementwise 1/√x (∞ at 0, NaN below). */
export const rsqrt = defineUnary("rsqrt", "1 / Math.sqrt(v)", (v) => 1 / Math.sqrt(v));
/** Elementwise eˣ − 1, accurate near 0. */
// Math.expm1, not expm1Scalar: inlined, it measured 20% faster on normal inputs (15.0 → 12.0 ns
// per element) but no faster once V8 checks every typed-array read (after the GEMM kernel's
// WebAssembly memory has grown: 15.4 both), and 2.2–2.6× slower where every input takes the
// same branch of C's (bench/fdlibm-tanh.mjs).
export const expm1 = defineUnary("expm1", "Math.expm1(v)", Math.expm1);
/** Elementwise largest integer ≤ x. */
export const floor = defineUnary("floor", "Math.floor(v)", Math.floor);
/** Elementwise smallest integer ≥ x. */
export const ceil = defineUnary("ceil", "Math.ceil(v)", Math.ceil);
// Math.round breaks ties upward; a tie it sent to an odd integer goes one down instead.
// Math.round(v) − v is exact (both lie within 1 of each other), so the test sees true ties only.
const roundHalfEven = (v: number): number => {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
/** Elementwise nearest integer, ties to even (2.5 → 2, −0.5 → −0), as torch.round. */
export const round = defineUnary("round", "((t = Math.round(v)) - v === 0.5 && t % 2 !== 0 ? t - 1 : t)", roundHalfEven);
/** Elementwise xᵖ for a number p. */
export const powScalar = (x: NDArray, p: number): NDArray => {
  if (p === 2) return square(x);
  if (p === 1) return map(x, (v) => v);
  return map(x, (v) => Math.pow(v, p));
};
/** Elementwise clamp into [min, max]; either bound may be undefined. A min above max gives max everywhere, as in PyTorch. */
export const clamp = (x: NDArray, min?: number, max?: number): NDArray =>
  map(x, (v) => {
    if (v !== v) return v;
    let r = v;
    if (min !== undefined && r < min) r = min;
    if (max !== undefined && r > max) r = max;
    return r;
  });

// erf after fdlibm's s_erf.c (Sun Microsystems, 1993, freely distributable): its rational
// approximations on [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35) and [1/0.35, 6), each
// within 2⁻⁵⁷ of the function it approximates, so erf is within an ulp or so everywhere.
// The constants are fdlibm's, under its names, each beside its IEEE hex words there.
/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt of one float64 value, within about an
 * ulp over the whole real line (fdlibm's algorithm): ±1 from |x| ≥ 6, NaN for NaN.
 *
 * Its ~40 coefficients live in a closure: a bundler turns module-level `const` into `var`,
 * which V8 cannot fold into the code (measured: erf 12% slower that way).
 */
export const erfScalar: (x: number) => number = (() => {
  const erx = 0.8450629115104675; // erf(1) rounded to 24 bits: 0x3FEB0AC1 60000000
  const efx = 0.1283791670955126; // 2/√π − 1: 0x3FC06EBA 8214DB69
  const efx8 = 1.0270333367641007; // 8·efx: 0x3FF06EBA 8214DB69
  // erf(x) = x + x·pp(x²)/qq(x²) on [0, 0.84375)
  const pp0 = 0.12837916709551256; // 0x3FC06EBA 8214DB68
  const pp1 = -0.3250421072470015; // 0xBFD4CD7D 691CB913
  const pp2 = -0.02848174957559851; // 0xBF9D2A51 DBD7194F
  const pp3 = -0.005770270296489442; // 0xBF77A291 236668E4
  const pp4 = -2.3763016656650163e-05; // 0xBEF8EAD6 120016AC
  const qq1 = 0.39791722395915535; // 0x3FD97779 CDDADC09
  const qq2 = 0.0650222499887673; // 0x3FB0A54C 5536CEBA
  const qq3 = 0.005081306281875766; // 0x3F74D022 C4D36B0F
  const qq4 = 0.00013249473800432164; // 0x3F215DC9 221C1A10
  const qq5 = -3.960228278775368e-06; // 0xBED09C43 42A26120
  // erf(1 + s) = erx + pa(s)/qa(s) on [0.84375, 1.25)
  const pa0 = -0.0023621185607526594; // 0xBF6359B8 BEF77538
  const pa1 = 0.41485611868374833; // 0x3FDA8D00 AD92B34D
  const pa2 = -0.3722078760357013; // 0xBFD7D240 FBB8C3F1
  const pa3 = 0.31834661990116175; // 0x3FD45FCA 805120E4
  const pa4 = -0.11089469428239668; // 0xBFBC6398 3D3E28EC
  const pa5 = 0.035478304325618236; // 0x3FA22A36 599795EB
  const pa6 = -0.002166375594868791; // 0xBF61BF38 0A96073F
  const qa1 = 0.10642088040084423; // 0x3FBB3E66 18EEE323
  const qa2 = 0.540397917702171; // 0x3FE14AF0 92EB6F33
  const qa3 = 0.07182865441419627; // 0x3FB2635C D99FE9A7
  const qa4 = 0.12617121980876164; // 0x3FC02660 E763351F
  const qa5 = 0.01363708391202905; // 0x3F8BEDC2 6B51DD1C
  const qa6 = 0.011984499846799107; // 0x3F888B54 5735151D
  // erfc(x) = e^(−x² − 0.5625 + ra(1/x²)/sa(1/x²))/x on [1.25, 1/0.35)
  const ra0 = -0.009864944034847148; // 0xBF843412 600D6435
  const ra1 = -0.6938585727071818; // 0xBFE63416 E4BA7360
  const ra2 = -10.558626225323291; // 0xC0251E04 41B0E726
  const ra3 = -62.375332450326006; // 0xC04F300A E4CBA38D
  const ra4 = -162.39666946257347; // 0xC0644CB1 84282266
  const ra5 = -184.60509290671104; // 0xC067135C EBCCABB2
  const ra6 = -81.2874355063066; // 0xC0545265 57E4D2F2
  const ra7 = -9.814329344169145; // 0xC023A0EF C69AC25C
  const sa1 = 19.651271667439257; // 0x4033A6B9 BD707687
  const sa2 = 137.65775414351904; // 0x4061350C 526AE721
  const sa3 = 434.56587747522923; // 0x407B290D D58A1A71
  const sa4 = 645.3872717332679; // 0x40842B19 21EC2868
  const sa5 = 429.00814002756783; // 0x407AD021 57700314
  const sa6 = 108.63500554177944; // 0x405B28A3 EE48AE2C
  const sa7 = 6.570249770319282; // 0x401A47EF 8E484A93
  const sa8 = -0.0604244152148581; // 0xBFAEEFF2 EE749A62
  // the same with rb, sb on [1/0.35, 6)
  const rb0 = -0.0098649429247001; // 0xBF843412 39E86F4A
  const rb1 = -0.799283237680523; // 0xBFE993BA 70C285DE
  const rb2 = -17.757954917754752; // 0xC031C209 555F995A
  const rb3 = -160.63638485582192; // 0xC064145D 43C5ED98
  const rb4 = -637.5664433683896; // 0xC083EC88 1375F228
  const rb5 = -1025.0951316110772; // 0xC0900461 6A2E5992
  const rb6 = -483.5191916086514; // 0xC07E384E 9BDC383F
  const sb1 = 30.33806074348246; // 0x403E568B 261D5190
  const sb2 = 325.7925129965739; // 0x40745CAE 221B9F0A
  const sb3 = 1536.729586084437; // 0x409802EB 189D5118
  const sb4 = 3199.8582195085955; // 0x40A8FFB7 688C246A
  const sb5 = 2553.0504064331644; // 0x40A3F219 CEDF3BE6
  const sb6 = 474.52854120695537; // 0x407DA874 E79FE763
  const sb7 = -22.44095244658582; // 0xC03670E2 42712D62
  // Where fdlibm compares the high word of |x|: the same bounds as doubles.
  const TWO_POW_MINUS_28 = 3.725290298461914e-9;
  const TINY = 2.848094538889218e-306; // high word 0x00800000: below it, x·efx would lose bits to underflow
  const ONE_OVER_0_35 = 2.8571434020996094; // high word 0x4006DB6E
  return function erfScalar(x: number): number {
    if (x !== x) return x;
    const ax = Math.abs(x);
    if (ax < 0.84375) {
      if (ax < TWO_POW_MINUS_28) return ax < TINY ? 0.125 * (8 * x + efx8 * x) : x + efx * x;
      const z = x * x;
      return x + x * ((pp0 + z * (pp1 + z * (pp2 + z * (pp3 + z * pp4)))) / (1 + z * (qq1 + z * (qq2 + z * (qq3 + z * (qq4 + z * qq5))))));
    }
    if (ax < 1.25) {
      const s = ax - 1;
      const r = (pa0 + s * (pa1 + s * (pa2 + s * (pa3 + s * (pa4 + s * (pa5 + s * pa6)))))) / (1 + s * (qa1 + s * (qa2 + s * (qa3 + s * (qa4 + s * (qa5 + s * qa6))))));
      return x > 0 ? erx + r : -erx - r;
    }
    if (ax >= 6) return x > 0 ? 1 : -1;
    const s = 1 / (ax * ax);
    const r =
      ax < ONE_OVER_0_35
        ? (ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))))) / (1 + s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7 + s * sa8))))))))
        : (rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))))) / (1 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7)))))));
    // e^(−x²) as e^(−z²)·e^((z − x)(z + x)) with z = x rounded to single precision: z² is exact
    // and (z − x)(z + x) is small, so the rounding of x² does not spoil the tail.
    const z = Math.fround(ax);
    // Math.exp, not expScalar: inlined here, twice, it measured 5% slower (erf 41 → 43 ns).
    const e = (Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + r)) / ax;
    return x > 0 ? 1 - e : e - 1;
  };
})();

/** Elementwise error function erf(x), within about an ulp (see erfScalar). */
export const erf = (x: NDArray): NDArray => map(x, erfScalar);

/** Elementwise a + b with broadcasting. */
export const add = defineBinary("add", "x + y", (x, y) => x + y);
/** Elementwise a − b with broadcasting. */
export const sub = defineBinary("sub", "x - y", (x, y) => x - y);
/** Elementwise a · b with broadcasting. */
export const mul = defineBinary("mul", "x * y", (x, y) => x * y);
/** Elementwise a / b with broadcasting (IEEE division: x/0 is ±∞ or NaN). */
export const div = defineBinary("div", "x / y", (x, y) => x / y);
/** Elementwise aᵇ with broadcasting. */
export const pow = defineBinary("pow", "Math.pow(x, y)", Math.pow);
/** Elementwise maximum; NaN wins, as in PyTorch. */
export const maximum = defineBinary("maximum", "(x !== x || y !== y ? NaN : x > y ? x : y)", (x, y) => (x !== x || y !== y ? Number.NaN : x > y ? x : y));
/** Elementwise minimum; NaN wins, as in PyTorch. */
export const minimum = defineBinary("minimum", "(x !== x || y !== y ? NaN : x < y ? x : y)", (x, y) => (x !== x || y !== y ? Number.NaN : x < y ? x : y));
/** g·y·(1 − y) for g = a and y = b: sigmoid's backward in one pass, same rounding as written out. */
export const sigmoidBackward = defineBinary("sigmoidBackward", "x * y * (1 - y)", (x, y) => x * y * (1 - y));
/** g·(1 − y²) for g = a and y = b: tanh's backward in one pass, same rounding as written out. */
export const tanhBackward = defineBinary("tanhBackward", "x * (1 - y * y)", (x, y) => x * (1 - y * y));
/** a where b > 0, else 0: ReLU's backward in one pass (a the gradient, b the output). */
export const passWherePositive = defineBinary(
  "passWherePositive",
  "((t = x * +(y > 0) + 0) === t ? t : y > 0 ? x : 0)",
  (x, y) => {
    const t = x * +(y > 0) + 0; // as the compiled loop: a −0 gradient through an open gate becomes +0
    return t === t ? t : y > 0 ? x : 0;
  },
  withSimdReluBackward,
);
/** 1 where a > b, else 0. */
export const gt = defineBinary("gt", "+(x > y)", (x, y) => (x > y ? 1 : 0));
/** 1 where a < b, else 0. */
export const lt = defineBinary("lt", "+(x < y)", (x, y) => (x < y ? 1 : 0));
/** 1 where a ≥ b, else 0. */
export const ge = defineBinary("ge", "+(x >= y)", (x, y) => (x >= y ? 1 : 0));
/** 1 where a ≤ b, else 0. */
export const le = defineBinary("le", "+(x <= y)", (x, y) => (x <= y ? 1 : 0));
/** 1 where a = b, else 0. */
export const eq = defineBinary("eq", "+(x === y)", (x, y) => (x === y ? 1 : 0));
/** 1 where a ≠ b, else 0. */
export const ne = defineBinary("ne", "+(x !== y)", (x, y) => (x !== y ? 1 : 0));

/**
 * Checks that `x` has exactly `shape`, for ops whose operands may not broadcast.
 * @throws ShapeError naming the op and both shapes.
 */
export function assertShape(x: NDArray, shape: readonly number[], op: string): void {
  if (!sameShape(x.shape, shape)) throw new ShapeError(`${op}: expected shape ${formatShape(shape)}, got ${formatShape(x.shape)}`);
}
