// Free functions of the elementwise ops, as PyTorch has them (torch.exp(x), torch.add(a, b)),
// so code ports line by line. Each delegates to the Tensor method of the same name; the
// activations that PyTorch has only in torch.nn.functional live with nn.functional.
import type { Tensor } from "../tensor.js";
import type { Operand } from "../ops/operand.js";

/** eˣ elementwise, as torch.exp. */
export function exp(x: Tensor): Tensor {
  return x.exp();
}

/** Natural logarithm elementwise, as torch.log. */
export function log(x: Tensor): Tensor {
  return x.log();
}

/** ln(1 + x) elementwise, accurate near 0, as torch.log1p. */
export function log1p(x: Tensor): Tensor {
  return x.log1p();
}

/** eˣ − 1 elementwise, accurate near 0, as torch.expm1. */
export function expm1(x: Tensor): Tensor {
  return x.expm1();
}

/** Square root elementwise, as torch.sqrt. */
export function sqrt(x: Tensor): Tensor {
  return x.sqrt();
}

/** 1/√x elementwise, as torch.rsqrt. */
export function rsqrt(x: Tensor): Tensor {
  return x.rsqrt();
}

/** |x| elementwise (gradient 0 at 0), as torch.abs. */
export function abs(x: Tensor): Tensor {
  return x.abs();
}

/** −x elementwise, as torch.neg. */
export function neg(x: Tensor): Tensor {
  return x.neg();
}

/** −1, 0 or 1 by the sign of each element (0 for NaN), with a zero gradient, as torch.sign. */
export function sign(x: Tensor): Tensor {
  return x.sign();
}

/** 1/x elementwise, as torch.reciprocal. */
export function reciprocal(x: Tensor): Tensor {
  return x.reciprocal();
}

/** x² elementwise, as torch.square. */
export function square(x: Tensor): Tensor {
  return x.square();
}

/** Sine elementwise, as torch.sin. */
export function sin(x: Tensor): Tensor {
  return x.sin();
}

/** Cosine elementwise, as torch.cos. */
export function cos(x: Tensor): Tensor {
  return x.cos();
}

/** Hyperbolic tangent elementwise, as torch.tanh. */
export function tanh(x: Tensor): Tensor {
  return x.tanh();
}

/** Logistic function elementwise, finite for any input, as torch.sigmoid. */
export function sigmoid(x: Tensor): Tensor {
  return x.sigmoid();
}

/** max(x, 0) elementwise, as torch.relu. */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/** The error function elementwise, as torch.erf. */
export function erf(x: Tensor): Tensor {
  return x.erf();
}

/** Largest integer ≤ x elementwise (no gradient), as torch.floor. */
export function floor(x: Tensor): Tensor {
  return x.floor();
}

/** Smallest integer ≥ x elementwise (no gradient), as torch.ceil. */
export function ceil(x: Tensor): Tensor {
  return x.ceil();
}

/** Nearest integer elementwise, ties to even (no gradient), as torch.round. */
export function round(x: Tensor): Tensor {
  return x.round();
}

/**
 * x clamped into [min, max] elementwise, either bound omitted with undefined, as torch.clamp.
 * @throws DataError when both bounds are omitted or a bound is not a number.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  return x.clamp(min, max);
}

/**
 * xᵖ elementwise for a number p, as torch.pow.
 * @throws DataError when the exponent is not a number.
 */
export function pow(x: Tensor, exponent: number): Tensor {
  return x.pow(exponent);
}

/**
 * a + b elementwise with broadcasting (b a Tensor or a number), as torch.add.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function add(a: Tensor, b: Operand): Tensor {
  return a.add(b);
}

/**
 * a − b elementwise with broadcasting, as torch.sub.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function sub(a: Tensor, b: Operand): Tensor {
  return a.sub(b);
}

/**
 * a · b elementwise with broadcasting, as torch.mul.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function mul(a: Tensor, b: Operand): Tensor {
  return a.mul(b);
}

/**
 * a / b elementwise with broadcasting, as torch.div.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function div(a: Tensor, b: Operand): Tensor {
  return a.div(b);
}

/**
 * The larger of a and b elementwise with broadcasting (ties split the gradient), as torch.maximum.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function maximum(a: Tensor, b: Operand): Tensor {
  return a.maximum(b);
}

/**
 * The smaller of a and b elementwise with broadcasting (ties split the gradient), as torch.minimum.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function minimum(a: Tensor, b: Operand): Tensor {
  return a.minimum(b);
}

/**
 * The matrix product with PyTorch's 1-D and batched-broadcast rules, as torch.matmul.
 * @throws ShapeError when the inner sizes differ or the batch shapes do not broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.matmul(b);
}
