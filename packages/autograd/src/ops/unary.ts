import { DataError, NDArray, kernels } from "@tapegrad/tensor";
import { Tensor } from "../tensor.js";
import { defineOp, type Op } from "../op.js";
import { constant } from "./operand.js";

const nothing = () => ({});
const input = () => ({ inputs: [0] });
const output = () => ({ output: true });

/** −x */
export const neg = defineOp({
  name: "neg",
  rule: "∂x = −g",
  save: nothing,
  forward: ([x]) => kernels.neg(x!),
  vjp: (g) => [g.neg()],
});

/** eˣ */
export const exp = defineOp({
  name: "exp",
  rule: "∂x = g·y  (y = eˣ)",
  save: output,
  forward: ([x]) => kernels.exp(x!),
  vjp: (g, { output }) => [g.mul(output)],
});

/** ln x */
export const log = defineOp({
  name: "log",
  rule: "∂x = g / x",
  save: input,
  forward: ([x]) => kernels.log(x!),
  vjp: (g, { inputs: [x] }) => [g.div(x!)],
});

/** ln(1 + x), accurate for small x. */
export const log1p = defineOp({
  name: "log1p",
  rule: "∂x = g / (1 + x)",
  save: input,
  forward: ([x]) => kernels.log1p(x!),
  vjp: (g, { inputs: [x] }) => [g.div(x!.add(1))],
});

/** √x */
export const sqrt = defineOp({
  name: "sqrt",
  rule: "∂x = g / (2y)  (y = √x)",
  save: output,
  forward: ([x]) => kernels.sqrt(x!),
  vjp: (g, { output }) => [g.div(output.mul(2))],
});

/** |x|; the gradient at 0 is 0, as in PyTorch. */
export const abs = defineOp({
  name: "abs",
  rule: "∂x = g·sign(x)",
  save: input,
  forward: ([x]) => kernels.abs(x!),
  vjp: (g, { inputs: [x] }) => [g.mul(constant(kernels.sign(x!.array)))],
});

/** eˣ − 1, accurate for small x. */
export const expm1 = defineOp({
  name: "expm1",
  rule: "∂x = g·(y + 1)  (y = eˣ − 1)",
  save: output,
  forward: ([x]) => kernels.expm1(x!),
  vjp: (g, { output }) => [g.mul(output.add(1))],
});

/** 1/x */
export const reciprocal = defineOp({
  name: "reciprocal",
  rule: "∂x = −g·y²  (y = 1/x)",
  save: output,
  forward: ([x]) => kernels.reciprocal(x!),
  vjp: (g, { output }) => [g.mul(output.mul(output)).neg()],
});

/** 1/√x */
export const rsqrt = defineOp({
  name: "rsqrt",
  rule: "∂x = −½·g·y³  (y = 1/√x)",
  save: output,
  forward: ([x]) => kernels.rsqrt(x!),
  vjp: (g, { output }) => [g.mul(output.pow(3)).mul(-0.5)],
});

/** erf x = 2/√π ∫₀ˣ e^(−t²) dt */
export const erf = defineOp({
  name: "erf",
  rule: "∂x = g·(2/√π)·e^(−x²)",
  save: input,
  forward: ([x]) => kernels.erf(x!),
  vjp: (g, { inputs: [x] }) => [g.mul(x!.mul(x!).neg().exp().mul(2 / Math.sqrt(Math.PI)))],
});

/** sign x ∈ {−1, 0, 1} (0 for NaN); its gradient is zero everywhere, as in PyTorch. */
export const sign = defineOp({
  name: "sign",
  rule: "∂x = 0",
  save: nothing,
  forward: ([x]) => kernels.sign(x!),
  // Zeros rather than g·0, so an infinite g does not become NaN.
  vjp: (_, { inputShapes }) => [constant(NDArray.zeros(inputShapes[0]!))],
});

// Rounding is piecewise constant: no derivative, so the output never requires grad.

/** ⌊x⌋ (no gradient) */
export const floor = defineOp({ name: "floor", rule: "no gradient: ⌊x⌋ is piecewise constant", forward: ([x]) => kernels.floor(x!), vjp: null });
/** ⌈x⌉ (no gradient) */
export const ceil = defineOp({ name: "ceil", rule: "no gradient: ⌈x⌉ is piecewise constant", forward: ([x]) => kernels.ceil(x!), vjp: null });
/** x rounded to the nearest integer, ties to even (no gradient) */
export const round = defineOp({ name: "round", rule: "no gradient: rounding is piecewise constant", forward: ([x]) => kernels.round(x!), vjp: null });

// Backward formulas that run as one kernel are ops of their own (PyTorch's *_backward):
// a plain and a recorded backward run the same kernel, so they agree by construction, and
// the engine can hand them the incoming gradient's memory to write into.

/** g·(1 − y²): tanh's backward as an op, differentiable in g and in y. */
export const tanhBackward: Op<undefined> = defineOp({
  name: "tanhBackward",
  rule: "∂g = g′·(1 − y²), ∂y = −2·g′·g·y",
  save: ([needsG, needsY]) => ({ inputs: needsY ? [0, 1] : needsG ? [1] : [] }),
  forward: ([g, y], _, { out }) => kernels.tanhBackward(g!, y!, out),
  vjp: (gg, { inputs: [g, y], needsGrad }) => [
    needsGrad[0] ? tanhBackward([gg, y!], undefined) : null,
    needsGrad[1] ? gg.mul(g!).mul(y!).mul(-2) : null,
  ],
});

/** g·y·(1 − y): sigmoid's backward as an op, differentiable in g and in y. */
export const sigmoidBackward: Op<undefined> = defineOp({
  name: "sigmoidBackward",
  rule: "∂g = g′·y·(1 − y), ∂y = g′·g·(1 − 2y)",
  save: ([needsG, needsY]) => ({ inputs: needsY ? [0, 1] : needsG ? [1] : [] }),
  forward: ([g, y], _, { out }) => kernels.sigmoidBackward(g!, y!, out),
  vjp: (gg, { inputs: [g, y], needsGrad }) => [
    needsGrad[0] ? sigmoidBackward([gg, y!], undefined) : null,
    needsGrad[1] ? gg.mul(g!).mul(y!.mul(-2).add(1)) : null,
  ],
});

/** g where the gate is positive, else 0: ReLU's backward as an op, linear in g; the gate gets no gradient. */
export const reluBackward: Op<undefined> = defineOp({
  name: "reluBackward",
  rule: "∂g = g′·[gate > 0]",
  save: () => ({ inputs: [1] }),
  nondifferentiable: [1],
  forward: ([g, gate], _, { out }) => kernels.passWherePositive(g!, gate!, out),
  vjp: (gg, { inputs: [, gate] }) => [reluBackward([gg, gate!], undefined), null],
});

/** tanh x */
export const tanh = defineOp({
  name: "tanh",
  rule: "∂x = g·(1 − y²)  (y = tanh x)",
  save: output,
  forward: ([x]) => kernels.tanh(x!),
  vjp: (g, { output }, { ownsGrad }) => [tanhBackward([g, output], undefined, ownsGrad ? g.array : undefined)],
});

/** 1 / (1 + e⁻ˣ), finite for any input. */
export const sigmoid = defineOp({
  name: "sigmoid",
  rule: "∂x = g·y·(1 − y)  (y = σ(x))",
  save: output,
  forward: ([x]) => kernels.sigmoid(x!),
  vjp: (g, { output }, { ownsGrad }) => [sigmoidBackward([g, output], undefined, ownsGrad ? g.array : undefined)],
});

/** max(x, 0); the gradient at 0 is 0, as in PyTorch. */
export const relu = defineOp({
  name: "relu",
  rule: "∂x = g·[x > 0]",
  save: output,
  forward: ([x]) => kernels.relu(x!),
  vjp: (g, { output }, { ownsGrad }) => [reluBackward([g, output], undefined, ownsGrad ? g.array : undefined)],
});

/** sin x */
export const sin = defineOp({
  name: "sin",
  rule: "∂x = g·cos x",
  save: input,
  forward: ([x]) => kernels.sin(x!),
  vjp: (g, { inputs: [x] }) => [g.mul(x!.cos())],
});

/** cos x */
export const cos = defineOp({
  name: "cos",
  rule: "∂x = −g·sin x",
  save: input,
  forward: ([x]) => kernels.cos(x!),
  vjp: (g, { inputs: [x] }) => [g.mul(x!.sin()).neg()],
});

/** Bounds of clamp; either may be absent. */
export interface ClampBounds {
  readonly min: number | undefined;
  readonly max: number | undefined;
}

/** x clamped into [min, max]; the gradient passes where min ≤ x ≤ max, as in PyTorch. */
export const clamp = defineOp<ClampBounds>({
  name: "clamp",
  rule: "∂x = g·[min ≤ x ≤ max]",
  save: input,
  forward: ([x], { min, max }) => kernels.clamp(x!, min, max),
  vjp: (g, { inputs: [x], params: { min, max } }) => {
    const inside = kernels.map(x!.array, (v) => ((min === undefined || v >= min) && (max === undefined || v <= max) ? 1 : 0));
    return [g.mul(constant(inside))];
  },
});

/** The unary methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface UnaryMethods {
  /** −this. */
  neg(): Tensor;
  /** eˣ. */
  exp(): Tensor;
  /** Natural logarithm. */
  log(): Tensor;
  /** ln(1 + x), accurate near 0. */
  log1p(): Tensor;
  /** Square root. */
  sqrt(): Tensor;
  /** |x|. */
  abs(): Tensor;
  /** Hyperbolic tangent. */
  tanh(): Tensor;
  /** Logistic function, finite for any input. */
  sigmoid(): Tensor;
  /** max(x, 0). */
  relu(): Tensor;
  /** Sine. */
  sin(): Tensor;
  /** Cosine. */
  cos(): Tensor;
  /** x², as x.pow(2) (PyTorch's square is pow(x, 2) too). */
  square(): Tensor;
  /** eˣ − 1, accurate near 0. */
  expm1(): Tensor;
  /** 1/x. */
  reciprocal(): Tensor;
  /** 1/√x. */
  rsqrt(): Tensor;
  /** The error function 2/√π ∫₀ˣ e^(−t²) dt, accurate to about an ulp. */
  erf(): Tensor;
  /** −1, 0 or 1 by the sign of each element (0 for NaN); the gradient is zero. */
  sign(): Tensor;
  /** Largest integer ≤ x; no gradient. */
  floor(): Tensor;
  /** Smallest integer ≥ x; no gradient. */
  ceil(): Tensor;
  /** Nearest integer, ties to even (2.5 → 2), as torch.round; no gradient. */
  round(): Tensor;
  /**
   * Clamps into [min, max]; either bound may be omitted (undefined).
   * @throws DataError when both are omitted or a bound is not a number.
   */
  clamp(min?: number, max?: number): Tensor;
}

Tensor.prototype.neg = function (this: Tensor): Tensor {
  return neg([this], undefined);
};

Tensor.prototype.exp = function (this: Tensor): Tensor {
  return exp([this], undefined);
};

Tensor.prototype.log = function (this: Tensor): Tensor {
  return log([this], undefined);
};

Tensor.prototype.log1p = function (this: Tensor): Tensor {
  return log1p([this], undefined);
};

Tensor.prototype.sqrt = function (this: Tensor): Tensor {
  return sqrt([this], undefined);
};

Tensor.prototype.abs = function (this: Tensor): Tensor {
  return abs([this], undefined);
};

Tensor.prototype.tanh = function (this: Tensor): Tensor {
  return tanh([this], undefined);
};

Tensor.prototype.sigmoid = function (this: Tensor): Tensor {
  return sigmoid([this], undefined);
};

Tensor.prototype.relu = function (this: Tensor): Tensor {
  return relu([this], undefined);
};

Tensor.prototype.sin = function (this: Tensor): Tensor {
  return sin([this], undefined);
};

Tensor.prototype.cos = function (this: Tensor): Tensor {
  return cos([this], undefined);
};

Tensor.prototype.square = function (this: Tensor): Tensor {
  return this.pow(2);
};

Tensor.prototype.expm1 = function (this: Tensor): Tensor {
  return expm1([this], undefined);
};

Tensor.prototype.reciprocal = function (this: Tensor): Tensor {
  return reciprocal([this], undefined);
};

Tensor.prototype.rsqrt = function (this: Tensor): Tensor {
  return rsqrt([this], undefined);
};

Tensor.prototype.erf = function (this: Tensor): Tensor {
  return erf([this], undefined);
};

Tensor.prototype.sign = function (this: Tensor): Tensor {
  return sign([this], undefined);
};

Tensor.prototype.floor = function (this: Tensor): Tensor {
  return floor([this], undefined);
};

Tensor.prototype.ceil = function (this: Tensor): Tensor {
  return ceil([this], undefined);
};

Tensor.prototype.round = function (this: Tensor): Tensor {
  return round([this], undefined);
};

Tensor.prototype.clamp = function (this: Tensor, min?: number, max?: number): Tensor {
  if (min === undefined && max === undefined) throw new DataError("clamp: at least one of min and max must be given");
  for (const bound of [min, max]) {
    if (bound !== undefined && typeof bound !== "number") throw new DataError(`clamp: bounds must be numbers, got ${typeof bound}`);
  }
  return clamp([this], { min, max });
};
