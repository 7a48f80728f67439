import { fold, unfold } from "@tapegrad/autograd";
import { unfoldOp } from "../../src/ops/conv.js";
import type { OpInfo } from "../op-info-kit.js";

// unfold and fold are linear and each other's VJP: gradcheck of one runs the other's kernel,
// and the second-order check runs the first again. The samples cover square and non-square
// kernels, padding, stride, dilation, and (through the op itself) the asymmetric padding of
// a convolution with padding 'same' and an even kernel.

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
];
