import { kernels, sizeOf } from "@tapegrad/tensor";
import { defineOp, savesOther } from "../op.js";
import { isGradEnabled } from "../modes.js";
import { Tensor } from "../tensor.js";
import { toTensor } from "./operand.js";
import { reluBackward } from "./unary.js";

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

/** linear's VJP from the gradient of its output: `[∂x, ∂W, ∂b]` for the inputs that need one. */
function linearGrads(g: Tensor, x: Tensor | undefined, w: Tensor | undefined, shapeW: readonly number[], needsGrad: readonly boolean[]): (Tensor | null)[] {
  const [out, features] = shapeW as [number, number];
  // Rows counted rather than inferred with -1, which is ambiguous when out or features is 0.
  const rows = sizeOf(g.shape.slice(0, -1));
  const g2 = g.reshape(rows, out);
  return [
    needsGrad[0] ? g.matmul(w!) : null,
    needsGrad[1] ? g2.t().matmul(x!.reshape(rows, features)) : null,
    needsGrad[2] ? g2.sum(0) : null,
  ];
}

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
    // A plain backward (grad mode off) takes all three gradients from one kernel call that
    // reads g once; it equals the composite below bit for bit.
    if (!isGradEnabled()) {
      const fused = kernels.linearBackward(g.array, x?.array, w?.array, shapeW!, needsGrad);
      if (fused) return fusedGrads(fused, needsGrad.length);
    }
    return linearGrads(g, x, w, shapeW!, needsGrad);
  },
});

/** A fused kernel's gradients as the VJP's list, one entry per input. */
function fusedGrads(fused: kernels.LinearGradients, inputs: number): (Tensor | null)[] {
  return [fused.input, fused.weight, fused.bias].slice(0, inputs).map((a) => (a ? new Tensor(a) : null));
}

/**
 * y = max(x·Wᵀ + b, 0) as one op (a dense layer then ReLU): the GEMM applies ReLU as it
 * stores, which saves a pass over the activations and their memory. Values and gradients
 * equal linear then relu bit for bit: the VJP is relu's (through the output, as relu
 * saves it) followed by linear's.
 */
export const linearReluOp = defineOp({
  name: "linearRelu",
  rule: "∂z = G·[y > 0]; ∂x = ∂z·W, ∂W = ∂zᵀ·x, ∂b = Σ_rows ∂z",
  save: (needsGrad) => ({ ...savesOther(needsGrad), output: true }),
  forward: ([x, w, b]) => kernels.linearRelu(x!, w!, b),
  vjp: (g, { inputs: [x, w], output, inputShapes: [, shapeW], needsGrad }, { ownsGrad }) => {
    // A plain backward (grad mode off) takes all three gradients from one kernel call that
    // keeps ∂z in WebAssembly memory; it equals the composite below bit for bit.
    if (!isGradEnabled()) {
      const fused = kernels.linearReluBackward(g.array, output!.array, x?.array, w?.array, shapeW!, needsGrad);
      if (fused) return fusedGrads(fused, needsGrad.length);
    }
    const gz = reluBackward([g, output!], undefined, ownsGrad ? g.array : undefined);
    return linearGrads(gz, x, w, shapeW!, needsGrad);
  },
});

function denseInputs(op: string, x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor[] {
  const inputs = [toTensor(x, op), toTensor(weight, op)];
  if (bias !== undefined && bias !== null) inputs.push(toTensor(bias, op));
  return inputs;
}

/**
 * A dense layer's forward, y = x·Wᵀ + b, as one op (torch.nn.functional.linear):
 * `[…, in]`, weight `[out, in]`, bias `[out]` → `[…, out]`.
 * @throws ShapeError when the sizes do not fit.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearOp(denseInputs("linear", x, weight, bias), undefined);
}

/**
 * A dense layer followed by ReLU, y = max(x·Wᵀ + b, 0), as one op: equal to
 * `linear(x, weight, bias).relu()` bit for bit, values and gradients, but one pass over
 * the activations instead of two, and a backward that applies ReLU's mask inside the GEMM
 * kernel's memory. One node in the graph (nn's Sequential keeps Dense and ReLU apart, so
 * traces show both). `[…, in]`, weight `[out, in]`, bias `[out]` → `[…, out]`.
 * @throws ShapeError when the sizes do not fit.
 */
export function linearRelu(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linearReluOp(denseInputs("linearRelu", x, weight, bias), undefined);
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
