import { DataError, checkBoolean, checkOptions, kernels, optionalNumber, type NDArray } from "@tapegrad/tensor";
import { defineOp, type Op } from "../op.js";
import { Tensor } from "../tensor.js";
import { toTensor, type Operand } from "./operand.js";
import { readKeepdim, type KeepdimArg } from "./reduce.js";

// Ops without a derivative still go through defineOp, so every op is in one registry and
// the tests can check them all; their outputs never require grad.

function comparison(name: string, kernel: kernels.BinaryKernel, rule: string): Op<undefined> {
  return defineOp({ name, rule: `no gradient: ${rule} is piecewise constant`, forward: ([a, b]) => kernel(a!, b!), vjp: null });
}

/** 1 where a > b, else 0. */
export const gt = comparison("gt", kernels.gt, "[a > b]");
/** 1 where a < b, else 0. */
export const lt = comparison("lt", kernels.lt, "[a < b]");
/** 1 where a ≥ b, else 0. */
export const ge = comparison("ge", kernels.ge, "[a ≥ b]");
/** 1 where a ≤ b, else 0. */
export const le = comparison("le", kernels.le, "[a ≤ b]");
/** 1 where a = b, else 0. */
export const eq = comparison("eq", kernels.eq, "[a = b]");
/** 1 where a ≠ b, else 0. */
export const ne = comparison("ne", kernels.ne, "[a ≠ b]");

/** Where to take an arg-reduction: a dimension (undefined: the flattened tensor) and keepdim. */
export interface ArgParams {
  readonly dim: number | undefined;
  readonly keepdim: boolean;
}

function argReduction(name: string, kernel: (x: NDArray, dim?: number, keepdim?: boolean) => NDArray): Op<ArgParams> {
  return defineOp<ArgParams>({
    name,
    rule: "no gradient: an index is piecewise constant",
    forward: ([x], { dim, keepdim }) => kernel(x!, dim, keepdim),
    vjp: null,
  });
}

/** Index of the largest value along dim: the first of ties, the index max(dim) sends its gradient to. */
export const argmax = argReduction("argmax", kernels.argmax);
/** Index of the smallest value along dim: the first of ties, the index min(dim) sends its gradient to. */
export const argmin = argReduction("argmin", kernels.argmin);

/** Keyword options of allclose. */
export interface AllcloseOptions {
  /** Relative tolerance, times |other| (default 1e-5). */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  readonly atol?: number;
  /** Whether NaN counts as close to NaN (default false). */
  readonly equalNan?: boolean;
}

function otherTensor(op: string, other: unknown): Tensor {
  if (other instanceof Tensor) return other;
  throw new DataError(`${op}: other must be a Tensor, got ${other === null ? "null" : Array.isArray(other) ? "an array (wrap it with tensor(...))" : typeof other}`);
}

const nonNegative = (v: number) => v >= 0;

/** The compare methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface CompareMethods {
  /**
   * Index of the largest value along `dim` (of the flattened tensor when omitted, keepdim
   * then keeping every dimension as 1), as torch.argmax: the first of ties, the first NaN
   * over any number, and the index max(dim) sends its gradient to; no gradient.
   * @throws ShapeError when the dimension is empty or out of range.
   */
  argmax(dim?: number, keepdim?: KeepdimArg): Tensor;
  /**
   * Index of the smallest value along `dim` (of the flattened tensor when omitted), as
   * torch.argmin: the first of ties, the index min(dim) sends its gradient to; no gradient.
   * @throws ShapeError when the dimension is empty or out of range.
   */
  argmin(dim?: number, keepdim?: KeepdimArg): Tensor;
  /**
   * Whether |this − other| ≤ atol + rtol·|other| everywhere, the two broadcast together, as
   * torch.allclose; NaN is close to NaN only with `equalNan`.
   * @throws ShapeError when the shapes do not broadcast; DataError when other is not a
   *   Tensor, a tolerance is negative or not a number, or an option is unknown.
   */
  allclose(other: Tensor, options?: AllcloseOptions): boolean;
  /**
   * Whether other has this shape and the same values, as torch.equal (NaN equals nothing).
   * @throws DataError when other is not a Tensor.
   */
  equal(other: Tensor): boolean;
  /** 1 where this > other, else 0; no gradient. */
  gt(other: Operand): Tensor;
  /** 1 where this < other, else 0; no gradient. */
  lt(other: Operand): Tensor;
  /** 1 where this ≥ other, else 0; no gradient. */
  ge(other: Operand): Tensor;
  /** 1 where this ≤ other, else 0; no gradient. */
  le(other: Operand): Tensor;
  /** 1 where this = other, else 0; no gradient. */
  eq(other: Operand): Tensor;
  /** 1 where this ≠ other, else 0; no gradient. */
  ne(other: Operand): Tensor;
}

Tensor.prototype.argmax = function (this: Tensor, dim?: number, keepdim?: KeepdimArg): Tensor {
  return argmax([this], { dim, keepdim: readKeepdim("argmax", keepdim) });
};

Tensor.prototype.argmin = function (this: Tensor, dim?: number, keepdim?: KeepdimArg): Tensor {
  return argmin([this], { dim, keepdim: readKeepdim("argmin", keepdim) });
};

Tensor.prototype.gt = function (this: Tensor, other: Operand): Tensor {
  return gt([this, toTensor(other, "gt")], undefined);
};

Tensor.prototype.lt = function (this: Tensor, other: Operand): Tensor {
  return lt([this, toTensor(other, "lt")], undefined);
};

Tensor.prototype.ge = function (this: Tensor, other: Operand): Tensor {
  return ge([this, toTensor(other, "ge")], undefined);
};

Tensor.prototype.le = function (this: Tensor, other: Operand): Tensor {
  return le([this, toTensor(other, "le")], undefined);
};

Tensor.prototype.eq = function (this: Tensor, other: Operand): Tensor {
  return eq([this, toTensor(other, "eq")], undefined);
};

Tensor.prototype.ne = function (this: Tensor, other: Operand): Tensor {
  return ne([this, toTensor(other, "ne")], undefined);
};

Tensor.prototype.allclose = function (this: Tensor, other: Tensor, options?: AllcloseOptions): boolean {
  const b = otherTensor("allclose", other);
  const { rtol, atol, equalNan } = checkOptions("allclose", options, ["rtol", "atol", "equalNan"]);
  const r = optionalNumber("allclose", "rtol", rtol, 1e-5, nonNegative, "a number ≥ 0");
  const a = optionalNumber("allclose", "atol", atol, 1e-8, nonNegative, "a number ≥ 0");
  return kernels.allclose(this.array, b.array, r, a, checkBoolean("allclose", "equalNan", equalNan, false));
};

Tensor.prototype.equal = function (this: Tensor, other: Tensor): boolean {
  return kernels.equal(this.array, otherTensor("equal", other).array);
};
