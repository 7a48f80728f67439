import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError, ShapeError } from "@tapegrad/tensor";
import { Tensor, cat, chunk, flip, outer, split, tensor, unbind, zeros } from "@tapegrad/autograd";

// split, chunk, unbind (views), repeat and flip (copies), outer: PyTorch's piece-size rules,
// errors that name the op, what shares memory, and the properties flip∘flip = id,
// cat(split(x)) = x and repeat = cat of copies on random shapes.

/** A tensor of `shape` holding 0, 1, 2, … (distinct values, so any misplaced element shows). */
function iota(shape: number[], requiresGrad = false): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: size }, (_, i) => i), { shape, requiresGrad });
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

describe("errors name the op, the values and the bounds", () => {
  const x = iota([5, 2]);

  it("split: sizes that do not add up name the sizes and the size", () => {
    expect(() => x.split([2, 2])).toThrow(ShapeError);
    expect(() => x.split([2, 2])).toThrow("split: sizes [2,2] add up to 4, but dimension 0 of [5,2] has size 5");
    expect(() => x.split([1, 2], -1)).toThrow("split: sizes [1,2] add up to 3, but dimension 1 of [5,2] has size 2");
  });

  it("split: negative, non-integer and zero sizes; 0-d tensors; bad dims", () => {
    expect(() => x.split([6, -1])).toThrow(/split: sizes must be non-negative integers, got -1 at position 1 of \[6,-1\]/);
    expect(() => x.split(2.5)).toThrow(DataError);
    expect(() => x.split(2.5)).toThrow(/split: split size must be a non-negative integer, got 2.5/);
    expect(() => x.split(0)).toThrow(/split: split size 0 is only allowed for a dimension of size 0, but dimension 0 of \[5,2\] has size 5/);
    expect(() => tensor(3).split(1)).toThrow(/split: expects a tensor with at least 1 dimension, got a 0-d tensor/);
    expect(() => x.split(2, 2)).toThrow(/split: dimension 2 is out of range/);
  });

  it("chunk: n must be a positive integer", () => {
    expect(() => x.chunk(0)).toThrow(DataError);
    expect(() => x.chunk(0)).toThrow("chunk: n must be a positive integer, got 0");
    expect(() => x.chunk(-2)).toThrow("chunk: n must be a positive integer, got -2");
    expect(() => x.chunk(2.5)).toThrow("chunk: n must be a positive integer, got 2.5");
    expect(() => tensor(3).chunk(1)).toThrow(/chunk: expects a tensor with at least 1 dimension/);
  });

  it("unbind: 0-d tensors and bad dims", () => {
    expect(() => tensor(3).unbind()).toThrow(/unbind: expects a tensor with at least 1 dimension/);
    expect(() => x.unbind(-3)).toThrow(/unbind: dimension -3 is out of range/);
  });

  it("repeat: fewer sizes than dimensions, negative or fractional sizes", () => {
    expect(() => x.repeat(2)).toThrow(ShapeError);
    expect(() => x.repeat(2)).toThrow("repeat: 1 size [2] for a tensor of shape [5,2]: give at least one per dimension (2)");
    expect(() => x.repeat(2, -1)).toThrow(/repeat: sizes must be non-negative integers, got -1 at position 1 of \[2,-1\]/);
    expect(() => x.repeat([1, 1.5])).toThrow(/repeat: sizes must be non-negative integers, got 1.5/);
  });

  it("flip: a repeated dimension (also as its negative twin) or one out of range", () => {
    expect(() => x.flip(0, 0)).toThrow(/flip: dimension 0 appears more than once in \[0,0\]/);
    expect(() => x.flip([1, -1])).toThrow(/flip: dimension -1 appears more than once in \[1,-1\] \(for a tensor of shape \[5,2\]\)/);
    expect(() => x.flip(2)).toThrow(/flip: dimension 2 is out of range/);
    expect(() => x.flip()).toThrow(/flip: dims are required/);
  });

  it("outer: both operands must be 1-D", () => {
    expect(() => x.outer(iota([3]))).toThrow(ShapeError);
    expect(() => x.outer(iota([3]))).toThrow("outer: expects two 1-D tensors, got shapes [5,2] and [3]");
    expect(() => iota([3]).outer(tensor(2))).toThrow("outer: expects two 1-D tensors, got shapes [3] and []");
  });

  it("a refused call leaves the tensor and its gradient untouched", () => {
    const y = iota([4, 2], true);
    expect(() => y.split([1, 1])).toThrow();
    expect(() => y.repeat(3)).toThrow();
    expect(y.toArray()).toEqual(iota([4, 2]).toArray());
    expect(y.grad).toBeNull();
  });
});

describe("piece sizes as PyTorch's", () => {
  const sizes = (pieces: Tensor[], dim = 0) => pieces.map((p) => p.shape[dim]);

  it("split with a size: pieces of that size, the last smaller; a size beyond the dimension gives one piece", () => {
    expect(sizes(iota([5]).split(2))).toEqual([2, 2, 1]);
    expect(sizes(iota([6]).split(3))).toEqual([3, 3]);
    expect(sizes(iota([5]).split(7))).toEqual([5]);
    expect(sizes(zeros([0]).split(2))).toEqual([0]);
    expect(sizes(zeros([0]).split(0))).toEqual([0]);
    expect(sizes(iota([2, 5]).split(2, -1), 1)).toEqual([2, 2, 1]);
  });

  it("split with sizes, zeros included", () => {
    expect(sizes(iota([5]).split([0, 5, 0]))).toEqual([0, 5, 0]);
    expect(iota([5]).split([2, 3]).map((p) => p.toArray())).toEqual([[0, 1], [2, 3, 4]]);
  });

  it("chunk: ⌈size/n⌉ per piece, possibly fewer than n pieces; an empty dimension gives n empty pieces", () => {
    expect(sizes(iota([5]).chunk(3))).toEqual([2, 2, 1]);
    expect(sizes(iota([6]).chunk(4))).toEqual([2, 2, 2]);
    expect(sizes(iota([3]).chunk(5))).toEqual([1, 1, 1]);
    expect(sizes(zeros([0]).chunk(3))).toEqual([0, 0, 0]);
    expect(sizes(zeros([2, 0]).chunk(2, 1), 1)).toEqual([0, 0]);
  });

  it("unbind removes the dimension; an empty dimension gives no pieces", () => {
    const pieces = iota([2, 3]).unbind(1);
    expect(pieces.map((p) => p.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(iota([2, 3]).unbind(-2).map((p) => p.shape)).toEqual([[3], [3]]);
    expect(zeros([2, 0]).unbind(1)).toEqual([]);
    expect(zeros([0, 3]).unbind().length).toBe(0);
  });

  it("repeat: more sizes than dimensions add leading ones; a 0-d tensor tiles into any shape", () => {
    expect(iota([2, 3]).repeat(2, 1, 2).shape).toEqual([2, 2, 6]);
    expect(iota([2]).repeat(2, 2).toArray()).toEqual([[0, 1, 0, 1], [0, 1, 0, 1]]);
    expect(tensor(3).repeat(2, 2).toArray()).toEqual([[3, 3], [3, 3]]);
    expect(tensor(3).repeat().toArray()).toEqual(3);
    expect(iota([2, 3]).repeat([0, 1]).shape).toEqual([0, 3]);
  });

  it("flip: one dimension, several, none; a 0-d tensor flips to itself", () => {
    expect(iota([2, 3]).flip(1).toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(iota([2, 3]).flip([0, -1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(iota([2, 3]).flip([]).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(tensor(3).flip(0).toArray()).toEqual(3);
    expect(iota([3, 2]).t().flip(0).toArray()).toEqual([[1, 3, 5], [0, 2, 4]]);
  });

  it("outer: out[i][j] = a[i]·b[j]", () => {
    expect(tensor([1, 2]).outer(tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
    expect(outer(tensor([2]), tensor([0.5])).toArray()).toEqual([[1]]);
  });
});

describe("views where PyTorch gives views, copies where it copies", () => {
  it("split, chunk and unbind pieces share the input's memory", () => {
    const x = iota([4, 3]);
    for (const piece of [...x.split(2), ...x.chunk(3, 1), ...x.unbind(1), ...split(x, [1, 3]), ...chunk(x, 2), ...unbind(x)]) {
      expect(piece.array.storage).toBe(x.array.storage);
    }
  });

  it("flip and repeat copy, even when nothing moves", () => {
    const x = iota([2, 3]);
    for (const copy of [x.flip(0), x.flip([]), flip(x, 1), x.repeat(1, 1), x.repeat(2, 1)]) expect(copy.array.storage).not.toBe(x.array.storage);
  });

  it("the gradient of a piece lands in its slice of the input; unused pieces give zeros", () => {
    const x = iota([4, 2], true);
    const [, second] = x.split([1, 2, 1]);
    second!.mul(tensor([[1, 2], [3, 4]])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 0], [1, 2], [3, 4], [0, 0]]);
  });

  it("repeat's gradient sums the tiles; flip's flips back", () => {
    const x = iota([2, 3], true);
    x.repeat(2, 1, 2).sum().backward();
    expect(x.grad!.toArray()).toEqual([[4, 4, 4], [4, 4, 4]]);
    const y = iota([2, 3], true);
    y.flip(1).mul(iota([2, 3])).sum().backward();
    expect(y.grad!.toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
  });
});

describe("properties (fast-check, fixed seed)", () => {
  it("flip twice along the same dims is the identity, in values and in gradient", () => {
    fc.assert(
      fc.property(shapeArb, fc.array(fc.nat(), { maxLength: 4 }), (shape, picks) => {
        const dims = [...new Set(picks.map((p) => p % shape.length))].map((d, i) => (i % 2 === 0 ? d : d - shape.length));
        const x = iota(shape, true);
        const twice = x.flip(dims).flip(dims);
        expect(twice.toArray()).toEqual(x.toArray());
        twice.mul(iota(shape)).sum().backward();
        expect(x.grad!.toArray()).toEqual(iota(shape).toArray());
      }),
    );
  });

  it("split (by a size or by sizes) then cat gives the input back", () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), fc.integer({ min: 1, max: 5 }), fc.array(fc.nat({ max: 3 }), { maxLength: 5 }), (shape, pick, size, cuts) => {
        const dim = pick % shape.length;
        const x = iota(shape);
        expect(cat(x.split(size, dim), dim).toArray()).toEqual(x.toArray());
        // Sizes: the cuts while they fit, then whatever is left.
        const sizes: number[] = [];
        let left = shape[dim]!;
        for (const c of cuts) if (c <= left) (sizes.push(c), (left -= c));
        sizes.push(left);
        expect(cat(x.split(sizes, dim - shape.length), dim).toArray()).toEqual(x.toArray());
        expect(cat(x.chunk(size, dim), dim).toArray()).toEqual(x.toArray());
      }),
    );
  });

  it("repeat equals the cat of copies, dimension by dimension", () => {
    fc.assert(
      fc.property(shapeArb, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }), (shape, extra, counts) => {
        const sizes = [...extra, ...counts.slice(0, shape.length)];
        const x = iota(shape);
        let expected = x.reshape([...extra.map(() => 1), ...shape]);
        sizes.forEach((r, d) => {
          // No copies at all is the empty slice.
          expected = r === 0 ? expected.narrow(d, 0, 0) : cat(new Array<Tensor>(r).fill(expected), d);
        });
        const repeated = x.repeat(sizes);
        expect(repeated.shape).toEqual(expected.shape);
        expect(repeated.toArray()).toEqual(expected.toArray());
      }),
    );
  });
});
