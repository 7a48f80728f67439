import { kernels } from "@tapegrad/tensor";
import { Tensor } from "../tensor.js";
import { defineOp, fusedUnlessRecording, scratchGradient, type Op } from "../node.js";
import { constant } from "./operand.js";

/** −x */
export const neg = defineOp({
  name: "neg",
  rule: "∂x = −g",
  forward: ([x]) => kernels.neg(x!),
  vjp: (g) => [g.neg()],
});

/** eˣ */
export const exp = defineOp({
  name: "exp",
  rule: "∂x = g·y  (y = eˣ)",
  forward: ([x]) => kernels.exp(x!),
  vjp: (g, { output }) => [g.mul(output)],
});

/** ln x */
export const log = defineOp({
  name: "log",
  rule: "∂x = g / x",
  forward: ([x]) => kernels.log(x!),
  vjp: (g, { inputs: [x] }) => [g.div(x!)],
});

/** ln(1 + x), accurate for small x. */
export const log1p = defineOp({
  name: "log1p",
  rule: "∂x = g / (1 + x)",
  forward: ([x]) => kernels.map(x!, Math.log1p),
  vjp: (g, { inputs: [x] }) => [g.div(x!.add(1))],
});

/** √x */
export const sqrt = defineOp({
  name: "sqrt",
  rule: "∂x = g / (2y)  (y = √x)",
  forward: ([x]) => kernels.sqrt(x!),
  vjp: (g, { output }) => [g.div(output.mul(2))],
});

/** |x|; the gradient at 0 is 0, as in PyTorch. */
export const abs = defineOp({
  name: "abs",
  rule: "∂x = g·sign(x)",
  forward: ([x]) => kernels.abs(x!),
  vjp: (g, { inputs: [x] }) => [g.mul(constant(kernels.sign(x!.array)))],
});

/**
 * A VJP of the form f(g, y) with y the op's output, computed by one fused kernel: written
 * into g when the engine says g is scratch, else into a new array, or through the
 * differentiable `composite` while the backward is recorded. Kernel and composite compute
 * the same formula in the same order (tested bit for bit).
 */
function outputGradient(g: Tensor, output: Tensor, gradIsScratch: boolean, kernel: kernels.BinaryKernel, composite: () => Tensor): Tensor {
  if (gradIsScratch) return scratchGradient(new Tensor(kernel(g.array, output.array, g.array)));
  return fusedUnlessRecording(() => kernel(g.array, output.array), composite);
}

/** tanh x */
export const tanh = defineOp({
  name: "tanh",
  rule: "∂x = g·(1 − y²)  (y = tanh x)",
  forward: ([x]) => kernels.tanh(x!),
  vjp: (g, { output }, { gradIsScratch }) => [
    outputGradient(g, output, gradIsScratch, kernels.tanhBackward, () => g.mul(output.mul(output).neg().add(1))),
  ],
});

/** 1 / (1 + e⁻ˣ), finite for any input. */
export const sigmoid = defineOp({
  name: "sigmoid",
  rule: "∂x = g·y·(1 − y)  (y = σ(x))",
  forward: ([x]) => kernels.sigmoidKernel(x!),
  vjp: (g, { output }, { gradIsScratch }) => [
    outputGradient(g, output, gradIsScratch, kernels.sigmoidBackward, () => g.mul(output).mul(output.neg().add(1))),
  ],
});

/** g where the gate is positive, else 0: ReLU's VJP in one pass, itself differentiable in g. */
const passWherePositive: Op<undefined> = defineOp({
  name: "passWherePositive",
  rule: "∂g = g′·[gate > 0]",
  forward: ([g, gate]) => kernels.passWherePositive(g!, gate!),
  vjp: (g, { inputs: [, gate] }) => [passWherePositive([g, constant(gate!.array)], undefined), null],
});

/** max(x, 0); the gradient at 0 is 0, as in PyTorch. */
export const relu = defineOp({
  name: "relu",
  rule: "∂x = g·[x > 0]",
  forward: ([x]) => kernels.relu(x!),
  vjp: (g, { output }, { gradIsScratch }) => [
    outputGradient(g, output, gradIsScratch, kernels.passWherePositive, () => passWherePositive([g, constant(output.array)], undefined)),
  ],
});

/** sin x */
export const sin = defineOp({
  name: "sin",
  rule: "∂x = g·cos x",
  forward: ([x]) => kernels.map(x!, Math.sin),
  vjp: (g, { inputs: [x] }) => [g.mul(x!.cos())],
});

/** cos x */
export const cos = defineOp({
  name: "cos",
  rule: "∂x = −g·sin x",
  forward: ([x]) => kernels.map(x!, Math.cos),
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
  forward: ([x], { min, max }) => kernels.clamp(x!, min, max),
  vjp: (g, { inputs: [x], params: { min, max } }) => {
    const inside = kernels.map(x!.array, (v) => ((min === undefined || v >= min) && (max === undefined || v <= max) ? 1 : 0));
    return [g.mul(constant(inside))];
  },
});
