import { DataError, NDArray, kernels } from "@tapegrad/tensor";
import { defineOp, savesOther } from "../op.js";
import { Tensor } from "../tensor.js";
import { constant, toTensor, type Operand } from "./operand.js";

// Binary ops broadcast: their VJPs return gradients in the output's shape and the engine
// sums them back to each operand's shape.

/** a + b */
export const add = defineOp({
  name: "add",
  rule: "∂a = g, ∂b = g",
  save: () => ({}),
  forward: ([a, b]) => kernels.add(a!, b!),
  vjp: (g) => [g, g],
});

/** a − b */
export const sub = defineOp({
  name: "sub",
  rule: "∂a = g, ∂b = −g",
  save: () => ({}),
  forward: ([a, b]) => kernels.sub(a!, b!),
  vjp: (g, { needsGrad }) => [g, needsGrad[1] ? g.neg() : null],
});

/** a · b */
export const mul = defineOp({
  name: "mul",
  rule: "∂a = g·b, ∂b = g·a",
  save: savesOther,
  forward: ([a, b]) => kernels.mul(a!, b!),
  vjp: (g, { inputs: [a, b], needsGrad }) => [needsGrad[0] ? g.mul(b!) : null, needsGrad[1] ? g.mul(a!) : null],
});

/** a / b */
export const div = defineOp({
  name: "div",
  rule: "∂a = g / b, ∂b = −g·a / b²",
  save: ([, needsB]) => ({ inputs: needsB ? [0, 1] : [1] }),
  forward: ([a, b]) => kernels.div(a!, b!),
  vjp: (g, { inputs: [a, b], needsGrad }) => {
    const gOverB = g.div(b!);
    return [gOverB, needsGrad[1] ? gOverB.mul(a!).div(b!).neg() : null];
  },
});

/** Share of the gradient each side of maximum/minimum gets: 1 where it wins, ½ on ties. */
function winnerShares(a: Tensor, b: Tensor, larger: boolean): [Tensor, Tensor] {
  const wins = larger ? kernels.gt : kernels.lt;
  const tie = kernels.mul(kernels.eq(a.array, b.array), kernels.scalar(0.5));
  return [constant(kernels.add(wins(a.array, b.array), tie)), constant(kernels.add(wins(b.array, a.array), tie))];
}

/** Elementwise maximum; ties split the gradient evenly, as in PyTorch. */
export const maximum = defineOp({
  name: "maximum",
  rule: "∂a = g·[a > b] + ½g·[a = b], ∂b = g·[b > a] + ½g·[a = b]",
  save: () => ({ inputs: [0, 1] }),
  forward: ([a, b]) => kernels.maximum(a!, b!),
  vjp: (g, { inputs: [a, b] }) => winnerShares(a!, b!, true).map((share) => g.mul(share)),
});

/** Elementwise minimum; ties split the gradient evenly, as in PyTorch. */
export const minimum = defineOp({
  name: "minimum",
  rule: "∂a = g·[a < b] + ½g·[a = b], ∂b = g·[b < a] + ½g·[a = b]",
  save: () => ({ inputs: [0, 1] }),
  forward: ([a, b]) => kernels.minimum(a!, b!),
  vjp: (g, { inputs: [a, b] }) => winnerShares(a!, b!, false).map((share) => g.mul(share)),
});

/** xᵖ for a number p. */
export const pow = defineOp<number>({
  name: "pow",
  rule: "∂x = g·p·xᵖ⁻¹",
  save: (_, p) => ({ inputs: p === 0 ? [] : [0] }),
  forward: ([x], p) => kernels.powScalar(x!, p),
  // p = 0 is special-cased as in PyTorch: x⁻¹ would turn 0·∞ at x = 0 into NaN, and zeros
  // (not g·0) keep an infinite g from making NaN.
  vjp: (g, { inputs: [x], params: p, inputShapes }) => [p === 0 ? constant(NDArray.zeros(inputShapes[0]!)) : g.mul(x!.pow(p - 1)).mul(p)],
});

/** Picks a where condition ≠ 0, else b; the condition gets no gradient. */
export const where = defineOp({
  name: "where",
  rule: "∂a = g·[c], ∂b = g·[¬c]",
  save: () => ({ inputs: [0] }),
  nondifferentiable: [0],
  forward: ([c, a, b]) => kernels.where(c!, a!, b!),
  // where(c, g, 0) rather than g·[c]: an infinite or NaN g must give 0 where it is not picked.
  vjp: (g, { inputs: [c], needsGrad }) => {
    const mask = constant(kernels.ne(c!.array, kernels.scalar(0)));
    const zero = constant(kernels.scalar(0));
    return [null, needsGrad[1] ? g.where(mask, zero) : null, needsGrad[2] ? zero.where(mask, g) : null];
  },
});

/** The arithmetic methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface ArithmeticMethods {
  /** this + other, broadcasting. */
  add(other: Operand): Tensor;
  /** this − other, broadcasting. */
  sub(other: Operand): Tensor;
  /** this · other elementwise, broadcasting. */
  mul(other: Operand): Tensor;
  /** this / other elementwise, broadcasting. */
  div(other: Operand): Tensor;
  /** Elementwise maximum, broadcasting; ties split the gradient. */
  maximum(other: Operand): Tensor;
  /** Elementwise minimum, broadcasting; ties split the gradient. */
  minimum(other: Operand): Tensor;
  /**
   * Elementwise power with a number exponent.
   * @throws DataError when the exponent is not a number.
   */
  pow(exponent: number): Tensor;
  /** Elementwise: this where condition ≠ 0, else other (condition gets no gradient). */
  where(condition: Operand, other: Operand): Tensor;
}

Tensor.prototype.add = function (this: Tensor, other: Operand): Tensor {
  return add([this, toTensor(other, "add")], undefined);
};

Tensor.prototype.sub = function (this: Tensor, other: Operand): Tensor {
  return sub([this, toTensor(other, "sub")], undefined);
};

Tensor.prototype.mul = function (this: Tensor, other: Operand): Tensor {
  return mul([this, toTensor(other, "mul")], undefined);
};

Tensor.prototype.div = function (this: Tensor, other: Operand): Tensor {
  return div([this, toTensor(other, "div")], undefined);
};

Tensor.prototype.maximum = function (this: Tensor, other: Operand): Tensor {
  return maximum([this, toTensor(other, "maximum")], undefined);
};

Tensor.prototype.minimum = function (this: Tensor, other: Operand): Tensor {
  return minimum([this, toTensor(other, "minimum")], undefined);
};

Tensor.prototype.pow = function (this: Tensor, exponent: number): Tensor {
  if (typeof exponent !== "number") throw new DataError(`pow: exponent must be a number, got ${typeof exponent}`);
  return pow([this], exponent);
};

Tensor.prototype.where = function (this: Tensor, condition: Operand, other: Operand): Tensor {
  return where([toTensor(condition, "where"), this, toTensor(other, "where")], undefined);
};
