import { DataError, NDArray, checkBoolean, checkOptions, kernels, normalizeDim, normalizeDims, optionalNumber } from "@tapegrad/tensor";
import { defineOp, type Op } from "../op.js";
import { Tensor } from "../tensor.js";
import { constant } from "./operand.js";
import { readKeepdim, reduceParams, restoreDims, type KeepdimArg, type ReduceParams } from "./reduce.js";

/** Number of values each output element of a reduction over `dims` combines. */
const countOf = (shape: readonly number[], dims: readonly number[]): number => dims.reduce((n, d) => n * shape[d]!, 1);

/** 0/1 masks of where an array is 0 and where it is not, as constants. */
function zeroMasks(a: NDArray): { zero: Tensor; nonzero: Tensor } {
  return { zero: constant(kernels.map(a, (v) => +(v === 0))), nonzero: constant(kernels.map(a, (v) => +(v !== 0))) };
}

/** sign(x) with sign(NaN) = 0, as torch.sgn on CPU: NaN inputs get no gradient through |x|. */
const signOf = (x: Tensor): Tensor => constant(kernels.map(x.array, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0)));

// ——— variance and standard deviation ———

/** Dimensions, keepdim and the correction (n − correction divides Σ(x − mean)²). */
export interface VarianceParams extends ReduceParams {
  readonly correction: number;
}

/**
 * ∂x = g·2(x − mean)/(n − c), g with the reduced dims restored. At n = c the factor is ∞
 * (∞ or NaN where x = mean) and below it negative, both as torch's var_backward with a dim.
 */
function varianceGradient(g: Tensor, x: Tensor, { dims, correction }: VarianceParams): Tensor {
  const dof = countOf(x.shape, dims) - correction;
  return g.mul(2 / dof).mul(x.sub(x.mean([...dims], true)));
}

/** Σ(x − mean)² / max(0, n − correction) over dims. */
export const variance = defineOp<VarianceParams>({
  name: "var",
  rule: "∂x = g·2(x − mean)/(n − correction)",
  save: () => ({ inputs: [0] }),
  forward: ([x], { dims, correction, keepdim }) => kernels.variance(x!, dims, correction, keepdim),
  vjp: (g, { inputs: [x], params }) => [varianceGradient(restoreDims(g, x!.shape, params), x!, params)],
});

/** √var over dims. */
export const std = defineOp<VarianceParams>({
  name: "std",
  rule: "∂x = g/(2σ)·2(x − mean)/(n − correction), 0 where σ = 0",
  save: () => ({ inputs: [0], output: true }),
  forward: ([x], { dims, correction, keepdim }) => kernels.std(x!, dims, correction, keepdim),
  vjp: (g, { inputs: [x], output, params }) => {
    const sigma = restoreDims(output, x!.shape, params);
    // g/(2σ) with 0 where σ = 0, as PyTorch's masked_fill; the shifted denominator keeps
    // the masked entries finite, so the gradient of this gradient has no NaN either.
    const { zero, nonzero } = zeroMasks(sigma.array);
    const scaled = restoreDims(g, x!.shape, params).div(sigma.mul(2).add(zero)).mul(nonzero);
    return [varianceGradient(scaled, x!, params)];
  },
});

function varianceParams(op: "var" | "std", dim: number | readonly number[] | undefined, options: VarianceOptions | undefined, ndim: number): VarianceParams {
  if (typeof options === "boolean") {
    throw new DataError(`${op}: the second argument is an options object { correction, keepdim }, got ${options} (PyTorch's positional unbiased=${options ? "True" : "False"} is { correction: ${options ? 1 : 0} })`);
  }
  const { correction, keepdim } = checkOptions(op, options, ["correction", "keepdim"]);
  return {
    dims: normalizeDims(dim, ndim, op),
    keepdim: checkBoolean(op, "keepdim", keepdim, false),
    correction: optionalNumber(op, "correction", correction, 1, Number.isInteger, "an integer"),
  };
}

// ——— norms ———

/** Dimensions, keepdim and the order p of the norm. */
export interface NormParams extends ReduceParams {
  readonly p: number;
}

/**
 * The gradient of the p-norm for p ∉ {0, 1}, as PyTorch's norm_backward: g·x·|x|^(p−2) /
 * ‖x‖^(p−1) and its relatives per p; g and the norm come with the reduced dims restored.
 */
function normGradient(g: Tensor, x: Tensor, norm: Tensor, { p, dims }: NormParams): Tensor {
  if (p === Infinity || p === -Infinity) {
    // The gradient goes to the values whose |x| is the norm, shared among ties (and NaNs).
    const hits = kernels.zip(kernels.abs(x.array), norm.array, (a, n) => +(a === n || a !== a), "norm");
    return g.mul(constant(kernels.div(kernels.mul(hits, signOf(x).array), kernels.sum(hits, dims, true))));
  }
  // ‖x‖ = 0 means x = 0 in the slice: PyTorch gives 0 there. Shifting the zero norms to 1
  // keeps those entries finite (x·… = 0), and the gradient of this gradient free of NaN.
  const { zero: zeroNorm } = zeroMasks(norm.array);
  if (p === 2) return g.mul(x).div(norm.add(zeroNorm));
  if (p < 1) {
    // sign(x)·|x|^(p−1) is ∞ at x = 0: PyTorch sets it to 0 there.
    const { zero, nonzero } = zeroMasks(x.array);
    const power = x.abs().add(zero).pow(p - 1).mul(nonzero).mul(signOf(x));
    return power.mul(g).mul(norm.pow(1 - p));
  }
  const scale = g.div(norm.pow(p - 1).add(zeroNorm));
  const power = p < 2 ? x.abs().pow(p - 1).mul(signOf(x)) : x.mul(x.abs().pow(p - 2));
  return power.mul(scale);
}

/** The vector p-norm over dims, as torch.linalg.vector_norm. */
export const norm = defineOp<NormParams>({
  name: "norm",
  rule: "∂x = g·sign(x)·|x|^(p−1) / ‖x‖^(p−1)  (p = 2: g·x/‖x‖, 0 at ‖x‖ = 0; p = ∞: g·sign(x) shared among the largest |x|)",
  save: (_, { p }) => (p === 0 ? {} : p === 1 ? { inputs: [0] } : { inputs: [0], output: true }),
  forward: ([x], { p, dims, keepdim }) => kernels.vectorNorm(x!, p, dims, keepdim),
  vjp: (g, context) => {
    const { params, inputShapes } = context;
    // p = 0 counts nonzero values: piecewise constant, so no gradient at all, as in PyTorch.
    if (params.p === 0) return [null];
    const x = context.inputs[0]!;
    const grad = restoreDims(g, inputShapes[0]!, params);
    if (params.p === 1) return [grad.mul(signOf(x))];
    return [normGradient(grad, x, restoreDims(context.output, inputShapes[0]!, params), params)];
  },
});

// ——— product ———

/** The dims of a slice (all of them for prod over everything) in the input's rank. */
export interface SliceParams {
  readonly dims: readonly number[];
}

/**
 * t rearranged as [..., n] slices: the kept dims first, the slice dims moved last and
 * flattened into one; `back` undoes it for a tensor of the same layout.
 */
function asSlices(t: Tensor, dims: readonly number[]): { slices: Tensor; back: (s: Tensor) => Tensor } {
  const kept = t.shape.flatMap((_, d) => (dims.includes(d) ? [] : [d]));
  const order = [...kept, ...dims];
  const inverse = order.map((_, d) => order.indexOf(d));
  const keptSizes = kept.map((d) => t.shape[d]!);
  const sliceSizes = dims.map((d) => t.shape[d]!);
  const slices = t.permute(order).reshape([...keptSizes, countOf(t.shape, dims)]);
  return { slices, back: (s) => s.reshape([...keptSizes, ...sliceSizes]).permute(inverse) };
}

/**
 * g·Π_{j≠i} xⱼ over slices along dims, g broadcast to x: prod's VJP as an op of its own, so
 * the zero-safe prefix·suffix kernel runs once per backward and its own VJP gives second
 * derivatives with zeros in a slice.
 */
export const prodBackward: Op<SliceParams> = defineOp<SliceParams>({
  name: "prodBackward",
  rule: "∂g = g′·Π_{j≠i} xⱼ, ∂xₖ = Σ_{i≠k} g′ᵢ·gᵢ·Π_{j∉{i,k}} xⱼ",
  save: ([, needsX]) => ({ inputs: needsX ? [0, 1] : [1] }),
  forward: ([g, x], { dims }) => kernels.prodExcluding(g!, x!, dims),
  vjp: (gg, { inputs: [g, x], needsGrad, params: { dims } }) => {
    const dg = needsGrad[0] ? prodBackward([gg, x!], { dims }) : null;
    if (!needsGrad[1]) return [dg, null];
    // Row k of M is the slice with xₖ replaced by 1, and row k of W the weights gg·g with
    // the k-th set to 0: then Σᵢ Wₖᵢ·Π_{j≠i} Mₖⱼ = Σ_{i≠k} wᵢ·Π_{j∉{i,k}} xⱼ.
    const { slices: xs, back } = asSlices(x!, dims);
    const { slices: ws } = asSlices(gg.mul(g!), dims);
    const n = xs.shape[xs.ndim - 1]!;
    const eye = constant(NDArray.eye(n));
    const offDiagonal = constant(kernels.map(NDArray.eye(n), (v) => 1 - v));
    const m = xs.unsqueeze(-2).mul(offDiagonal).add(eye);
    const w = ws.unsqueeze(-2).mul(offDiagonal);
    const dx = prodBackward([w, m], { dims: [m.ndim - 1] }).sum(-1);
    return [dg, back(dx)];
  },
});

/** Product over dims. */
export const prod = defineOp<ReduceParams>({
  name: "prod",
  rule: "∂x = g·Π_{j≠i} xⱼ  (prefix·suffix products: no division, exact with zeros)",
  save: () => ({ inputs: [0] }),
  forward: ([x], { dims, keepdim }) => kernels.prod(x!, dims, keepdim),
  vjp: (g, { inputs: [x], params }) => [prodBackward([restoreDims(g, x!.shape, params), x!], { dims: params.dims })],
});

// ——— cumulative sum ———

/** The dimension of a cumulative sum, and its direction (reverse: from the end, cumsum's VJP). */
export interface CumsumParams {
  readonly dim: number;
  readonly reverse: boolean;
}

/** Running sum along dim (from the end with reverse). */
export const cumsum: Op<CumsumParams> = defineOp<CumsumParams>({
  name: "cumsum",
  rule: "∂x = reverse-cumsum(g) along dim  (ᵢ = Σ_{j≥i} gⱼ)",
  save: () => ({}),
  forward: ([x], { dim, reverse }) => kernels.cumsum(x!, dim, reverse),
  vjp: (g, { params: { dim, reverse } }) => [cumsum([g], { dim, reverse: !reverse })],
});

// ——— any and all ———

/** 1 where some value over dims is nonzero. */
export const any = defineOp<ReduceParams>({
  name: "any",
  rule: "no gradient: a truth value is piecewise constant",
  forward: ([x], { dims, keepdim }) => kernels.any(x!, dims, keepdim),
  vjp: null,
});

/** 1 where every value over dims is nonzero. */
export const all = defineOp<ReduceParams>({
  name: "all",
  rule: "no gradient: a truth value is piecewise constant",
  forward: ([x], { dims, keepdim }) => kernels.all(x!, dims, keepdim),
  vjp: null,
});

/** Keyword options of var and std. */
export interface VarianceOptions {
  /** What n − correction divides by: 1 (default) is the unbiased estimate, 0 the population variance. */
  readonly correction?: number;
  /** Keep the reduced dimensions as size 1. */
  readonly keepdim?: boolean;
}

/** The statistics methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface StatisticsMethods {
  /**
   * Variance over `dim` (all by default), Σ(x − mean)² / (n − correction), as torch.var.
   * When n − correction ≤ 0 the result is ∞, or NaN where the values are all equal, as in
   * PyTorch. `[..., n, ...] → [..., ...]` (kept as 1 with keepdim).
   * @throws ShapeError on an invalid dim; DataError on a correction that is not an
   *   integer, an unknown option, or a boolean in place of the options.
   */
  var(dim?: number | readonly number[], options?: VarianceOptions): Tensor;
  /**
   * Standard deviation over `dim` (all by default), √var, as torch.std; the gradient where
   * it is 0 is 0, as in PyTorch.
   * @throws ShapeError on an invalid dim; DataError on bad options (see var).
   */
  std(dim?: number | readonly number[], options?: VarianceOptions): Tensor;
  /**
   * The vector p-norm over `dim` (all by default), (Σ|x|ᵖ)^(1/p), as torch.linalg.vector_norm
   * and Tensor.norm with a number: p = ∞ is max|x|, −∞ min|x|, 0 the number of nonzero
   * values (no gradient). The gradient at a zero vector is 0.
   * @throws DataError when p is not a number; ShapeError on an invalid dim.
   */
  norm(p?: number, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /**
   * Product over `dim` (all by default), as torch.prod; the gradient is exact with zeros in
   * a slice. `[..., n, ...] → [..., ...]`.
   * @throws ShapeError on an invalid dim.
   */
  prod(dim?: number, keepdim?: KeepdimArg): Tensor;
  /**
   * Running sum along `dim`, as torch.cumsum: yᵢ = Σ_{j≤i} xⱼ, same shape as the input.
   * @throws ShapeError on an invalid dim.
   */
  cumsum(dim: number): Tensor;
  /**
   * 1 where some value over `dim` (all by default) is nonzero, else 0 (NaN counts as
   * nonzero), as torch.any; no gradient.
   * @throws ShapeError on an invalid dim.
   */
  any(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
  /**
   * 1 where every value over `dim` (all by default) is nonzero, else 0, as torch.all; no
   * gradient.
   * @throws ShapeError on an invalid dim.
   */
  all(dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor;
}

Tensor.prototype.var = function (this: Tensor, dim?: number | readonly number[], options?: VarianceOptions): Tensor {
  return variance([this], varianceParams("var", dim, options, this.ndim));
};

Tensor.prototype.std = function (this: Tensor, dim?: number | readonly number[], options?: VarianceOptions): Tensor {
  return std([this], varianceParams("std", dim, options, this.ndim));
};

Tensor.prototype.norm = function (this: Tensor, p = 2, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  if (typeof p !== "number" || Number.isNaN(p)) throw new DataError(`norm: p must be a number (2, 1, Infinity, …), got ${typeof p === "string" ? JSON.stringify(p) : String(p)}`);
  return norm([this], { ...reduceParams(dim, keepdim, this.ndim, "norm"), p });
};

Tensor.prototype.prod = function (this: Tensor, dim?: number, keepdim?: KeepdimArg): Tensor {
  if (dim !== undefined) normalizeDim(dim, this.ndim, "prod");
  return prod([this], { dims: normalizeDims(dim, this.ndim, "prod"), keepdim: readKeepdim("prod", keepdim) });
};

Tensor.prototype.cumsum = function (this: Tensor, dim: number): Tensor {
  return cumsum([this], { dim: normalizeDim(dim, this.ndim, "cumsum"), reverse: false });
};

Tensor.prototype.any = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return any([this], reduceParams(dim, keepdim, this.ndim, "any"));
};

Tensor.prototype.all = function (this: Tensor, dim?: number | readonly number[], keepdim?: KeepdimArg): Tensor {
  return all([this], reduceParams(dim, keepdim, this.ndim, "all"));
};
