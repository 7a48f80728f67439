import { DataError, NDArray, checkOptions, kernels, optionalNumber } from "@tapegrad/tensor";
import { Tensor } from "../tensor.js";
import { defineOp, type Op, type Saves } from "../op.js";
import { constant } from "./operand.js";
import { sigmoidBackward } from "./unary.js";

// Activation functions, each with PyTorch's forward and backward formulas (so values and
// gradients agree to the last bits or nearly, kinks included). Their backward formulas
// are ops of their own, as PyTorch's *_backward: one kernel in a first backward, and a
// VJP of their own, written with differentiable ops, for gradients of gradients.

/** What a backward op (g, x) reads: x for ∂g, and g and x for ∂x. */
const backwardSaves = ([needsG, needsX]: readonly boolean[]): Saves => ({ inputs: needsX ? [0, 1] : needsG ? [1] : [] });
const input = (): Saves => ({ inputs: [0] });

/** Parameters of softplus: the sharpness β and the threshold above which β·x counts as linear. */
export interface SoftplusParams {
  readonly beta: number;
  readonly threshold: number;
}

/** g·σ(βx), or g where βx > threshold: softplus's backward as an op, differentiable in g and in x. */
export const softplusBackward: Op<SoftplusParams> = defineOp<SoftplusParams>({
  name: "softplusBackward",
  rule: "∂g = g′·σ(βx) (g′ where βx > threshold), ∂x = β·g′·g·σ(βx)·(1 − σ(βx)) where βx ≤ threshold",
  save: backwardSaves,
  forward: ([g, x], { beta, threshold }, { out }) => kernels.softplusBackward(g!, x!, beta, threshold, out),
  vjp: (gg, { inputs: [g, x], params, needsGrad }) => {
    const { beta, threshold } = params;
    if (!needsGrad[1]) return [softplusBackward([gg, x!], params), null];
    const belowThreshold = constant(kernels.le(kernels.mul(x!.array, kernels.scalar(beta)), kernels.scalar(threshold)));
    return [
      needsGrad[0] ? softplusBackward([gg, x!], params) : null,
      sigmoidBackward([gg.mul(g!).mul(belowThreshold), x!.mul(beta).sigmoid()], undefined).mul(beta),
    ];
  },
});

/** log(1 + e^(βx))/β, and x itself where βx > threshold, as torch.nn.functional.softplus. */
export const softplus = defineOp<SoftplusParams>({
  name: "softplus",
  rule: "∂x = g·σ(βx)  (g where βx > threshold)",
  save: input,
  forward: ([x], { beta, threshold }) => kernels.softplus(x!, beta, threshold),
  vjp: (g, { inputs: [x], params }, { ownsGrad }) => [softplusBackward([g, x!], params, ownsGrad ? g.array : undefined)],
});

/** GELU′′(x) in differentiable ops, for the VJP of geluBackward. */
function geluSecondDerivative(x: Tensor, approximate: kernels.GeluApproximation): Tensor {
  const square = x.mul(x);
  if (approximate === "none") {
    // (x·Φ(x))″ = φ(x)·(2 − x²), φ the standard normal density.
    return square.mul(-0.5).exp().mul(1 / Math.sqrt(2 * Math.PI)).mul(square.neg().add(2));
  }
  // f = ½x(1 + tanh u), u = k(x + c·x³): f″ = (1 − t²)·(u′ + ½x·(u″ − 2t·u′²)), t = tanh u.
  const k = Math.sqrt(2 / Math.PI);
  const c = 0.044715;
  const t = x.add(square.mul(x).mul(c)).mul(k).tanh();
  const du = square.mul(3 * c).add(1).mul(k);
  const d2u = x.mul(6 * k * c);
  return t.mul(t).neg().add(1).mul(du.add(x.mul(0.5).mul(d2u.sub(t.mul(2).mul(du.mul(du))))));
}

/**
 * g·GELU′(x): GELU's backward as an op (PyTorch's gelu_backward), differentiable in g and in
 * x. An optional third input, Φ(x) as gelu's forward kept it, spares the error function.
 */
export const geluBackward: Op<kernels.GeluApproximation> = defineOp<kernels.GeluApproximation>({
  name: "geluBackward",
  rule: "∂g = g′·GELU′(x), ∂x = g′·g·GELU″(x)",
  save: backwardSaves,
  nondifferentiable: [2],
  forward: ([g, x, cdf], approximate, { out }) => kernels.geluBackward(g!, x!, approximate, out, cdf),
  vjp: (gg, { inputs: [g, x], params, needsGrad }) => [
    needsGrad[0] ? geluBackward([gg, x!], params) : null,
    needsGrad[1] ? gg.mul(g!).mul(geluSecondDerivative(x!, params)) : null,
  ],
});

/** x·Φ(x), or its tanh approximation, as torch.nn.functional.gelu. */
export const gelu = defineOp<kernels.GeluApproximation>({
  name: "gelu",
  rule: "∂x = g·(Φ(x) + x·φ(x))  (tanh form: g·d/dx ½x(1 + tanh(√(2/π)(x + 0.044715x³))))",
  save: input,
  forward: ([x], approximate, context) => {
    if (!context.recording || approximate !== "none") return kernels.gelu(x!, approximate);
    // Φ(x) for the backward, which would otherwise compute the error function again.
    const cdf = NDArray.empty(x!.shape);
    const y = kernels.gelu(x!, approximate, cdf);
    context.keep(cdf);
    return y;
  },
  vjp: (g, { inputs: [x], params, kept }, { ownsGrad }) => [geluBackward(kept instanceof NDArray ? [g, x!, constant(kept)] : [g, x!], params, ownsGrad ? g.array : undefined)],
});

/** g where x > 0, else slope·g: leaky ReLU's backward as an op, linear in g; x gets no gradient. */
export const leakyReluBackward: Op<number> = defineOp<number>({
  name: "leakyReluBackward",
  rule: "∂g = g′·(x > 0 ? 1 : slope)",
  save: () => ({ inputs: [1] }),
  nondifferentiable: [1],
  forward: ([g, x], slope, { out }) => kernels.leakyReluBackward(g!, x!, slope, out),
  vjp: (gg, { inputs: [, x], params: slope }) => [leakyReluBackward([gg, x!], slope), null],
});

/** x where x > 0, else slope·x; at 0 the gradient takes the slope, as in PyTorch. */
export const leakyRelu = defineOp<number>({
  name: "leakyRelu",
  rule: "∂x = g·(x > 0 ? 1 : slope)",
  save: input,
  forward: ([x], slope) => kernels.leakyRelu(x!, slope),
  vjp: (g, { inputs: [x], params }, { ownsGrad }) => [leakyReluBackward([g, x!], params, ownsGrad ? g.array : undefined)],
});

/** g where x > 0, else g·α·eˣ: ELU's backward as an op, differentiable in g and in x. */
export const eluBackward: Op<number> = defineOp<number>({
  name: "eluBackward",
  rule: "∂g = g′·(x > 0 ? 1 : α·eˣ), ∂x = g′·g·α·eˣ where x ≤ 0",
  save: backwardSaves,
  forward: ([g, x], alpha, { out }) => kernels.eluBackward(g!, x!, alpha, out),
  vjp: (gg, { inputs: [g, x], params: alpha, needsGrad }) => {
    if (!needsGrad[1]) return [eluBackward([gg, x!], alpha), null];
    // eluBackward itself is g′·g·α·eˣ where x ≤ 0 and never evaluates eˣ elsewhere, so the mask cannot meet an overflow.
    const nonPositive = constant(kernels.le(x!.array, kernels.scalar(0)));
    return [needsGrad[0] ? eluBackward([gg, x!], alpha) : null, eluBackward([gg.mul(g!), x!], alpha).mul(nonPositive)];
  },
});

/** x where x > 0, else α·(eˣ − 1); at 0 the gradient is α (the negative side's), as in PyTorch. */
export const elu = defineOp<number>({
  name: "elu",
  rule: "∂x = g·(x > 0 ? 1 : α·eˣ)",
  save: input,
  forward: ([x], alpha) => kernels.elu(x!, alpha),
  vjp: (g, { inputs: [x], params }, { ownsGrad }) => [eluBackward([g, x!], params, ownsGrad ? g.array : undefined)],
});

/** g·σ(x)·(1 + x·(1 − σ(x))): SiLU's backward as an op, differentiable in g and in x. */
export const siluBackward: Op<undefined> = defineOp({
  name: "siluBackward",
  rule: "∂g = g′·σ(x)·(1 + x·(1 − σ(x))), ∂x = g′·g·σ(x)·(1 − σ(x))·(2 + x·(1 − 2σ(x)))",
  save: backwardSaves,
  forward: ([g, x], _, { out }) => kernels.siluBackward(g!, x!, out),
  vjp: (gg, { inputs: [g, x], needsGrad }) => {
    if (!needsGrad[1]) return [siluBackward([gg, x!], undefined), null];
    const s = x!.sigmoid();
    const second = gg.mul(g!).mul(x!.mul(s.mul(-2).add(1)).add(2));
    return [needsGrad[0] ? siluBackward([gg, x!], undefined) : null, sigmoidBackward([second, s], undefined)];
  },
});

/** x·σ(x) (SiLU, also called swish). */
export const silu = defineOp({
  name: "silu",
  rule: "∂x = g·σ(x)·(1 + x·(1 − σ(x)))",
  save: input,
  forward: ([x]) => kernels.silu(x!),
  vjp: (g, { inputs: [x] }, { ownsGrad }) => [siluBackward([g, x!], undefined, ownsGrad ? g.array : undefined)],
});

/** g·σ(−x): log σ's backward as an op, differentiable in g and in x. */
export const logSigmoidBackward: Op<undefined> = defineOp({
  name: "logSigmoidBackward",
  rule: "∂g = g′·σ(−x), ∂x = −g′·g·σ(x)·σ(−x)",
  save: backwardSaves,
  forward: ([g, x], _, { out }) => kernels.logSigmoidBackward(g!, x!, out),
  vjp: (gg, { inputs: [g, x], needsGrad }) => [
    needsGrad[0] ? logSigmoidBackward([gg, x!], undefined) : null,
    // σ(x)·σ(−x) = y·(1 − y) for y = σ(x): sigmoid's backward.
    needsGrad[1] ? sigmoidBackward([gg.mul(g!), x!.sigmoid()], undefined).neg() : null,
  ],
});

/** log σ(x) = −softplus(−x), finite for ±1000. */
export const logSigmoid = defineOp({
  name: "logSigmoid",
  rule: "∂x = g·σ(−x)",
  save: input,
  forward: ([x]) => kernels.logSigmoid(x!),
  vjp: (g, { inputs: [x] }, { ownsGrad }) => [logSigmoidBackward([g, x!], undefined, ownsGrad ? g.array : undefined)],
});

/** The activations methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface ActivationMethods {
  /**
   * log(1 + e^(βx))/β elementwise, and x itself where βx > threshold, as
   * torch.nn.functional.softplus; options `beta` (default 1) and `threshold` (default 20).
   * @throws DataError on an unknown option, a β that is 0 or not finite, or a threshold that is not a number.
   */
  softplus(options?: { readonly beta?: number; readonly threshold?: number }): Tensor;
  /**
   * GELU elementwise: x·Φ(x) with Φ the standard normal CDF, or ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
   * with `{ approximate: "tanh" }`, as torch.nn.functional.gelu (default "none", the exact form).
   * @throws DataError on an unknown option or an approximate other than "none" and "tanh".
   */
  gelu(options?: { readonly approximate?: "none" | "tanh" }): Tensor;
  /**
   * x where x > 0, else negativeSlope·x, as torch.nn.functional.leaky_relu; at 0 the gradient is negativeSlope.
   * @throws DataError when negativeSlope is not a finite number.
   */
  leakyRelu(negativeSlope?: number): Tensor;
  /**
   * x where x > 0, else α·(eˣ − 1), as torch.nn.functional.elu; at 0 the gradient is α.
   * @throws DataError when alpha is not a finite number.
   */
  elu(alpha?: number): Tensor;
  /** x·σ(x) elementwise (SiLU, swish), as torch.nn.functional.silu. */
  silu(): Tensor;
  /** log σ(x) elementwise, finite for any input (−softplus(−x)), as torch.nn.functional.logsigmoid. */
  logSigmoid(): Tensor;
}

Tensor.prototype.softplus = function (this: Tensor, options?: { readonly beta?: number; readonly threshold?: number }): Tensor {
  const o = checkOptions("softplus", options, ["beta", "threshold"]);
  const beta = optionalNumber("softplus", "beta", o.beta, 1, (v) => Number.isFinite(v) && v !== 0, "a finite non-zero number");
  const threshold = optionalNumber("softplus", "threshold", o.threshold, 20, () => true, "a number");
  return softplus([this], { beta, threshold });
};

Tensor.prototype.gelu = function (this: Tensor, options?: { readonly approximate?: "none" | "tanh" }): Tensor {
  const approximate = checkOptions("gelu", options, ["approximate"]).approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new DataError(`gelu: approximate must be "none" or "tanh", got ${typeof approximate === "string" ? JSON.stringify(approximate) : String(approximate)}`);
  }
  return gelu([this], approximate);
};

Tensor.prototype.leakyRelu = function (this: Tensor, negativeSlope?: number): Tensor {
  return leakyRelu([this], optionalNumber("leakyRelu", "negativeSlope", negativeSlope, 0.01));
};

Tensor.prototype.elu = function (this: Tensor, alpha?: number): Tensor {
  return elu([this], optionalNumber("elu", "alpha", alpha, 1));
};

Tensor.prototype.silu = function (this: Tensor): Tensor {
  return silu([this], undefined);
};

Tensor.prototype.logSigmoid = function (this: Tensor): Tensor {
  return logSigmoid([this], undefined);
};
