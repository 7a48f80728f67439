import { describe, expect, it } from "vitest";
import { NDArray, kernels } from "@tapegrad/tensor";
import { SPECIAL, around, differingAt, fromWords, mismatches, stepped, uniform, words } from "./fdlibm-inputs.js";

// tanhScalar must return Math.tanh's double for every input: the reference is the engine's own
// Math.tanh, compared with Object.is (so −0, +0 and NaN count). Inputs: random doubles as a
// network's activations meet them, over the whole range and as raw bit patterns, and every
// value s_tanh.c, its expm1 or tanhScalar branches on, with the doubles around it one bit step
// at a time.

const SEED = 0x5eed_7a;
const LN2 = Math.LN2;

const differences = (inputs: Iterable<number>) => mismatches(kernels.tanhScalar, Math.tanh, inputs);

function randomInputs(count: number, seed = SEED): Float64Array {
  const next = words(seed);
  const xs = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (i % 5) {
      case 0:
        xs[i] = Math.sqrt(-2 * Math.log(1 - uniform(next))) * Math.cos(2 * Math.PI * uniform(next)); // normal: activations
        break;
      case 1:
        xs[i] = -25 + 50 * uniform(next); // every k of expm1(±2|x|), and the ±1 beyond 22
        break;
      case 2:
        xs[i] = fromWords(next(), next()); // any double: NaNs, infinities, subnormals, huge
        break;
      case 3:
        xs[i] = (uniform(next) - 0.5) * 2 ** (-35 + 36 * uniform(next)); // small |x|, down to 2⁻³⁶
        break;
      default:
        xs[i] = -2 + 4 * uniform(next); // both of s_tanh.c's formulas, k from −3 to 6
    }
  }
  return xs;
}

// Every double s_tanh.c, its expm1 (on ∓2|x|) or tanhScalar compares |x| with.
const edges = [
  2 ** -28, // below it tanh(x) = x
  1, // from here on 1 − 2/(t + 2) with t = expm1(2|x|)
  22, // from here on ±1
  fromWords(0x3fd62e42, 0xfefa39ef) / 2, // expm1's ½ln2
  fromWords(0x3fd62e43, 0) / 2, // from here on expm1 reduces its argument
  fromWords(0x3ff0a2b2, 0) / 2, // expm1's k = ±1 band ends
  0.5,
];

function* aroundEdges(steps: number): Generator<number> {
  yield* around(edges, steps);
  // Where expm1's k = trunc(2|x|/ln2 + ½) changes: (n + ½)·ln2/2 for every n up to |x| = 22.
  for (let n = 0; n <= 64; n++) for (const sign of [1, -1]) for (let s = -3; s <= 3; s++) yield sign * stepped(((n + 0.5) * LN2) / 2, s);
}

describe("tanhScalar: the same double as Math.tanh", () => {
  it("on 10⁶ random inputs, normal, over the whole range and as raw bit patterns", () => {
    expect(differences(randomInputs(1_000_000)), `seed ${SEED}`).toEqual([]);
  });

  it("at every value s_tanh.c and its expm1 branch on, and 2000 bit steps either side, for both signs", () => {
    expect(differences(aroundEdges(2000))).toEqual([]);
  });

  it("at ±0, ±∞, NaN, the integers from −30 to 30 and the extreme doubles", () => {
    const integers = Array.from({ length: 61 }, (_, i) => i - 30);
    expect(differences([...SPECIAL, ...integers])).toEqual([]);
    expect(Object.is(kernels.tanhScalar(-0), -0)).toBe(true);
    expect(kernels.tanhScalar(-Infinity)).toBe(-1);
  });

  it("inside the compiled tanh kernel and its callback form (inlined and optimized there)", () => {
    const xs = randomInputs(200_003, SEED + 1);
    const expected = Float64Array.from(xs, Math.tanh);
    const x = new NDArray(xs, [xs.length]);
    expect(differingAt(kernels.tanh(x).data, expected)).toEqual([]);
    const out = NDArray.empty([xs.length]);
    kernels.tanh(x, out);
    expect(differingAt(out.data, expected)).toEqual([]);
    // Strided and offset views take the other loops.
    const strided = new NDArray(xs, [100_001], [2], 1);
    expect(differingAt(kernels.tanh(strided).data, expected.filter((_, i) => i % 2 === 1))).toEqual([]);
    const previous = kernels.setCompiledLoops(false);
    try {
      expect(differingAt(kernels.tanh(x).data, expected)).toEqual([]);
    } finally {
      kernels.setCompiledLoops(previous);
    }
  });
});

// GELU's backward in its tanh form moved from Math.tanh to tanhScalar: against its formula
// written with Math.tanh (PyTorch's order of operations), the same bits.
describe("GELU's backward (tanh form) on tanhScalar gives the bits of its formula with Math.tanh", () => {
  it("on normal, wide and special inputs", () => {
    const specials = [Number.NaN, Infinity, -Infinity, 0, -0, 1, -1, 1000, -1000, 30, -30, 1e-300, -1e-300];
    const xs = Float64Array.from([...specials, ...randomInputs(20_000, SEED + 2)]);
    const gs = Float64Array.from(xs, (_, i) => (i % 7) - 2.5);
    const beta = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
    const kappa = 0.044715;
    const expected = Float64Array.from(xs, (v, i) => {
      const square = v * v;
      const t = Math.tanh(beta * (v + kappa * (square * v)));
      const left = 0.5 * v;
      return gs[i]! * (0.5 * (1 + t) + left * (1 - t * t) * (beta * (1 + 3 * kappa * square)));
    });
    const got = kernels.geluBackward(new NDArray(gs, [gs.length]), new NDArray(xs, [xs.length]), "tanh");
    expect(differingAt(got.data, expected)).toEqual([]);
  });
});
