import { avgPool2d, maxPool2d, type Tensor } from "@tapegrad/autograd";
import { avgPool2dBackwardOp } from "../../src/ops/pooling.js";
import type { OpInfo } from "../op-info-kit.js";

// Max-pooling is drawn without ties (finite differences cannot tell which tap wins one);
// ties are checked against PyTorch in torch-ops/pooling.ts. avgPool2dBackward is called
// as the op itself, on gradients of the pooled shape.

/** avgPool2dBackward of a 3×3 window, stride 2, padding 1, ceil mode, over a [5, 6] input: outputs [3, 3]. */
const backward = (countIncludePad: boolean, divisorOverride: number | null) => (g: Tensor) =>
  avgPool2dBackwardOp([g], { kernelSize: [3, 3], stride: [2, 2], padding: [1, 1], dilation: [1, 1], blocks: [3, 4], inputSize: [5, 6], countIncludePad, divisorOverride });

/** Entries of the pooling ops (see op-info-kit.ts for what an entry says). */
export const poolingInfos: readonly OpInfo[] = [
  {
    name: "maxPool2d",
    call: (x) => maxPool2d(x!, 2),
    samples: [
      { shapes: [[2, 2, 4, 4]] },
      { shapes: [[1, 2, 5, 6]], call: (x) => maxPool2d(x!, 3, { stride: 2, padding: 1, ceilMode: true }) },
      { shapes: [[1, 1, 6, 5]], call: (x) => maxPool2d(x!, [2, 3], { stride: [1, 2], padding: [1, 1], dilation: [2, 1] }) },
    ],
    zeroSize: [{ shapes: [[0, 2, 4, 4]], output: [0, 2, 2, 2] }],
    kinks: { ties: true },
    differentiable: [true],
    hasDerivative: true,
  },
  {
    name: "avgPool2d",
    call: (x) => avgPool2d(x!, 2),
    samples: [
      { shapes: [[2, 2, 4, 4]] },
      { shapes: [[1, 2, 5, 6]], call: (x) => avgPool2d(x!, 3, { stride: 2, padding: 1, ceilMode: true }) },
      { shapes: [[1, 2, 5, 6]], call: (x) => avgPool2d(x!, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }) },
      { shapes: [[1, 1, 4, 5]], call: (x) => avgPool2d(x!, [2, 3], { stride: [1, 2], padding: [1, 1], divisorOverride: 4 }) },
    ],
    zeroSize: [{ shapes: [[0, 2, 4, 4]], output: [0, 2, 2, 2] }],
    differentiable: [true],
    hasDerivative: true,
  },
  {
    name: "avgPool2dBackward",
    call: backward(true, null),
    samples: [
      { shapes: [[2, 2, 3, 4]] },
      { shapes: [[1, 2, 3, 4]], call: backward(false, null) },
      { shapes: [[1, 1, 3, 4]], call: backward(true, 5) },
    ],
    zeroSize: [{ shapes: [[0, 2, 3, 4]], output: [0, 2, 5, 6] }],
    differentiable: [true],
    hasDerivative: true,
  },
];
