import { describe, expect, it } from "vitest";
import { NDArray, kernels } from "@tapegrad/tensor";
import { bits, fromWords, mismatches as differingInputs, stepped, uniform, words } from "./fdlibm-inputs.js";

// expScalar must return Math.exp's double for every input: the reference is the engine's
// own Math.exp, compared with Object.is (so −0, +0 and NaN count). Inputs: random doubles
// over the whole range and as raw bit patterns, and every value e_exp.c or expScalar
// branches on, with the doubles around it one bit step at a time.

const SEED = 0x5eed_e8e;

/** The inputs where expScalar(x) and Math.exp(x) differ, each with both results in hex (none expected). */
const mismatches = (inputs: Iterable<number>): string[] => differingInputs(kernels.expScalar, Math.exp, inputs);

function randomInputs(count: number): Float64Array {
  const next = words(SEED);
  const draw = () => uniform(next);
  const xs = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (i % 5) {
      case 0:
      case 1:
        xs[i] = -746 + 1456 * draw(); // the whole finite range of results and a little past it
        break;
      case 2:
        xs[i] = fromWords(next(), next()); // any double: NaNs, infinities, subnormals, huge
        break;
      case 3:
        xs[i] = (draw() - 0.5) * 2 ** (-40 + 45 * draw()); // small |x|, down to 2⁻⁴¹
        break;
      default:
        xs[i] = -745.2 + 38 * draw(); // subnormal and tiny results, k below −1021
    }
  }
  return xs;
}

const LN2 = Math.LN2;
// Every double e_exp.c or expScalar compares x or |x| with, and a few more of interest.
const edges = [
  fromWords(0x3fd62e42, 0xfefa39ef), // ½ln2
  fromWords(0x3fd62e43, 0), // from here on e_exp.c reduces (high word > 0x3FD62E42)
  fromWords(0x3ff0a2b2, 0), // e_exp.c's k = ±1 band ends (high word < 0x3FF0A2B2)
  1.5 * LN2,
  fromWords(0x3e300000, 0), // 2⁻²⁸: below it eˣ = 1 + x
  fromWords(0x40862e42, 0), // the high word where e_exp.c starts checking for overflow
  709.782712893384, // o_threshold
  745.1332191019411, // −u_threshold
  1e-8, // expScalar's straight path: 1e−8 < |x| < 707
  707,
  1,
  2,
  0.5,
  1023 * LN2,
  1021.5 * LN2, // k from −1021 to −1022: subnormal results below
  1023.5 * LN2, // k = 1024
  1074 * LN2, // the smallest subnormal result
];

function* aroundEdges(steps: number): Generator<number> {
  for (const edge of edges) for (const sign of [1, -1]) for (let s = -steps; s <= steps; s++) yield sign * stepped(edge, s);
  // Where k = trunc(x/ln2 ± ½) changes: (n + ½)·ln2 for every n the range reaches.
  for (let n = -1076; n <= 1025; n++) for (let s = -3; s <= 3; s++) yield stepped((n + 0.5) * LN2, s);
}

describe("expScalar: the same double as Math.exp", () => {
  it("on 10⁶ random inputs over the whole range, and as raw bit patterns", () => {
    expect(mismatches(randomInputs(1_000_000)), `seed ${SEED}`).toEqual([]);
  });

  it("at every value e_exp.c branches on, and 2000 bit steps either side, for both signs", () => {
    expect(mismatches(aroundEdges(2000))).toEqual([]);
  });

  it("at ±0, ±∞, NaN, the integers from −800 to 800 and the extreme doubles", () => {
    const special = [0, -0, Infinity, -Infinity, Number.NaN, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308];
    const integers = Array.from({ length: 1601 }, (_, i) => i - 800);
    expect(mismatches([...special, ...integers])).toEqual([]);
    expect(kernels.expScalar(1)).toBe(Math.E);
    expect(Object.is(kernels.expScalar(-Infinity), 0)).toBe(true);
  });

  it("inside the compiled exp kernel and its callback form (inlined and optimized there)", () => {
    const xs = randomInputs(200_003);
    const expected = Array.from(xs, (x) => bits(Math.exp(x)));
    const x = new NDArray(xs, [xs.length]);
    expect(Array.from(kernels.exp(x).data, bits)).toEqual(expected);
    // Strided and offset views take the other loops.
    const strided = new NDArray(xs, [100_001], [2], 1);
    expect(Array.from(kernels.exp(strided).data, bits)).toEqual(expected.filter((_, i) => i % 2 === 1));
    const previous = kernels.setCompiledLoops(false);
    try {
      expect(Array.from(kernels.exp(x).data, bits)).toEqual(expected);
    } finally {
      kernels.setCompiledLoops(previous);
    }
  });
});

// The kernels that moved from Math.exp to expScalar, each against its former formula written
// with Math.exp: the same operations, so the same bits.
describe("kernels on expScalar give the bits of their formulas with Math.exp", () => {
  const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1, -1, 1000, -1000, 30, -30, 1e-300, -1e-300, 710, -750];
  const next = words(SEED + 1);
  const random = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 40 : 4) * (next() / 2 ** 31 - 1));
  const xs = Float64Array.from([...specials, ...random]);
  const gs = Float64Array.from(xs, (_, i) => (i % 7) - 2.5);
  const x = new NDArray(xs.slice(), [xs.length]);
  const g = new NDArray(gs.slice(), [gs.length]);
  const each = (fn: (v: number, i: number) => number) => Array.from(xs, fn).map(bits);
  const got = (a: NDArray) => Array.from(a.values(), bits);

  it("sigmoid, SiLU and the backward passes of SiLU and log σ", () => {
    expect(got(kernels.sigmoid(x))).toEqual(each((v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)))));
    expect(got(kernels.silu(x))).toEqual(each((v) => v / (1 + Math.exp(-v))));
    expect(got(kernels.siluBackward(g, x))).toEqual(
      each((y, i) => {
        const s = 1 / (1 + Math.exp(-y));
        return gs[i]! * s * (1 + y * (1 - s));
      }),
    );
    expect(got(kernels.logSigmoidBackward(g, x))).toEqual(
      each((y, i) => {
        let t: number;
        return gs[i]! * (y < 0 ? 1 - (t = Math.exp(y)) / (1 + t) : (t = Math.exp(-y)) / (1 + t));
      }),
    );
  });

  it("the backward passes of softplus, ELU and GELU", () => {
    expect(got(kernels.softplusBackward(g, x, 2, 20))).toEqual(
      each((v, i) => {
        const z = v * 2;
        const d = gs[i]!;
        if (z > 20) return d;
        return z >= 0 ? d / (1 + Math.exp(-z)) : (d * Math.exp(z)) / (1 + Math.exp(z));
      }),
    );
    expect(got(kernels.eluBackward(g, x, 1.5))).toEqual(each((v, i) => (v <= 0 ? gs[i]! * 1.5 * Math.exp(v) : gs[i]!)));
    const pdfFactor = (2 / Math.sqrt(Math.PI)) * Math.SQRT1_2 * 0.5;
    expect(got(kernels.geluBackward(g, x, "none"))).toEqual(
      each((v, i) => gs[i]! * (0.5 * (1 + kernels.erfScalar(v * Math.SQRT1_2)) + v * (pdfFactor * Math.exp(v * v * -0.5)))),
    );
    // With Φ(x) kept from the forward pass, as training runs it.
    const cdf = new NDArray(new Float64Array(xs.length), [xs.length]);
    kernels.gelu(x, "none", cdf);
    expect(got(kernels.geluBackward(g, x, "none", undefined, cdf))).toEqual(each((v, i) => gs[i]! * (cdf.data[i]! + v * (pdfFactor * Math.exp(v * v * -0.5)))));
  });

  it("logsumexp and softmax over rows", () => {
    const rows = new NDArray(Float64Array.from(random), [100, 30]);
    const expected: string[] = [];
    for (let r = 0; r < 100; r++) {
      const row = random.slice(r * 30, r * 30 + 30);
      const m = Math.max(...row);
      let s = 0;
      for (const v of row) s += Math.exp(v - m);
      expected.push(bits(Math.log(s) + m));
    }
    expect(got(kernels.logsumexp(rows, 1))).toEqual(expected);
    const softmax = kernels.softmax(rows, 1).values();
    const lse = kernels.logsumexp(rows, 1).values();
    expect(Array.from(softmax, bits)).toEqual(random.map((v, i) => bits(Math.exp(v - lse[Math.floor(i / 30)]!))));
  });
});
