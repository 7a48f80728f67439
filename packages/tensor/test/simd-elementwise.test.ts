import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, NDArray, kernels } from "@tapegrad/tensor";
import { onReferenceLoops } from "./kernel-choice.js";

// ReLU and its backward take a WebAssembly SIMD path on large contiguous arrays; with
// compiled loops off they run the scalar functions, the reference here.

const specials = [Number.NaN, -0, 0, Infinity, -Infinity, 1e-300, -1e-300];

/** A contiguous array of `size` normals with some special values, at an offset inside a larger buffer. */
function values(g: Generator, size: number, offset: number, seed: number): NDArray {
  const base = g.normalArray([size + offset + 3]);
  for (let i = seed % 5; i < base.size; i += 97) base.data[i] = specials[(i + seed) % specials.length]!;
  return base.narrow(0, offset, size);
}

const reference = onReferenceLoops;

const bits = (x: NDArray) => Array.from(x.values(), (v) => (Object.is(v, -0) ? "-0" : v));

describe("SIMD ReLU kernels", () => {
  it("relu equals the scalar function bit for bit (NaN kept, −0 to +0), new or in place, any size and offset", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 6000 }), fc.integer({ min: 0, max: 5 }), fc.integer(), (size, offset, seed) => {
        const x = values(new Generator(seed), size, offset, seed);
        const expected = reference(() => kernels.relu(x));
        expect(bits(kernels.relu(x))).toEqual(bits(expected));
        const inPlace = x.clone();
        expect(kernels.relu(inPlace, inPlace)).toBe(inPlace);
        expect(bits(inPlace)).toEqual(bits(expected));
      }),
      { numRuns: 40 },
    );
  });

  it("passWherePositive equals the scalar function bit for bit (−0 through an open gate is +0, NaN passes it), new or in place", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 6000 }), fc.integer({ min: 0, max: 5 }), fc.integer(), (size, offset, seed) => {
        const g = new Generator(seed);
        const grad = values(g, size, offset, seed);
        const gate = values(g, size, 5 - offset, seed + 1);
        const expected = reference(() => kernels.passWherePositive(grad, gate));
        expect(bits(kernels.passWherePositive(grad, gate))).toEqual(bits(expected));
        const inPlace = grad.clone();
        expect(kernels.passWherePositive(inPlace, gate, inPlace)).toBe(inPlace);
        expect(bits(inPlace)).toEqual(bits(expected));
      }),
      { numRuns: 40 },
    );
  });

  it("leaves strided, broadcast and small inputs, and outs that alias the gate, to the usual loops and their errors", () => {
    const g = new Generator(3);
    const x = g.normalArray([100, 60]).transpose(0, 1);
    expect(bits(kernels.relu(x))).toEqual(bits(reference(() => kernels.relu(x))));
    const gate = g.normalArray([60]);
    const grad = g.normalArray([100, 60]);
    expect(bits(kernels.passWherePositive(grad, gate))).toEqual(bits(reference(() => kernels.passWherePositive(grad, gate))));
    const square = g.normalArray([60, 60]);
    expect(() => kernels.passWherePositive(square, square, square)).toThrow("passWherePositive: out may only share memory with the first operand");
  });
});
