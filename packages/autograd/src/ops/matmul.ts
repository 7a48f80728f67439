import { kernels, sizeOf } from "@tapegrad/tensor";
import { defineOp, savesOther } from "../op.js";
import { Tensor } from "../tensor.js";
import { toTensor } from "./operand.js";

/**
 * Matrix product with PyTorch's 1-D and batched-broadcast rules. The VJP works on the
 * operands promoted to matrices: the dimensions a 1-D operand dropped are put back on g
 * first, and the engine sums batch broadcasting away.
 */
export const matmul = defineOp({
  name: "matmul",
  rule: "∂A = G·Bᵀ, ∂B = Aᵀ·G",
  save: savesOther,
  forward: ([a, b]) => kernels.matmul(a!, b!),
  vjp: (g, { inputs: [a, b], inputShapes: [shapeA, shapeB], needsGrad }) => {
    const vectorA = shapeA!.length === 1;
    const vectorB = shapeB!.length === 1;
    let g2 = g;
    if (vectorB) g2 = g2.unsqueeze(-1);
    if (vectorA) g2 = g2.unsqueeze(g2.ndim - 1);
    let ga = needsGrad[0] ? g2.matmul((vectorB ? b!.unsqueeze(1) : b!).transpose(-1, -2)) : null;
    let gb = needsGrad[1] ? (vectorA ? a!.unsqueeze(0) : a!).transpose(-1, -2).matmul(g2) : null;
    if (ga && vectorA) ga = ga.squeeze(-2);
    if (gb && vectorB) gb = gb.squeeze(-1);
    return [ga, gb];
  },
});

/**
 * y = x·Wᵀ + b as one op (a dense layer's forward): one GEMM instead of a transpose, a
 * matmul and a broadcast add, and a VJP that reads like the tutorials' formulas.
 */
export const linearOp = defineOp({
  name: "linear",
  rule: "∂x = G·W, ∂W = Gᵀ·x, ∂b = Σ_rows G",
  save: savesOther,
  forward: ([x, w, b]) => kernels.linear(x!, w!, b),
  vjp: (g, { inputs: [x, w], inputShapes: [, shapeW], needsGrad }) => {
    const [out, features] = shapeW as [number, number];
    // Rows counted rather than inferred with -1, which is ambiguous when out or features is 0.
    const rows = sizeOf(g.shape.slice(0, -1));
    const g2 = g.reshape(rows, out);
    return [
      needsGrad[0] ? g.matmul(w!) : null,
      needsGrad[1] ? g2.t().matmul(x!.reshape(rows, features)) : null,
      needsGrad[2] ? g2.sum(0) : null,
    ];
  },
});

/**
 * A dense layer's forward, y = x·Wᵀ + b, as one op (torch.nn.functional.linear):
 * `[…, in]`, weight `[out, in]`, bias `[out]` → `[…, out]`.
 * @throws ShapeError when the sizes do not fit.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inputs = [toTensor(x, "linear"), toTensor(weight, "linear")];
  if (bias !== undefined && bias !== null) inputs.push(toTensor(bias, "linear"));
  return linearOp(inputs, undefined);
}

/** The matmul methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
export interface MatmulMethods {
  /**
   * Matrix product with PyTorch's rules for 1-D and batched operands:
   * `[m,k] @ [k,n] → [m,n]`, `[…,m,k] @ […,k,n] → […,m,n]`.
   * @throws ShapeError when inner sizes differ or batch shapes do not broadcast.
   */
  matmul(other: Tensor): Tensor;
}

Tensor.prototype.matmul = function (this: Tensor, other: Tensor): Tensor {
  return matmul([this, toTensor(other, "matmul")], undefined);
};
