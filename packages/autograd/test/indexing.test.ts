import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AutogradError,
  DataError,
  ShapeError,
  Tensor,
  arange,
  cat,
  gather,
  gradcheck,
  indexAdd,
  indexSelect,
  maskedFill,
  noGrad,
  ones,
  scatterAdd,
  select,
  tensor,
  zeros,
} from "@tapegrad/autograd";
import { random } from "./op-info-kit.js";

// Bad inputs (the message names the op, the value, its position and the bound; nothing is
// written), semantics the PyTorch fixtures cannot show (views, layouts, aliasing, src larger
// than index), and properties against naive loops written here. Fixtures: torch-ops.test.ts.

const SEED = 20240611;
const runs = { seed: SEED, numRuns: 120 };


type Layout = "contiguous" | "transposed" | "narrowed" | "broadcast";
const layoutArb = fc.constantFrom<Layout>("contiguous", "transposed", "narrowed", "broadcast");

/**
 * A tensor of `shape` whose elements come from `draw`, laid out in memory as asked: a
 * permuted view of a reversed buffer, a narrowed view of a larger one, or (where a size
 * is 1 is possible) an expanded view with stride 0 along dimension 0.
 */
function arranged(shape: readonly number[], layout: Layout, draw: () => number): Tensor {
  const make = (s: readonly number[]) => tensor(Float64Array.from({ length: s.reduce((a, b) => a * b, 1) }, draw), { shape: [...s] });
  const n = shape.length;
  if (layout === "transposed" && n >= 2) {
    const order = shape.map((_, i) => n - 1 - i);
    return make(order.map((d) => shape[d]!)).permute(order);
  }
  if (layout === "narrowed" && n >= 1) return make([shape[0]! + 2, ...shape.slice(1)]).narrow(0, 1, shape[0]!);
  if (layout === "broadcast" && n >= 1) return make([1, ...shape.slice(1)]).expand([...shape]);
  return make(shape);
}

/** Row-major strides of a shape. */
const stridesOf = (shape: readonly number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** Multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const at = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    at[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return at;
}

const ravel = (at: readonly number[], shape: readonly number[]) => at.reduce((p, v, d) => p + v * stridesOf(shape)[d]!, 0);
const dot = (a: Tensor, b: Tensor) => a.mul(b).sum().item();

describe("bad inputs: errors name the op, the value, its position and the bound", () => {
  const x = tensor([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
  ]);

  it("gather: an out-of-range, negative or fractional index is a DataError with its position and the bound", () => {
    expect(() => x.gather(1, tensor([[0], [7]]))).toThrow(DataError);
    expect(() => x.gather(1, tensor([[0], [7]]))).toThrow("gather: index 7 at position [1, 0] is out of range for dimension 1 of size 4");
    expect(() => x.gather(1, tensor([[0, -1]]))).toThrow("gather: index -1 at position [0, 1] is out of range for dimension 1 of size 4");
    expect(() => x.gather(-2, tensor([[0.5]]))).toThrow(/^gather: index 0\.5 at position \[0, 0\] is not an integer.*dimension 0 of size 2/);
    expect(() => x.gather(1, tensor([[Number.NaN]]))).toThrow(/gather: index NaN at position \[0, 0\] is not an integer/);
  });

  it("gather: a wrong rank or an index larger than x outside dim is a ShapeError", () => {
    expect(() => x.gather(1, tensor([0, 1]))).toThrow(ShapeError);
    expect(() => x.gather(1, tensor([0, 1]))).toThrow(/gather: index \[2\] must have as many dimensions as self \[2,4\]/);
    expect(() => x.gather(1, tensor([[0], [0], [0]]))).toThrow(/gather: index \[3,1\] is larger than self \[2,4\] in dimension 0 \(3 > 2\)/);
    // Along dim the index may be longer than x, as in PyTorch.
    expect(x.gather(1, tensor([[3, 3, 3, 3, 3, 0]])).toArray()).toEqual([[4, 4, 4, 4, 4, 1]]);
  });

  it("indexSelect: a 2-D index is a ShapeError; a bad value a DataError with its position", () => {
    expect(() => x.indexSelect(0, tensor([[0]]))).toThrow(ShapeError);
    expect(() => x.indexSelect(0, tensor([[0]]))).toThrow("indexSelect: index must be 1-D or 0-d, got shape [1,1]");
    expect(() => x.indexSelect(1, tensor([0, 3, 4]))).toThrow("indexSelect: index 4 at position [2] is out of range for dimension 1 of size 4");
    expect(() => x.indexSelect(-1, tensor([-1]))).toThrow("indexSelect: index -1 at position [0] is out of range for dimension 1 of size 4");
    expect(() => x.indexSelect(0, [0] as unknown as Tensor)).toThrow(/indexSelect: index must be a Tensor, got an array \(wrap it with tensor/);
  });

  it("scatterAdd and indexAdd: wrong shapes are ShapeErrors, bad indices DataErrors", () => {
    expect(() => zeros(2, 3).scatterAdd(1, tensor([[0, 1, 2]]), ones(1, 2))).toThrow(/scatterAdd: index \[1,3\] is larger than src \[1,2\] in dimension 1/);
    expect(() => zeros(2, 3).scatterAdd(1, tensor([[0], [1], [0]]), ones(3, 1))).toThrow(/scatterAdd: index \[3,1\] is larger than self \[2,3\] in dimension 0/);
    expect(() => zeros(2, 3).scatterAdd(1, tensor([[0, 3]]), ones(1, 2))).toThrow("scatterAdd: index 3 at position [0, 1] is out of range for dimension 1 of size 3");
    expect(() => zeros(2, 3).indexAdd(1, tensor([0, 1]), ones(2, 3))).toThrow(/indexAdd: source of shape \[2,3\] does not fit 2 indices along dimension 1 of \[2,3\]: expected \[2,2\]/);
    expect(() => zeros(2, 3).indexAdd(0, tensor([2]), ones(1, 3))).toThrow("indexAdd: index 2 at position [0] is out of range for dimension 0 of size 2");
    expect(() => zeros(2, 3).indexAdd(0, tensor([1]), ones(1, 3), { alph: 2 } as never)).toThrow(/indexAdd: unknown option "alph"; did you mean "alpha"\?/);
  });

  it("maskedFill: a mask value other than 0 and 1 is a DataError with its position; shapes must broadcast", () => {
    expect(() => x.maskedFill(tensor([1, 0, 0.5, 1]), 0)).toThrow(DataError);
    expect(() => x.maskedFill(tensor([1, 0, 0.5, 1]), 0)).toThrow("maskedFill: mask value 0.5 at position [2] is not 0 or 1");
    expect(() => x.maskedFill(tensor([[0, 0, 0, 0], [0, 0, 0, 2]]), 0)).toThrow("maskedFill: mask value 2 at position [1, 3] is not 0 or 1");
    expect(() => x.maskedFill(tensor([1, 0, 1]), 0)).toThrow(ShapeError);
    expect(() => x.maskedFill(tensor([1, 0, 1, 0]), ones(1))).toThrow(/maskedFill: a tensor value must be 0-d, got shape \[1\]/);
  });

  it("select and slice: out-of-range positions, 0-d inputs and non-positive steps", () => {
    expect(() => x.select(1, 4)).toThrow(DataError);
    expect(() => x.select(1, 4)).toThrow("select: index 4 is out of range for dimension 1 of size 4 in [2,4] (expected an integer in [-4, 3])");
    expect(() => x.select(0, -3)).toThrow(/select: index -3 is out of range for dimension 0 of size 2/);
    expect(() => x.select(2, 0)).toThrow(ShapeError);
    expect(() => tensor(3).select(0, 0)).toThrow("select: cannot select from a 0-d tensor");
    expect(() => x.slice(1, 0, 2, 0)).toThrow("slice: step must be a positive integer, got 0");
    expect(() => x.slice(1, 0, 2, -1)).toThrow("slice: step must be a positive integer, got -1");
    expect(() => x.slice(1, 0.5)).toThrow("slice: start must be an integer, got 0.5");
    expect(() => tensor(3).slice(0)).toThrow(ShapeError);
  });
});

describe("in place: indexCopy_ and maskedFill_ write nothing when they throw", () => {
  const fresh = () => arange(12).reshape(3, 4).clone();

  it("indexCopy_ copies rows along dim; with repeated indices the last row wins", () => {
    const t = zeros(3, 4);
    expect(t.indexCopy_(1, tensor([0, 2]), tensor([[1, 2], [3, 4], [5, 6]]))).toBe(t);
    expect(t.toArray()).toEqual([
      [1, 0, 2, 0],
      [3, 0, 4, 0],
      [5, 0, 6, 0],
    ]);
    // torch: a.index_copy_(1, tensor([0, 0]), arange(6.).reshape(3, 2)) keeps the second column.
    expect(zeros(3, 4).indexCopy_(1, tensor([0, 0]), arange(6).reshape(3, 2)).select(1, 0).toArray()).toEqual([1, 3, 5]);
    expect(zeros(3).indexCopy_(0, tensor(1), tensor([7])).toArray()).toEqual([0, 7, 0]);
  });

  it("indexCopy_ bumps the version and refuses bad input before writing", () => {
    const t = fresh();
    const before = t.toArray();
    const version = t.version;
    expect(() => t.indexCopy_(0, tensor([0, 1, 3]), ones(3, 4))).toThrow("indexCopy_: index 3 at position [2] is out of range for dimension 0 of size 3");
    expect(() => t.indexCopy_(0, tensor([0, 1]), ones(3, 4))).toThrow(ShapeError);
    expect(() => t.indexCopy_(0, tensor([0, 1.5]), ones(2, 4))).toThrow(DataError);
    expect(() => t.indexCopy_(0, tensor([[0]]), ones(1, 4))).toThrow(ShapeError);
    expect(t.toArray()).toEqual(before);
    expect(t.version).toBe(version);
    t.indexCopy_(0, tensor([2]), ones(1, 4));
    expect(t.version).toBe(version + 1);
  });

  it("indexCopy_ writes through a transposed view, and reads a source that overlaps the target before writing", () => {
    const base = zeros(4, 3);
    base.t().indexCopy_(1, tensor([3, 1]), tensor([[1, 2], [3, 4], [5, 6]]));
    expect(base.toArray()).toEqual([
      [0, 0, 0],
      [2, 4, 6],
      [0, 0, 0],
      [1, 3, 5],
    ]);
    const t = fresh();
    // Rows 1, 2 become the old rows 0, 1 (not the new row 1).
    t.indexCopy_(0, tensor([1, 2]), t.narrow(0, 0, 2));
    expect(t.toArray()).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
  });

  it("maskedFill_ fills where the broadcast mask is 1 and refuses bad masks before writing", () => {
    const t = fresh();
    expect(t.maskedFill_(tensor([[1], [0], [1]]), -1)).toBe(t);
    expect(t.toArray()).toEqual([
      [-1, -1, -1, -1],
      [4, 5, 6, 7],
      [-1, -1, -1, -1],
    ]);
    const before = t.toArray();
    expect(() => t.maskedFill_(tensor([0, 0, 0, 3]), 9)).toThrow("maskedFill_: mask value 3 at position [3] is not 0 or 1");
    expect(() => t.maskedFill_(zeros(2, 3, 4), 9)).toThrow(/maskedFill_: mask of shape \[2,3,4\] does not broadcast to the tensor's shape \[3,4\]/);
    expect(t.toArray()).toEqual(before);
    t.maskedFill_(tensor([0, 1, 0, 0]), tensor(8));
    expect(t.select(1, 1).toArray()).toEqual([8, 8, 8]);
  });

  it("maskedFill_ with the tensor as its own mask", () => {
    const t = tensor([0, 1, 1, 0]);
    t.maskedFill_(t, 5);
    expect(t.toArray()).toEqual([0, 5, 5, 0]);
  });

  it("are refused on a tensor that requires grad while grad mode is on, allowed under noGrad", () => {
    const w = zeros([3, 2], { requiresGrad: true });
    expect(() => w.indexCopy_(0, tensor([1]), ones(1, 2))).toThrow(AutogradError);
    expect(() => w.maskedFill_(tensor([1, 0]), 1)).toThrow(AutogradError);
    noGrad(() => w.indexCopy_(0, tensor([1]), ones(1, 2)).maskedFill_(tensor([1, 0]), 3));
    expect(w.toArray()).toEqual([
      [3, 0],
      [3, 1],
      [3, 0],
    ]);
    expect(() => zeros(1, 3).expand(2, 3).maskedFill_(tensor([1, 0, 0]), 1)).toThrow(/broadcast/);
    // A source that needs a gradient would lose it: the write is not recorded.
    expect(() => zeros(3, 2).indexCopy_(0, tensor([1]), ones([1, 2], { requiresGrad: true }))).toThrow(/indexCopy_: src requires grad/);
    expect(() => zeros(2).maskedFill_(tensor([1, 0]), tensor(1, { requiresGrad: true }))).toThrow(/maskedFill_: value requires grad/);
  });

  it("change a saved tensor's version, so backward refuses stale values", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const y = w.mul(x).sum();
    x.maskedFill_(tensor([1, 0, 0]), 0);
    expect(() => y.backward()).toThrow(/modified in place/);
  });

  it("copy_ broadcasts its source as PyTorch does; fill_ sets every element", () => {
    const t = zeros(2, 3);
    t.copy_(tensor([1, 2, 3]));
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(() => zeros(4).copy_(ones(2, 4))).toThrow(ShapeError);
    expect(zeros(2).fill_(7).toArray()).toEqual([7, 7]);
  });

  it("copy_ from memory the tensor shares reads the source whole before writing", () => {
    const t = arange(6).clone();
    t.narrow(0, 1, 5).copy_(t.narrow(0, 0, 5));
    expect(t.toArray()).toEqual([0, 0, 1, 2, 3, 4]);
  });
});

describe("views: select and slice share memory", () => {
  it("select drops the dimension; negative dim and index count from the end; writes show through", () => {
    const t = arange(24).reshape(2, 3, 4).clone();
    const v = t.select(-2, -1);
    expect(v.shape).toEqual([2, 4]);
    expect(v.toArray()).toEqual([
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ]);
    expect(v.array.storage).toBe(t.array.storage);
    v.fill_(0);
    expect(t.select(1, 2).sum().item()).toBe(0);
    expect(select(t, 0, 1).shape).toEqual([3, 4]);
  });

  it("slice keeps every step-th element between start and end, clamped as Python slicing, as a strided view", () => {
    const t = arange(10).clone();
    const python = (start: number | undefined, end: number | undefined, step: number): number[] => {
      // Python's slice.indices, written out: negatives count from the end, then clamp.
      const n = 10;
      const norm = (v: number | undefined, fallback: number) => (v === undefined ? fallback : v < 0 ? Math.max(v + n, 0) : Math.min(v, n));
      const out: number[] = [];
      for (let i = norm(start, 0); i < norm(end, n); i += step) out.push(i);
      return out;
    };
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -14, max: 14 }), { nil: undefined }),
        fc.option(fc.integer({ min: -14, max: 14 }), { nil: undefined }),
        fc.integer({ min: 1, max: 4 }),
        (start, end, step) => {
          const v = t.slice(0, start, end, step);
          expect(v.toArray()).toEqual(python(start, end, step));
          expect(v.array.storage).toBe(t.array.storage);
        },
      ),
      runs,
    );
    const m = arange(12).reshape(3, 4).clone();
    const strided = m.slice(1, 1, undefined, 2);
    expect(strided.array.strides).toEqual([4, 2]);
    strided.fill_(-1);
    expect(m.toArray()).toEqual([
      [0, -1, 2, -1],
      [4, -1, 6, -1],
      [8, -1, 10, -1],
    ]);
  });

  it("slice's gradient puts g back at the sliced positions", () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7], { requiresGrad: true });
    x.slice(0, 1, undefined, 3).mul(tensor([10, 20])).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 10, 0, 0, 20, 0, 0]);
  });
});

describe("gather, scatterAdd, indexSelect, indexAdd against naive loops, on every layout", () => {
  const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });

  it("gather: out[p] = x[p with p[dim] = index[p]], for any layout of x and index", () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), layoutArb, layoutArb, fc.integer(), (shape, dimPick, xLayout, iLayout, seed) => {
        const u = random(seed);
        const dim = dimPick % shape.length;
        const x = arranged(shape, xLayout, u);
        // Index sizes at most x's outside dim, any size along it.
        const iShape = shape.map((s, d) => (d === dim ? 1 + Math.floor(u() * 5) : 1 + Math.floor(u() * s)));
        const index = arranged(iShape, iLayout, () => Math.floor(u() * shape[dim]!));
        const xs = x.toFloat64Array();
        const is = index.toFloat64Array();
        const expected = Array.from(is, (k, e) => {
          const at = unravel(e, iShape);
          at[dim] = k;
          return xs[ravel(at, shape)]!;
        });
        const negative = dim - shape.length;
        expect(Array.from(x.gather(negative, index).toFloat64Array())).toEqual(expected);
        expect(gather(x, dim, index).shape).toEqual(iShape);
      }),
      runs,
    );
  });

  it("scatterAdd: out = self, then out[p with p[dim] = index[p]] += src[p], src possibly larger than index", () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), layoutArb, layoutArb, fc.integer(), (shape, dimPick, sLayout, srcLayout, seed) => {
        const u = random(seed);
        const dim = dimPick % shape.length;
        const self = arranged(shape, sLayout, u);
        const iShape = shape.map((s, d) => (d === dim ? 1 + Math.floor(u() * 5) : 1 + Math.floor(u() * s)));
        const srcShape = iShape.map((s) => s + Math.floor(u() * 2));
        const src = arranged(srcShape, srcLayout, u);
        const index = tensor(Float64Array.from({ length: iShape.reduce((a, b) => a * b, 1) }, () => Math.floor(u() * shape[dim]!)), { shape: iShape });
        const expected = Array.from(self.toFloat64Array());
        const ss = src.toFloat64Array();
        index.toFloat64Array().forEach((k, e) => {
          const at = unravel(e, iShape);
          const from = ss[ravel(at, srcShape)]!;
          at[dim] = k;
          expected[ravel(at, shape)]! += from;
        });
        const got = Array.from(scatterAdd(self, dim, index, src).toFloat64Array());
        got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
      }),
      runs,
    );
  });

  it("indexSelect and indexAdd: rows along dim, for any layout, repeated indices adding up", () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), layoutArb, fc.integer({ min: 0, max: 5 }), fc.integer(), (shape, dimPick, layout, k, seed) => {
        const u = random(seed);
        const dim = dimPick % shape.length;
        const x = arranged(shape, layout, u);
        const index = tensor(Array.from({ length: k }, () => Math.floor(u() * shape[dim]!)));
        const oShape = shape.map((s, d) => (d === dim ? k : s));
        const xs = x.toFloat64Array();
        const is = index.toFloat64Array();
        const selected = Array.from({ length: oShape.reduce((a, b) => a * b, 1) }, (_, e) => {
          const at = unravel(e, oShape);
          at[dim] = is[at[dim]!]!;
          return xs[ravel(at, shape)]!;
        });
        expect(Array.from(indexSelect(x, dim, index).toFloat64Array())).toEqual(selected);
        const source = arranged(oShape, layout, u);
        const added = Array.from(xs);
        source.toFloat64Array().forEach((v, e) => {
          const at = unravel(e, oShape);
          at[dim] = is[at[dim]!]!;
          added[ravel(at, shape)]! += -0.5 * v;
        });
        const got = Array.from(indexAdd(x, dim, index, source, { alpha: -0.5 }).toFloat64Array());
        got.forEach((v, i) => expect(v).toBeCloseTo(added[i]!, 12));
      }),
      runs,
    );
  });

  it("adjoint identities: ⟨scatterAdd(0, 0, i, s), y⟩ = ⟨s, gather(y, 0, i)⟩ and ⟨indexAdd(0, d, i, s), y⟩ = ⟨s, indexSelect(y, d, i)⟩", () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 1, max: 5 }), fc.nat(), fc.integer(), (shape, length, dimPick, seed) => {
        const u = random(seed);
        const y = arranged(shape, "contiguous", () => u() * 2 - 1);
        const iShape = shape.map((s, d) => (d === 0 ? length : s));
        const i = tensor(Float64Array.from({ length: iShape.reduce((a, b) => a * b, 1) }, () => Math.floor(u() * shape[0]!)), { shape: iShape });
        const s = arranged(iShape, "contiguous", () => u() * 2 - 1);
        expect(dot(zeros(shape).scatterAdd(0, i, s), y)).toBeCloseTo(dot(s, y.gather(0, i)), 12);
        const dim = dimPick % shape.length;
        const rows = tensor(Array.from({ length }, () => Math.floor(u() * shape[dim]!)));
        const source = arranged(shape.map((n, d) => (d === dim ? length : n)), "contiguous", () => u() * 2 - 1);
        expect(dot(zeros(shape).indexAdd(dim, rows, source), y)).toBeCloseTo(dot(source, y.indexSelect(dim, rows)), 12);
      }),
      runs,
    );
  });

  it("0-d inputs: gather and indexSelect of a 0-d tensor, scatterAdd into one", () => {
    expect(tensor(3).gather(0, tensor(0)).toArray()).toBe(3);
    expect(tensor(3).gather(0, tensor([0, 0])).toArray()).toEqual([3, 3]);
    expect(tensor([1, 2]).gather(0, tensor(1)).toArray()).toBe(2);
    expect(tensor(3).indexSelect(0, tensor([0])).shape).toEqual([]);
    expect(tensor([3, 4]).indexSelect(0, tensor(1)).toArray()).toEqual([4]);
    expect(tensor(3).scatterAdd(0, tensor(0), tensor(2)).toArray()).toBe(5);
  });
});

describe("gradients", () => {
  it("gather's gradient adds up over repeated positions (the cross-entropy pick)", () => {
    const z = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    z.gather(1, tensor([[2, 2, 0], [1, 1, 1]])).sum().backward();
    expect(z.grad!.toArray()).toEqual([
      [1, 0, 2],
      [0, 3, 0],
    ]);
  });

  it("indexSelect's gradient (the embedding backward) is the index-add of g", () => {
    const w = tensor(new Float64Array(12), { shape: [4, 3], requiresGrad: true });
    const g = arange(15).reshape(5, 3);
    w.indexSelect(0, tensor([3, 0, 3, 3, 1])).backward(g);
    expect(w.grad!.toArray()).toEqual([
      [3, 4, 5],
      [12, 13, 14],
      [0, 0, 0],
      [0 + 6 + 9, 1 + 7 + 10, 2 + 8 + 11],
    ]);
  });

  it("scatterAdd: ∂self = g; ∂src = gather(g), zero where a src larger than index is not read (PyTorch 1.13 raises there)", () => {
    const self = zeros([2, 3], { requiresGrad: true });
    const src = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const g = tensor([[10, 20, 30], [40, 50, 60]]);
    self.scatterAdd(1, tensor([[2, 0]]), src).backward(g);
    expect(self.grad!.toArray()).toEqual(g.toArray());
    expect(src.grad!.toArray()).toEqual([
      [30, 10, 0],
      [0, 0, 0],
    ]);
    const check = (s: Tensor, x: Tensor) => x.scatterAdd(1, tensor([[2, 0], [1, 1]]), s).pow(2).sum();
    expect(gradcheck(check, [tensor([[0.3, -0.2, 0.5], [0.7, 1.1, -0.4]], { requiresGrad: true }), tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], { requiresGrad: true })]).passed).toBe(true);
  });

  it("maskedFill: ∂x is 0 where masked even for infinite g; a 0-d tensor value gets Σ g where masked", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.maskedFill(tensor([0, 1, 0]), 0).backward(tensor([1, Infinity, 2]));
    expect(x.grad!.toArray()).toEqual([1, 0, 2]);
    const v = tensor(2, { requiresGrad: true });
    const y = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const out = maskedFill(y, tensor([1, 0, 1]), v);
    expect(out.toArray()).toEqual([
      [2, 2, 2],
      [2, 5, 2],
    ]);
    out.backward(arange(6).reshape(2, 3).add(1));
    expect(v.grad!.item()).toBe(1 + 3 + 4 + 6);
    expect(y.grad!.toArray()).toEqual([
      [0, 2, 0],
      [0, 5, 0],
    ]);
  });

  it("x.maskedFill(mask, -Infinity).softmax(-1): attention masking keeps masked weights at exactly 0", () => {
    const scores = tensor([[0.5, 1.5, -0.3]], { requiresGrad: true });
    const weights = scores.maskedFill(tensor([[0, 1, 0]]), -Infinity).softmax(-1);
    expect((weights.toArray() as number[][])[0]).toEqual([expect.closeTo(1 / (1 + Math.exp(-0.8)), 14), 0, expect.closeTo(Math.exp(-0.8) / (1 + Math.exp(-0.8)), 14)]);
    weights.select(1, 0).backward();
    expect(Number.isFinite(scores.grad!.sum().item())).toBe(true);
    expect((scores.grad!.toArray() as number[][])[0]![1]).toBe(0);
  });

  it("select's and slice's gradients on a transposed input", () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    cat([x.t().select(0, 1), x.t().slice(1, 0, undefined, 2).reshape(-1)]).mul(tensor([1, 2, 3, 4, 5, 6, 7])).sum().backward();
    // select(0, 1) of xᵀ is x[:, 1] with g [1, 2, 3]; slice keeps columns 0 and 2 of xᵀ (rows 0, 2 of x), g [4, 5 | 6, 7].
    expect(x.grad!.toArray()).toEqual([
      [4, 1 + 6],
      [0, 2],
      [5, 3 + 7],
    ]);
  });
});

describe("hot paths", () => {
  it("an embedding lookup and its backward on [1000, 64] with 4096 indices take about a millisecond", () => {
    const vocabulary = 1000;
    const width = 64;
    const u = random(SEED);
    const weight = tensor(Float64Array.from({ length: vocabulary * width }, u), { shape: [vocabulary, width], requiresGrad: true });
    const ids = tensor(Float64Array.from({ length: 4096 }, () => Math.floor(u() * vocabulary)));
    const g = tensor(Float64Array.from({ length: 4096 * width }, u), { shape: [4096, width] });
    const step = () => {
      weight.grad = null;
      weight.indexSelect(0, ids).backward(g);
    };
    for (let i = 0; i < 3; i++) step();
    let fastest = Infinity;
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      step();
      fastest = Math.min(fastest, performance.now() - start);
    }
    // Both directions move 4096·64 doubles: about 1 ms on an idle core. The bound leaves room
    // for a loaded machine and catches a per-element allocation or an accidental quadratic.
    expect(fastest).toBeLessThan(25);
    const rows = weight.indexSelect(0, ids).toFloat64Array();
    const id = ids.toFloat64Array()[17]!;
    expect(Array.from(rows.subarray(17 * width, 18 * width))).toEqual(Array.from(weight.toFloat64Array().subarray(id * width, (id + 1) * width)));
  });
});
