import { conv2d, fold, unfold, type Tensor } from "@tapegrad/autograd";
import { conv2dInputGradOp, conv2dWeightGradOp, unfoldOp, type ConvGeometry } from "../../src/ops/conv.js";
import type { OpInfo } from "../op-info-kit.js";

/** Geometries of the gradient ops' samples, with the input size each belongs to. */
const plain: ConvGeometry = { kernelSize: [2, 3], dilation: [1, 1], stride: [1, 1], padding: [0, 0], blocks: [3, 3], groups: 1 }; // input [4, 5]
const strided: ConvGeometry = { kernelSize: [3, 3], dilation: [1, 2], stride: [2, 1], padding: [1, 2], blocks: [3, 4], groups: 2 }; // input [5, 4]
const padded: ConvGeometry = { kernelSize: [2, 1], dilation: [1, 1], stride: [1, 1], padding: [2, 1], blocks: [6, 6], groups: 1 }; // input [3, 4]
const inputGrad = (geometry: ConvGeometry, inputSize: [number, number]) => (g: Tensor, w: Tensor) => conv2dInputGradOp([g, w], { ...geometry, inputSize });
const weightGrad = (geometry: ConvGeometry) => (g: Tensor, x: Tensor) => conv2dWeightGradOp([g, x], geometry);

// unfold and fold are linear and each other's VJP: gradcheck of one runs the other's kernel,
// and the second-order check runs the first again. The samples cover square and non-square
// kernels, padding, stride, dilation, and (through the op itself) the asymmetric padding of
// a convolution with padding 'same' and an even kernel. The convolution's three ops
// (conv2d and its input and weight gradients) are bilinear: each one's VJP runs the other
// two, so their gradchecks cover one another; samples include groups, stride, dilation,
// padding, no bias, and a 1×1 kernel.

/** Entries of the conv ops (see op-info-kit.ts for what an entry says). */
export const convInfos: readonly OpInfo[] = [
  {
    name: "unfold",
    call: (x) => unfold(x!, [2, 3]),
    samples: [
      { shapes: [[2, 2, 4, 5]] },
      { shapes: [[1, 3, 5, 5]], call: (x) => unfold(x!, 3, { padding: 1, stride: 2 }) },
      { shapes: [[1, 2, 6, 5]], call: (x) => unfold(x!, 2, { dilation: [2, 1], padding: [1, 0], stride: [1, 2] }) },
      // padding 'same' for a 2×2 kernel on 3×4: one zero after, none before.
      {
        shapes: [[1, 2, 3, 4]],
        call: (x) => unfoldOp([x!], { kernelSize: [2, 2], dilation: [1, 1], stride: [1, 1], padding: [0, 0], blocks: [3, 4] }),
      },
    ],
    zeroSize: [
      { shapes: [[0, 2, 4, 4]], call: (x) => unfold(x!, 2), output: [0, 8, 9] },
      { shapes: [[2, 0, 3, 3]], call: (x) => unfold(x!, 2), output: [2, 0, 4] },
    ],
    differentiable: [true],
    hasDerivative: true,
  },
  {
    name: "fold",
    call: (c) => fold(c!, [4, 5], [2, 3]),
    samples: [
      { shapes: [[2, 12, 9]] },
      { shapes: [[1, 18, 9]], call: (c) => fold(c!, 5, 3, { padding: 1, stride: 2 }) },
      { shapes: [[1, 8, 12]], call: (c) => fold(c!, [6, 5], 2, { dilation: [2, 1], padding: [1, 0], stride: [1, 2] }) },
    ],
    zeroSize: [
      { shapes: [[0, 4, 9]], call: (c) => fold(c!, [4, 4], 2), output: [0, 1, 4, 4] },
      { shapes: [[2, 0, 9]], call: (c) => fold(c!, [4, 4], 2), output: [2, 0, 4, 4] },
    ],
    differentiable: [true],
    hasDerivative: true,
  },
  {
    name: "conv2d",
    call: (x, w, b) => conv2d(x!, w!, b),
    samples: [
      { shapes: [[2, 2, 4, 5], [3, 2, 2, 3], [3]] },
      { shapes: [[1, 4, 5, 4], [4, 2, 3, 3], [4]], call: (x, w, b) => conv2d(x!, w!, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }) },
      { shapes: [[2, 2, 4, 4], [2, 2, 2, 2]], call: (x, w) => conv2d(x!, w!, null, { padding: "same" }) },
      { shapes: [[1, 3, 3, 2], [2, 3, 1, 1], [2]] },
    ],
    zeroSize: [
      { shapes: [[0, 2, 4, 5], [3, 2, 2, 3], [3]], output: [0, 3, 3, 3] },
      { shapes: [[2, 0, 4, 5], [3, 0, 2, 3], [3]], output: [2, 3, 3, 3] },
      { shapes: [[2, 2, 4, 5], [0, 2, 2, 3], [0]], output: [2, 0, 3, 3] },
    ],
    differentiable: [true, true, true],
    hasDerivative: true,
  },
  {
    name: "conv2dInputGrad",
    call: inputGrad(plain, [4, 5]),
    samples: [
      { shapes: [[2, 3, 3, 3], [3, 2, 2, 3]] },
      { shapes: [[1, 4, 3, 4], [4, 2, 3, 3]], call: inputGrad(strided, [5, 4]) },
      // Padding beyond the kernel's reach: folded on the wide grid rather than convolved.
      { shapes: [[2, 3, 6, 6], [3, 2, 2, 1]], call: inputGrad(padded, [3, 4]) },
    ],
    zeroSize: [
      { shapes: [[0, 3, 3, 3], [3, 2, 2, 3]], output: [0, 2, 4, 5] },
      { shapes: [[2, 0, 3, 3], [0, 2, 2, 3]], output: [2, 2, 4, 5] },
    ],
    differentiable: [true, true],
    hasDerivative: true,
  },
  {
    name: "conv2dWeightGrad",
    call: weightGrad(plain),
    samples: [
      { shapes: [[2, 3, 3, 3], [2, 2, 4, 5]] },
      { shapes: [[1, 4, 3, 4], [1, 4, 5, 4]], call: weightGrad(strided) },
      { shapes: [[2, 3, 6, 6], [2, 2, 3, 4]], call: weightGrad(padded) },
    ],
    zeroSize: [
      { shapes: [[0, 3, 3, 3], [0, 2, 4, 5]], output: [3, 2, 2, 3] },
      { shapes: [[2, 3, 3, 3], [2, 0, 4, 5]], output: [3, 0, 2, 3] },
    ],
    differentiable: [true, true],
    hasDerivative: true,
  },
];
