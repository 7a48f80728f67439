// Inputs and comparisons for the tests that hold a JavaScript port of an fdlibm function to the
// engine's own Math function bit for bit (fdlibm-exp, fdlibm-expm1 and fdlibm-tanh tests).

/** splitmix32: a fixed-seed stream of 32-bit words, independent of the code under test. */
export function words(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A uniform double in [0, 1) from two words of `next`. */
export function uniform(next: () => number): number {
  return next() / 2 ** 32 + next() / 2 ** 64;
}

const scratch = new DataView(new ArrayBuffer(8));

/** The double whose IEEE words are `high` and `low`, as fdlibm's comments write constants. */
export function fromWords(high: number, low: number): number {
  scratch.setUint32(0, high);
  scratch.setUint32(4, low);
  return scratch.getFloat64(0);
}

/** The double `steps` representable values away from x (away from 0 for steps > 0). */
export function stepped(x: number, steps: number): number {
  scratch.setFloat64(0, x);
  scratch.setBigInt64(0, scratch.getBigInt64(0) + BigInt(steps));
  return scratch.getFloat64(0);
}

/** x's 64 bits in hex. */
export function hex(x: number): string {
  scratch.setFloat64(0, x);
  return scratch.getBigUint64(0).toString(16).padStart(16, "0");
}

/** x's bits, with every NaN alike: in arrays, NaN payloads may differ between equal results (JavaScript leaves them open). */
export function bits(x: number): string {
  return x !== x ? "NaN" : hex(x);
}

/**
 * The first ten inputs where `ours` and `reference` differ under Object.is (so −0, +0 and NaN
 * count), each with both results in hex; [] when none do.
 */
export function mismatches(ours: (x: number) => number, reference: (x: number) => number, inputs: Iterable<number>): string[] {
  const found: string[] = [];
  for (const x of inputs) {
    const got = ours(x);
    const expected = reference(x);
    if (!Object.is(got, expected) && found.length < 10) found.push(`x = ${x} (${hex(x)}): ${hex(got)} vs ${hex(expected)}`);
  }
  return found;
}

/**
 * The first ten positions where two arrays of results differ in their bits (every NaN alike),
 * each with both values in hex; [] when none do. Short on failure, where comparing the whole
 * arrays would print (and diff) hundreds of thousands of entries.
 */
export function differingAt(got: ArrayLike<number>, expected: ArrayLike<number>): string[] {
  const found: string[] = [];
  if (got.length !== expected.length) return [`length ${got.length} vs ${expected.length}`];
  for (let i = 0; i < got.length && found.length < 10; i++) {
    if (bits(got[i]!) !== bits(expected[i]!)) found.push(`[${i}]: ${hex(got[i]!)} vs ${hex(expected[i]!)}`);
  }
  return found;
}

/** Each edge and `steps` doubles either side of it, one bit step at a time, for both signs. */
export function* around(edges: readonly number[], steps: number): Generator<number> {
  for (const edge of edges) for (const sign of [1, -1]) for (let s = -steps; s <= steps; s++) yield sign * stepped(edge, s);
}

/** ±0, ±∞, NaN and the extreme doubles. */
export const SPECIAL = [0, -0, Infinity, -Infinity, Number.NaN, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, -2.2250738585072014e-308];
