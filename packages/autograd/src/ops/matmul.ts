import { kernels } from "@tapegrad/tensor";
import { defineOp, scratchGradient } from "../node.js";

/**
 * Matrix product with PyTorch's 1-D and batched-broadcast rules. The VJP works on the
 * operands promoted to matrices: the dimensions a 1-D operand dropped are put back on g
 * first, and the engine sums batch broadcasting away.
 */
export const matmul = defineOp({
  name: "matmul",
  rule: "∂A = G·Bᵀ, ∂B = Aᵀ·G",
  forward: ([a, b]) => kernels.matmul(a!, b!),
  vjp: (g, { inputs: [a, b], needsGrad }) => {
    const a2 = a!.ndim === 1 ? a!.unsqueeze(0) : a!;
    const b2 = b!.ndim === 1 ? b!.unsqueeze(1) : b!;
    let g2 = g;
    if (b!.ndim === 1) g2 = g2.unsqueeze(-1);
    if (a!.ndim === 1) g2 = g2.unsqueeze(g2.ndim - 1);
    let ga = needsGrad[0] ? g2.matmul(b2.transpose(-1, -2)) : null;
    let gb = needsGrad[1] ? a2.transpose(-1, -2).matmul(g2) : null;
    if (ga && a!.ndim === 1) ga = ga.squeeze(-2);
    if (gb && b!.ndim === 1) gb = gb.squeeze(-1);
    return [ga && scratchGradient(ga), gb && scratchGradient(gb)];
  },
});

/**
 * y = x·Wᵀ + b as one op (a dense layer's forward): one GEMM instead of a transpose, a
 * matmul and a broadcast add, and a VJP that reads like the tutorials' formulas.
 */
export const linearOp = defineOp({
  name: "linear",
  rule: "∂x = G·W, ∂W = Gᵀ·x, ∂b = Σ_rows G",
  forward: ([x, w, b]) => kernels.linear(x!, w!, b),
  vjp: (g, { inputs: [x, w], needsGrad }) => {
    const out = w!.shape[0]!;
    const g2 = g.reshape(-1, out);
    return [
      needsGrad[0] ? scratchGradient(g.matmul(w!)) : null,
      needsGrad[1] ? g2.t().matmul(x!.reshape(-1, w!.shape[1]!)) : null,
      needsGrad[2] ? g2.sum(0) : null,
    ];
  },
});
