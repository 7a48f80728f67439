// The convnet's backward formulas as plain loops over the definitions, independent of the
// library's unfold + GEMM kernels, for explain's digits check. They cover the layers as
// the digits cnn preset builds them (stride 1, no padding; pooling windows side by side).
import { Tensor, tensor } from "@tapegrad/autograd";

/** The gradients of a convolution `Z = W ⋆ A + b`. */
export interface ConvGradients {
  /** ∂W `[O, C, kH, kW]`. */
  weight: Tensor;
  /** ∂b `[O]`. */
  bias: Tensor;
  /** ∂A `[N, C, H, W]`. */
  input: Tensor;
}

/**
 * The gradients of a stride-1, unpadded 2-d convolution (a cross-correlation, as PyTorch's),
 * from the gradient `dZ` `[N, O, H−kH+1, W−kW+1]` at its output, its input `A` `[N, C, H, W]`
 * and its weight `W` `[O, C, kH, kW]`:
 * dW[o,c,i,j] = Σ_{n,y,x} dZ[n,o,y,x]·A[n,c,y+i,x+j], db[o] = Σ_{n,y,x} dZ[n,o,y,x],
 * dA[n,c,y+i,x+j] += Σ_o dZ[n,o,y,x]·W[o,c,i,j].
 */
export function conv2dBackwardByHand(dZ: Tensor, A: Tensor, W: Tensor): ConvGradients {
  const [N, C, H, Wd] = A.shape as [number, number, number, number];
  const [O, , kH, kW] = W.shape as [number, number, number, number];
  const oH = H - kH + 1;
  const oW = Wd - kW + 1;
  const g = dZ.toFloat64Array();
  const a = A.toFloat64Array();
  const w = W.toFloat64Array();
  const dW = new Float64Array(w.length);
  const db = new Float64Array(O);
  const dA = new Float64Array(a.length);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let y = 0; y < oH; y++) {
        for (let x = 0; x < oW; x++) {
          const gz = g[((n * O + o) * oH + y) * oW + x]!;
          db[o] += gz;
          for (let c = 0; c < C; c++) {
            for (let i = 0; i < kH; i++) {
              for (let j = 0; j < kW; j++) {
                const at = ((n * C + c) * H + y + i) * Wd + x + j;
                const tap = ((o * C + c) * kH + i) * kW + j;
                dW[tap] += gz * a[at]!;
                dA[at] += gz * w[tap]!;
              }
            }
          }
        }
      }
    }
  }
  return { weight: tensor(dW, { shape: [...W.shape] }), bias: tensor(db, { shape: [O] }), input: tensor(dA, { shape: [...A.shape] }) };
}

/**
 * The gradient of max pooling with square `size`×`size` windows side by side (stride =
 * size, no padding), from `dP` `[N, C, H/size, W/size]` and the pooling's input `A`
 * `[N, C, H, W]`: each window's gradient goes to its maximum, the first in row-major order
 * on ties, as the pooling op's VJP does; every other position gets 0.
 */
export function maxPool2dBackwardByHand(dP: Tensor, A: Tensor, size: number): Tensor {
  const [N, C, H, W] = A.shape as [number, number, number, number];
  const oH = Math.floor(H / size);
  const oW = Math.floor(W / size);
  const g = dP.toFloat64Array();
  const a = A.toFloat64Array();
  const dA = new Float64Array(a.length);
  for (let plane = 0; plane < N * C; plane++) {
    for (let y = 0; y < oH; y++) {
      for (let x = 0; x < oW; x++) {
        let best = -1;
        for (let i = 0; i < size; i++) {
          for (let j = 0; j < size; j++) {
            const at = (plane * H + y * size + i) * W + x * size + j;
            if (best < 0 || a[at]! > a[best]!) best = at;
          }
        }
        dA[best] += g[(plane * oH + y) * oW + x]!;
      }
    }
  }
  return tensor(dA, { shape: [...A.shape] });
}
