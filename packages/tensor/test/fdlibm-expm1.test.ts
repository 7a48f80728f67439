import { describe, expect, it } from "vitest";
import { kernels } from "@tapegrad/tensor";
import { SPECIAL, around, differingAt, fromWords, mismatches, stepped, uniform, words } from "./fdlibm-inputs.js";

// expm1Scalar must return Math.expm1's double for every input: the reference is the engine's
// own Math.expm1, compared with Object.is (so −0, +0 and NaN count). Inputs: random doubles over
// the whole range and as raw bit patterns, and every value s_expm1.c or expm1Scalar branches
// on or switches its arrangement at, with the doubles around it one bit step at a time.

const SEED = 0x5eed_e1;
const LN2 = Math.LN2;

const differences = (inputs: Iterable<number>) => mismatches(kernels.expm1Scalar, Math.expm1, inputs);

function randomInputs(count: number, seed = SEED): Float64Array {
  const next = words(seed);
  const xs = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (i % 5) {
      case 0:
        xs[i] = -40 + 750 * uniform(next); // every k, up to overflow and a little past it
        break;
      case 1:
        xs[i] = -4 + 8 * uniform(next); // k from −6 to 6, each arrangement near 0
        break;
      case 2:
        xs[i] = fromWords(next(), next()); // any double: NaNs, infinities, subnormals, huge
        break;
      case 3:
        xs[i] = (uniform(next) - 0.5) * 2 ** (-60 + 62 * uniform(next)); // small |x|, down to 2⁻⁶¹
        break;
      default:
        xs[i] = -45 + 10 * uniform(next); // around −56·ln2, where the result becomes −1
    }
  }
  return xs;
}

// Every double s_expm1.c or expm1Scalar compares x, |x| or r with, and a few more of interest.
const edges = [
  2 ** -54, // below it expm1(x) = x
  fromWords(0x3fd62e42, 0xfefa39ef), // ½ln2
  fromWords(0x3fd62e43, 0), // from here on s_expm1.c reduces (high word > 0x3FD62E42)
  fromWords(0x3ff0a2b2, 0), // s_expm1.c's k = ±1 band ends (high word < 0x3FF0A2B2)
  1.5 * LN2,
  LN2 - 0.25, // k = 1 with r = −¼: the arrangement changes
  fromWords(0x4043687a, 0), // 56·ln2 rounded: from it down, −1
  fromWords(0x40862e42, 0), // the high word where s_expm1.c starts checking for overflow
  709.782712893384, // o_threshold
  1023.5 * LN2, // k = 1024
  1,
  0.25,
  0.5,
];

function* aroundEdges(steps: number): Generator<number> {
  yield* around(edges, steps);
  // Where k = trunc(x/ln2 ± ½) changes, so the arrangement and the scale: (n + ½)·ln2 for every
  // n the range reaches, k = 2, 20 and 57 among them.
  for (let n = -57; n <= 1025; n++) for (let s = -3; s <= 3; s++) yield stepped((n + 0.5) * LN2, s);
}

describe("expm1Scalar: the same double as Math.expm1", () => {
  it("on 10⁶ random inputs over the whole range, and as raw bit patterns", () => {
    expect(differences(randomInputs(1_000_000)), `seed ${SEED}`).toEqual([]);
  });

  it("at every value s_expm1.c branches on, and 2000 bit steps either side, for both signs", () => {
    expect(differences(aroundEdges(2000))).toEqual([]);
  });

  it("at ±0, ±∞, NaN, the integers from −800 to 800 and the extreme doubles", () => {
    const integers = Array.from({ length: 1601 }, (_, i) => i - 800);
    expect(differences([...SPECIAL, ...integers])).toEqual([]);
    expect(Object.is(kernels.expm1Scalar(-0), -0)).toBe(true);
    expect(kernels.expm1Scalar(-Infinity)).toBe(-1);
    expect(kernels.expm1Scalar(710)).toBe(Infinity);
  });

  it("in a hot loop, where TurboFan optimizes and inlines it", () => {
    const xs = randomInputs(200_003, SEED + 1);
    const expected = Float64Array.from(xs, Math.expm1);
    const got = new Float64Array(xs.length);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < xs.length; i++) got[i] = kernels.expm1Scalar(xs[i]!);
      expect(differingAt(got, expected), `round ${round}`).toEqual([]);
    }
  });
});
