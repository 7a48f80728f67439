import { advance, coalesce, type StridedView } from "./strided.js";
import { expScalar } from "./fdlibm-exp.js";
import { tanhScalar } from "./fdlibm-tanh.js";

/**
 * Elementwise loops specialised per op. One shared loop that calls `fn(x)` per element
 * sees many functions at that call site, so V8 stops inlining them and every element pays
 * for a call (measured 3× slower for mul after add had run). Instead each op gets its own
 * copy of the loop with its expression pasted in, compiled once at start-up with
 * `new Function`. Where a Content-Security-Policy forbids that, the same loops run with
 * the callback: correct, just slower.
 */

/** A loop over one strided input writing contiguous output. */
export type UnaryLoop = (out: Float64Array, x: StridedView) => void;
/** A loop over two strided inputs already broadcast to `shape`, writing contiguous output. */
export type BinaryLoop = (out: Float64Array, a: StridedView, b: StridedView, shape: readonly number[], sa: readonly number[], sb: readonly number[]) => void;

// Expressions may call the functions in `scalars` by name (`expScalar(v)`). TurboFan inlines
// them, but only up to 920 bytes of bytecode per optimized function, and expScalar has 394
// (tanhScalar 338, with 151 more of the expm1Correction it calls):
// an expression that calls one gets a single loop in `contiguous`, not the unrolled pair of
// loops with ten copies of it, most of which would stay calls (measured for exp on 2¹⁸
// values: 13.0 ns per element unrolled, 8.8 in one loop).
const scalars = { expScalar, tanhScalar };

/**
 * Rows of at least this many contiguous elements (each operand's, in a broadcast or
 * strided layout: a bias added to every row, a slice of columns) run through
 * `contiguous` one row at a time rather than in the general loop, where V8 keeps every
 * element's bounds checks and index updates (x[1000, 1000] + b[1000]: 2.9 against 1.7 ms
 * for two contiguous operands). Below it, a subarray per row costs more than it saves.
 */
const ROW_CALL_FROM = 64;
const callsScalar = new RegExp(`\\b(?:${Object.keys(scalars).join("|")})\\(`);
const helpers = { advance, coalesce, ROW_CALL_FROM, ...scalars };
const unpackHelpers = `const { ${Object.keys(helpers).join(", ")} } = helpers;`;

// The contiguous case gets its own small function, unrolled by 4: in one big function
// with several loops V8 kept each iteration's bounds checks and index updates, and a plain
// loop over parameters still paid them once per element (measured on 45,000 values: mul
// 2.3 → 0.9 ns per element, ReLU's backward 4.2 → 1.6).
function unrolled(count: string, body: (at: string) => string): string {
  return `let i = 0;
  for (; i + 4 <= ${count}; i += 4) { ${[0, 1, 2, 3].map((k) => `{ ${body(k === 0 ? "i" : `i + ${k}`)} }`).join(" ")} }
  for (; i < ${count}; i++) { ${body("i")} }`;
}

/**
 * The source of `contiguous(out, <arrays>, <offsets>, n)`: `expression` over `names`, read
 * from `arrays` at their offsets, for n consecutive elements. Zero offsets (the common
 * case) get a loop without the additions.
 */
function contiguousSource(arrays: readonly string[], names: readonly string[], expression: string): string {
  const offsets = arrays.map((_, k) => `o${k}`);
  const body = (shifted: boolean) => (at: string) =>
    `const ${names.map((name, k) => `${name} = ${arrays[k]}[${shifted ? `${offsets[k]} + ` : ""}${at}]`).join(", ")}; out[${at}] = ${expression};`;
  if (callsScalar.test(expression)) {
    return `
function contiguous(out, ${arrays.join(", ")}, ${offsets.join(", ")}, n) {
  let t = 0;
  for (let i = 0; i < n; i++) { ${body(true)("i")} }
}`;
  }
  return `
function contiguous(out, ${arrays.join(", ")}, ${offsets.join(", ")}, n) {
  let t = 0;
  if (${offsets.map((o) => `${o} === 0`).join(" && ")}) {
    ${unrolled("n", body(false))}
  } else {
    ${unrolled("n", body(true))}
  }
}`;
}

function unarySource(expression: string): string {
  return `
${unpackHelpers}
${contiguousSource(["src"], ["v"], expression)}
return function unaryLoop(out, x) {
  let t = 0; // scratch for expressions that test a value once computed
  const src = x.data;
  const n = out.length;
  if (n === 0) return;
  const { shape, strides } = coalesce(x.shape, [x.strides]);
  const dims = shape.length;
  if (dims === 0) { const v = src[x.offset]; out[0] = ${expression}; return; }
  const st = strides[0];
  const inner = shape[dims - 1];
  const step = st[dims - 1];
  if (dims === 1 && step === 1) {
    contiguous(out, src, x.offset, n);
    return;
  }
  const index = new Array(dims).fill(0);
  let p = x.offset;
  let o = 0;
  for (let outer = n / inner; outer > 0; outer--) {
    if (step === 1 && inner >= ROW_CALL_FROM) {
      contiguous(out.subarray(o, o + inner), src, p, inner);
      o += inner;
    } else {
      for (let j = 0, q = p; j < inner; j++, q += step) { const v = src[q]; out[o++] = ${expression}; }
    }
    p = advance(index, shape, st, p, dims - 2);
  }
};`;
}

function binarySource(expression: string): string {
  return `
${unpackHelpers}
${contiguousSource(["ad", "bd"], ["x", "y"], expression)}
return function binaryLoop(out, a, b, fullShape, fullA, fullB) {
  let t = 0; // scratch for expressions that test a value once computed
  const ad = a.data;
  const bd = b.data;
  const n = out.length;
  if (n === 0) return;
  const { shape, strides } = coalesce(fullShape, [fullA, fullB]);
  const dims = shape.length;
  if (dims === 0) { const x = ad[a.offset], y = bd[b.offset]; out[0] = ${expression}; return; }
  const stA = strides[0];
  const stB = strides[1];
  const inner = shape[dims - 1];
  const ia = stA[dims - 1];
  const ib = stB[dims - 1];
  if (dims === 1 && ia === 1 && ib === 1) {
    contiguous(out, ad, bd, a.offset, b.offset, n);
    return;
  }
  const indexA = new Array(dims).fill(0);
  const indexB = new Array(dims).fill(0);
  let p = a.offset;
  let q = b.offset;
  let o = 0;
  for (let outer = n / inner; outer > 0; outer--) {
    if (ia === 1 && ib === 0) {
      const y = bd[q];
      for (let j = 0; j < inner; j++) { const x = ad[p + j]; out[o++] = ${expression}; }
    } else if (ia === 0 && ib === 1) {
      const x = ad[p];
      for (let j = 0; j < inner; j++) { const y = bd[q + j]; out[o++] = ${expression}; }
    } else if (ia === 1 && ib === 1) {
      if (inner >= ROW_CALL_FROM) {
        contiguous(out.subarray(o, o + inner), ad, bd, p, q, inner);
        o += inner;
      } else {
        for (let j = 0; j < inner; j++) { const x = ad[p + j], y = bd[q + j]; out[o++] = ${expression}; }
      }
    } else {
      for (let j = 0, pa = p, pb = q; j < inner; j++, pa += ia, pb += ib) { const x = ad[pa], y = bd[pb]; out[o++] = ${expression}; }
    }
    p = advance(indexA, shape, stA, p, dims - 2);
    q = advance(indexB, shape, stB, q, dims - 2);
  }
};`;
}

/** True when this environment lets us compile loops (no CSP forbidding eval). */
const canCompile = (() => {
  try {
    return new Function("return 1")() === 1;
  } catch {
    return false;
  }
})();

/**
 * A compiled unary loop for `expression` in the variable `v` (e.g. `expScalar(v)`), or
 * null where compiling is not allowed (callers then use the callback loop in `map`).
 */
export function unaryLoop(expression: string): UnaryLoop | null {
  return canCompile ? (new Function("helpers", unarySource(expression))(helpers) as UnaryLoop) : null;
}

/** A compiled binary loop for `expression` in `x` and `y` (e.g. `x + y`), or null (see unaryLoop). */
export function binaryLoop(expression: string): BinaryLoop | null {
  return canCompile ? (new Function("helpers", binarySource(expression))(helpers) as BinaryLoop) : null;
}

/** Turns compiled loops off or on (for tests of the fallback path); returns the previous setting. */
export function setCompiledLoops(on: boolean): boolean {
  const previous = compiledEnabled;
  compiledEnabled = on;
  return previous;
}

/** Whether compiled loops are used when available. */
export function compiledLoopsEnabled(): boolean {
  return compiledEnabled && canCompile;
}

let compiledEnabled = true;
