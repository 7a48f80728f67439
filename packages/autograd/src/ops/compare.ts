import { kernels, type NDArray } from "@tapegrad/tensor";
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

/** Index of the largest value along dim. */
export const argmax = argReduction("argmax", kernels.argmax);
/** Index of the smallest value along dim. */
export const argmin = argReduction("argmin", kernels.argmin);

/** The compare methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface CompareMethods {
  /** Index of the largest value along `dim` (of the flattened tensor when omitted); no gradient. */
  argmax(dim?: number, keepdim?: KeepdimArg): Tensor;
  /** Index of the smallest value along `dim` (of the flattened tensor when omitted); no gradient. */
  argmin(dim?: number, keepdim?: KeepdimArg): Tensor;
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
