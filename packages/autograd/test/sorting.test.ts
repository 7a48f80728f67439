import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError, ShapeError, Tensor, argsort, sort, tensor, topk } from "@tapegrad/autograd";
import { random } from "./op-info-kit.js";

// sort, argsort and topk: properties against what sorting means (order, permutation,
// stability, gather(x, dim, indices) = values, topk = the head of a descending sort), NaN
// and signed-zero order as PyTorch gives it, gradients at ties, and bad arguments.
// Values and gradients against PyTorch: torch-ops.test.ts (the indexing family).

const runs = { seed: 7031, numRuns: 150 };


/** Shapes up to 3-d, rows long enough (up to 60) to pass the 16-element insertion runs and merges. */
const caseArb = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
  long: fc.integer({ min: 0, max: 60 }),
  dimPick: fc.nat(),
  transposed: fc.boolean(),
  seed: fc.integer(),
});

/** A tensor of the case's shape (one dimension lengthened), possibly a transposed view; values from `draw`. */
function build({ shape, long, dimPick, transposed }: { shape: number[]; long: number; dimPick: number; transposed: boolean }, draw: () => number) {
  const dims = shape.slice();
  const dim = dimPick % dims.length;
  if (long > 0) dims[dim] = long;
  const n = dims.length;
  const size = dims.reduce((a, b) => a * b, 1);
  if (transposed && n >= 2) {
    const order = dims.map((_, i) => n - 1 - i);
    return { x: tensor(Float64Array.from({ length: size }, draw), { shape: order.map((d) => dims[d]!) }).permute(order), dim };
  }
  return { x: tensor(Float64Array.from({ length: size }, draw), { shape: dims }), dim };
}

/** The rows along `dim` of a tensor, as arrays. */
function rowsAlong(t: Tensor, dim: number): number[][] {
  const moved = t.transpose(dim, -1).contiguous();
  const n = t.shape[dim]!;
  const flat = Array.from(moved.toFloat64Array());
  return Array.from({ length: n === 0 ? 0 : flat.length / n }, (_, r) => flat.slice(r * n, (r + 1) * n));
}

/** a ≤ b in PyTorch's order: NaN above everything, and equal to NaN. */
const notAfter = (a: number, b: number) => Number.isNaN(b) || (!Number.isNaN(a) && a <= b);

describe("sort: properties", () => {
  it("values are ordered, indices are a permutation, gather(x, dim, indices) = values, and equal values keep their order", () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), (c, descending) => {
        const u = random(c.seed);
        // Few distinct values, so rows have many ties; NaN among them.
        const { x, dim } = build(c, () => [0, 1, 2, -1, Number.NaN, 0.5][Math.floor(u() * 6)]!);
        const { values, indices } = x.sort(dim, { descending });
        expect(values.shape).toEqual(x.shape);
        expect(x.gather(dim, indices).toFloat64Array()).toEqual(values.toFloat64Array());
        const xs = rowsAlong(x, dim);
        const vs = rowsAlong(values, dim);
        rowsAlong(indices, dim).forEach((row, r) => {
          expect([...row].sort((a, b) => a - b)).toEqual(row.map((_, j) => j));
          for (let j = 1; j < row.length; j++) {
            const [a, b] = [vs[r]![j - 1]!, vs[r]![j]!];
            expect(descending ? notAfter(b, a) : notAfter(a, b)).toBe(true);
            const tie = Object.is(a, b) || a === b;
            if (tie) expect(row[j - 1]!).toBeLessThan(row[j]!);
            expect(xs[r]![row[j]!]).toEqual(b);
          }
        });
        expect(argsort(x, dim, { descending }).toFloat64Array()).toEqual(indices.toFloat64Array());
      }),
      runs,
    );
  });

  it("topk equals the first k of a descending (or, for the smallest, ascending) sort, on tie-free rows", () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.boolean(), (c, kPick, largest) => {
        const u = random(c.seed);
        const { x, dim } = build(c, () => u() * 4 - 2);
        const n = x.shape[dim]!;
        const k = kPick % (n + 1);
        const sorted = x.sort(dim, { descending: largest });
        const { values, indices } = topk(x, k, dim - x.ndim, { largest });
        expect(values.toFloat64Array()).toEqual(sorted.values.narrow(dim, 0, k).contiguous().toFloat64Array());
        expect(indices.toFloat64Array()).toEqual(sorted.indices.narrow(dim, 0, k).contiguous().toFloat64Array());
      }),
      runs,
    );
  });
});

describe("sort: PyTorch's order for NaN, ±∞ and −0", () => {
  // /usr/bin/python3, torch 1.13: torch.sort(x, stable=True) and torch.topk(x, 3).
  const x = tensor([3, Number.NaN, 1, Number.NaN, -Infinity, Infinity, -0, 0, 1]);

  it("ascending: NaN last; −0 and +0 are equal and keep their order", () => {
    const { values, indices } = sort(x);
    expect(Array.from(values.toFloat64Array())).toEqual([-Infinity, -0, 0, 1, 1, 3, Infinity, Number.NaN, Number.NaN]);
    expect(Object.is(values.toFloat64Array()[1], -0)).toBe(true);
    expect(indices.toArray()).toEqual([4, 6, 7, 2, 8, 0, 5, 1, 3]);
  });

  it("descending: NaN first, ties in their original order", () => {
    expect(x.sort(0, { descending: true }).indices.toArray()).toEqual([1, 3, 5, 0, 2, 8, 6, 7, 4]);
  });

  it("topk: NaN counts as the largest; the smallest are as sort's", () => {
    const largest = x.topk(3);
    expect(Array.from(largest.values.toFloat64Array())).toEqual([Number.NaN, Number.NaN, Infinity]);
    // torch returns [1, 3, 5] here too, though it leaves the order of ties unspecified.
    expect(largest.indices.toArray()).toEqual([1, 3, 5]);
    expect(x.topk(3, 0, { largest: false }).indices.toArray()).toEqual([4, 6, 7]);
  });

  it("rows longer than 16 keep ties in order (torch.sort does so only with stable=True)", () => {
    const row = tensor(Array.from({ length: 40 }, (_, i) => i % 2));
    expect(row.sort().indices.toArray()).toEqual([...Array.from({ length: 20 }, (_, i) => 2 * i), ...Array.from({ length: 20 }, (_, i) => 2 * i + 1)]);
    expect(row.sort(-1, { stable: false }).indices.toArray()).toEqual(row.sort().indices.toArray());
  });
});

describe("sort and topk: gradients", () => {
  it("each sorted value sends its gradient back to its own position, ties included", () => {
    const y = tensor([1, 1, 2], { requiresGrad: true });
    y.sort().values.mul(tensor([1, 2, 3])).sum().backward();
    expect(y.grad!.toArray()).toEqual([1, 2, 3]);
  });

  it("topk's values get gradients at the picked positions, zeros elsewhere; indices need no gradient", () => {
    const y = tensor([[0.5, 2, -1, 3]], { requiresGrad: true });
    const { values, indices } = y.topk(2, 1);
    expect(indices.requiresGrad).toBe(false);
    values.mul(tensor([[10, 20]])).sum().backward();
    expect(y.grad!.toArray()).toEqual([[0, 20, 0, 10]]);
  });
});

describe("sort and topk: edge cases and bad arguments", () => {
  it("0-d and empty inputs", () => {
    expect(tensor(3).sort().values.toArray()).toBe(3);
    expect(tensor(3).sort().indices.toArray()).toBe(0);
    expect(tensor(3).topk(1).indices.toArray()).toBe(0);
    expect(tensor([[1, 2]]).topk(0).values.shape).toEqual([1, 0]);
    expect(tensor(new Float64Array(0), { shape: [0, 3] }).sort(0).values.shape).toEqual([0, 3]);
  });

  it("k outside [0, n] or not an integer is a DataError naming k and the bound", () => {
    const x = tensor([[1, 2, 3]]);
    expect(() => x.topk(4)).toThrow(DataError);
    expect(() => x.topk(4)).toThrow("topk: k must be an integer in [0, 3] (the size of dimension 1 of [1,3]), got 4");
    expect(() => x.topk(-1)).toThrow(DataError);
    expect(() => x.topk(1.5)).toThrow(/got 1\.5/);
    expect(() => tensor(3).topk(2)).toThrow(/k must be an integer in \[0, 1\]/);
  });

  it("options are checked: unknown keys (with a suggestion), non-booleans, an invalid dim", () => {
    const x = tensor([1, 2]);
    expect(() => x.sort(0, { decending: true } as never)).toThrow(/sort: unknown option "decending"; did you mean "descending"\?/);
    expect(() => x.sort(0, { descending: "yes" } as never)).toThrow(/sort: descending must be true or false, got "yes"/);
    expect(() => x.topk(1, 0, { largest: 1 } as never)).toThrow(/topk: largest must be true or false, got 1/);
    expect(() => x.topk(1, 0, { larger: true } as never)).toThrow(/topk: unknown option "larger"; did you mean "largest"\?/);
    expect(() => x.sort(1)).toThrow(ShapeError);
    expect(() => x.argsort(0, true as never)).toThrow(/argsort: options must be an object/);
  });
});
