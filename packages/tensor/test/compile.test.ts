import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { NDArray, kernels } from "@tapegrad/tensor";

// Each elementwise op exists twice: a loop compiled with its expression pasted in, and a
// callback loop for environments that forbid compiling. They must agree bit for bit,
// including on the values where branch-free formulations differ from a plain select.
const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-310, -1e-310, 1, -1, 1e308, -1e308];
const valueArb = fc.oneof(fc.constantFrom(...special), fc.double());
const pairArb = fc.array(fc.tuple(valueArb, valueArb), { minLength: 1, maxLength: 40 });

const unary = ["neg", "exp", "log", "log1p", "sqrt", "abs", "tanh", "sin", "cos", "sigmoidKernel", "relu", "sign", "positive"] as const;
const binary = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "sigmoidBackward", "tanhBackward", "passWherePositive", "gt", "lt", "ge", "le", "eq", "ne"] as const;

const bits = (a: NDArray) => Array.from(new BigUint64Array(Float64Array.from(a.values()).buffer), (b) => b.toString(16));
const canonical = (s: string) => (s.startsWith("7ff8") || s.startsWith("fff8") ? "nan" : s); // NaN payloads are not specified

function bothWays(run: () => NDArray): [string[], string[]] {
  const compiled = run();
  kernels.setCompiledLoops(false);
  try {
    return [bits(compiled).map(canonical), bits(run()).map(canonical)];
  } finally {
    kernels.setCompiledLoops(true);
  }
}

afterEach(() => kernels.setCompiledLoops(true));

describe("compiled loops equal the callback loops bit for bit", () => {
  it.each(unary)("%s", (name) => {
    fc.assert(
      fc.property(pairArb, fc.nat(3), (pairs, skip) => {
        const x = new NDArray(Float64Array.from([...new Array<number>(skip).fill(7), ...pairs.map(([v]) => v)]), [skip + pairs.length]).narrow(0, skip, pairs.length);
        const [a, b] = bothWays(() => (kernels[name] as (x: NDArray) => NDArray)(x));
        expect(a).toEqual(b);
      }),
      { numRuns: 60 },
    );
  });

  it.each(binary)("%s", (name) => {
    fc.assert(
      fc.property(pairArb, fc.nat(3), fc.nat(3), (pairs, skipX, skipY) => {
        // Views starting past the buffer's first element take the loops' offset path.
        const x = new NDArray(Float64Array.from([...new Array<number>(skipX).fill(7), ...pairs.map(([v]) => v)]), [skipX + pairs.length]).narrow(0, skipX, pairs.length);
        const y = new NDArray(Float64Array.from([...new Array<number>(skipY).fill(7), ...pairs.map(([, v]) => v)]), [skipY + pairs.length]).narrow(0, skipY, pairs.length);
        const kernel = kernels[name] as (a: NDArray, b: NDArray, out?: NDArray) => NDArray;
        const [a, b] = bothWays(() => kernel(x, y));
        expect(a).toEqual(b);
        // Written into an output array, including in place over the first operand.
        const [c] = bothWays(() => kernel(x, y, NDArray.zeros([pairs.length])));
        expect(c).toEqual(a);
        const [d] = bothWays(() => {
          const own = x.clone();
          return kernel(own, y, own);
        });
        expect(d).toEqual(a);
      }),
      { numRuns: 60 },
    );
  });

  // Long rows of a broadcast or strided layout run through the contiguous loop a row at a
  // time (from 64 elements); rows on both sides of that length, with offsets.
  it.each([63, 64, 130])("on rows of %i elements in strided and broadcast layouts", (row) => {
    const values = (count: number, seed: number) => Float64Array.from({ length: count }, (_, i) => (i % 7 === 0 ? special[(i + seed) % special.length]! : Math.sin(i * 12.9898 + seed) * 43.758));
    // [3, row] views of [3, row + 5] buffers: each row contiguous, rows apart.
    const rows = (seed: number) => new NDArray(values(3 * (row + 5), seed), [3, row + 5]).narrow(1, 2, row);
    for (const name of binary) {
      const kernel = kernels[name] as (a: NDArray, b: NDArray, out?: NDArray) => NDArray;
      const x = rows(1);
      for (const y of [rows(2), new NDArray(values(row + 1, 3), [row + 1]).narrow(0, 1, row)]) {
        const [a, b] = bothWays(() => kernel(x, y));
        expect(a, name).toEqual(b);
        const [c] = bothWays(() => kernel(x, y, NDArray.zeros([3, row])));
        expect(c, name).toEqual(a);
      }
    }
    for (const name of unary) {
      const [a, b] = bothWays(() => (kernels[name] as (x: NDArray) => NDArray)(rows(4)));
      expect(a, name).toEqual(b);
    }
  });

  it("refuses an output that does not fit or overlaps the second operand", () => {
    const a = NDArray.from([1, 2, 3]);
    const b = NDArray.from([4, 5, 6]);
    expect(() => kernels.add(a, b, NDArray.zeros([4]))).toThrow(/add: out must be contiguous with the result's shape \[3\], got \[4\]/);
    expect(() => kernels.add(a, b, b)).toThrow(/add: out may only share memory with the first operand/);
    expect(() => kernels.add(NDArray.from([[1, 2], [3, 4]]).transpose(0, 1), NDArray.from([1, 1]), NDArray.from([[1, 2], [3, 4]]).transpose(0, 1))).toThrow(/not contiguous/);
  });
});

describe("ReLU's branch-free loops keep PyTorch's select semantics", () => {
  it("relu: NaN stays NaN, −∞ and −0 give +0", () => {
    const out = kernels.relu(new NDArray(Float64Array.from(special), [special.length])).values();
    special.forEach((v, i) => expect(Object.is(out[i], v > 0 ? v : Number.isNaN(v) ? Number.NaN : 0)).toBe(true));
  });

  it("passWherePositive: a closed gate gives +0 even for an infinite or NaN gradient", () => {
    for (const g of special) {
      const gate = new NDArray(Float64Array.from(special), [special.length]);
      const out = kernels.passWherePositive(new NDArray(new Float64Array(special.length).fill(g), [special.length]), gate).values();
      special.forEach((y, i) => {
        const expected = y > 0 ? (Object.is(g, -0) ? 0 : g) : 0;
        expect(Object.is(out[i], expected)).toBe(true);
      });
    }
  });
});

describe("sums over leading dimensions add row after row", () => {
  it("equal a one-row-at-a-time sum bit for bit, for any row count", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1, max: 7 }), fc.array(valueArb, { minLength: 91, maxLength: 91 }), (rows, width, pool) => {
        const x = new NDArray(Float64Array.from({ length: rows * width }, (_, i) => pool[i % pool.length]!), [rows, width]);
        const expected = new Array<number>(width).fill(0);
        for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) expected[j]! += x.get(r, j);
        expect(bits(kernels.sum(x, 0)).map(canonical)).toEqual(bits(new NDArray(Float64Array.from(expected), [width])).map(canonical));
      }),
    );
  });
});
