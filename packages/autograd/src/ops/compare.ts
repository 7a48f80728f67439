import { kernels, type NDArray } from "@tapegrad/tensor";
import { defineOp, type Op } from "../op.js";

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
