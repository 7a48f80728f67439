import { ShapeError, formatShape } from "../errors.js";
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from "../layout.js";
import { NDArray } from "../ndarray.js";
import { advance, coalesce } from "./strided.js";
import { checkOut } from "./out.js";
import { binaryLoop, compiledLoopsEnabled, unaryLoop, type BinaryLoop } from "./compile.js";
import { withSimdRelu, withSimdReluBackward } from "./fastgemm/simd-elementwise.js";

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

// Two branches keep exp's argument ≤ 0, so neither side overflows for |x| of 1000.
const SIGMOID = "(v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)))";
const sigmoidScalar = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** Elementwise −x. */
export const neg = defineUnary("neg", "-v", (v) => -v);
/** Elementwise eˣ. */
export const exp = defineUnary("exp", "Math.exp(v)", Math.exp);
/** Elementwise natural logarithm (−∞ at 0, NaN below). */
export const log = defineUnary("log", "Math.log(v)", Math.log);
/** Elementwise ln(1 + x), accurate near 0. */
export const log1p = defineUnary("log1p", "Math.log1p(v)", Math.log1p);
/** Elementwise square root. */
export const sqrt = defineUnary("sqrt", "Math.sqrt(v)", Math.sqrt);
/** Elementwise |x|. */
export const abs = defineUnary("abs", "Math.abs(v)", Math.abs);
/** Elementwise hyperbolic tangent. */
export const tanh = defineUnary("tanh", "Math.tanh(v)", Math.tanh);
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
/** Elementwise sign: −1, 0 or 1 (NaN stays NaN). */
export const sign = defineUnary("sign", "Math.sign(v)", Math.sign);
/** 1 where x > 0, else 0 (the mask of ReLU's gradient). */
export const positive = defineUnary("positive", "+(v > 0)", (v) => (v > 0 ? 1 : 0));
const square = defineUnary("square", "v * v", (v) => v * v);
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
