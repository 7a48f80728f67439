import {
  backwardHook,
  binaryCrossEntropy,
  binaryCrossEntropyBackward,
  binaryCrossEntropyWithLogits,
  cat,
  linear,
  linearRelu,
  reluBackward,
  sigmoidBackward,
  tanhBackward,
  where,
} from "@tapegrad/autograd";
import { binary, comparison, reduction, s, sumToByEngine, unary, unaryShapes, z, type OpInfo } from "./op-info-kit.js";
import { indexingInfos } from "./op-infos/indexing.js";
import { reductionInfos } from "./op-infos/reductions.js";
import { elementwiseInfos } from "./op-infos/elementwise.js";
import { shapeInfos } from "./op-infos/shape.js";
import { convInfos } from "./op-infos/conv.js";
import { poolingInfos } from "./op-infos/pooling.js";
import { normalizationInfos } from "./op-infos/normalization.js";

export * from "./op-info-kit.js";

// The entries of the ops declared before the families below had files of their own.
const coreInfos: readonly OpInfo[] = [
  // arithmetic
  binary("add", (a, b) => a.add(b)),
  binary("sub", (a, b) => a.sub(b)),
  binary("mul", (a, b) => a.mul(b)),
  binary("div", (a, b) => a.div(b), { domains: ["real", "nonzero"] }),
  binary("maximum", (a, b) => a.maximum(b), { kinks: { ties: true } }),
  binary("minimum", (a, b) => a.minimum(b), { kinks: { ties: true } }),
  unary("pow", (x) => x.pow(3), {
    samples: [
      ...unaryShapes,
      { shapes: [[2, 3]], call: (x) => x.pow(2) },
      { shapes: [[2, 3]], call: (x) => x.pow(1) },
      { shapes: [[2, 3]], call: (x) => x.pow(0) },
      { shapes: [[2, 3]], call: (x) => x.pow(0.5), domains: ["positive"] },
      { shapes: [[2, 3]], call: (x) => x.pow(-1.5), domains: ["positive"] },
    ],
  }),
  {
    name: "where",
    call: (c, a, b) => where(c!, a!, b!),
    samples: [s([2, 3], [2, 3], [2, 3]), s([3], [2, 3], []), s([2, 1], [3], [2, 3]), s([2, 3, 2], [3, 1], [2])],
    zeroSize: [z([0, 3], [0, 3], [3], [0, 1])],
    domains: ["mask", "real", "real"],
    differentiable: [false, true, true],
    hasDerivative: true,
  },
  // comparisons and arg-reductions: no derivative
  comparison("gt", (a, b) => a.gt(b)),
  comparison("lt", (a, b) => a.lt(b)),
  comparison("ge", (a, b) => a.ge(b)),
  comparison("le", (a, b) => a.le(b)),
  comparison("eq", (a, b) => a.eq(b)),
  comparison("ne", (a, b) => a.ne(b)),
  // matrix products
  binary("matmul", (a, b) => a.matmul(b), {
    samples: [s([2, 3], [3, 4]), s([3], [3]), s([2, 3], [3]), s([3], [3, 2]), s([2, 2, 3], [3, 2]), s([1, 2, 3], [2, 3, 2])],
    zeroSize: [z([0, 2], [0, 3], [3, 2]), z([2, 3], [2, 0], [0, 3])],
  }),
  {
    name: "linear",
    call: (x, w, b) => linear(x!, w!, b),
    samples: [s([2, 3], [4, 3], [4]), s([3], [4, 3], [4]), s([2, 2, 3], [4, 3]), s([1, 3], [2, 3], [2])],
    zeroSize: [z([0, 4], [0, 3], [4, 3], [4]), z([2, 0], [2, 3], [0, 3], [0]), z([2, 4], [2, 0], [4, 0], [4])],
    differentiable: [true, true, true],
    hasDerivative: true,
  },
  {
    name: "linearRelu",
    call: (x, w, b) => linearRelu(x!, w!, b),
    samples: [s([2, 3], [4, 3], [4]), s([3], [4, 3], [4]), s([2, 2, 3], [4, 3]), s([1, 3], [2, 3], [2])],
    zeroSize: [z([0, 4], [0, 3], [4, 3], [4]), z([2, 0], [2, 3], [0, 3], [0]), z([2, 4], [2, 0], [4, 0], [4])],
    differentiable: [true, true, true],
    hasDerivative: true,
  },
  // reductions
  reduction("sum", (x, dim, keepdim) => x.sum(dim, keepdim)),
  reduction("mean", (x, dim, keepdim) => x.mean(dim, keepdim)),
  reduction("logsumexp", (x, dim, keepdim) => x.logsumexp(dim, keepdim)),
  // joining and shapes
  {
    name: "cat",
    call: (a, b) => cat([a!, b!], 0),
    samples: [
      s([2, 3], [1, 3]),
      { shapes: [[2, 3], [2, 2]], call: (a, b) => cat([a!, b!], 1) },
      { shapes: [[2], [3], [1]], call: (a, b, c) => cat([a!, b!, c!]) },
      { shapes: [[2, 1, 2], [2, 3, 2]], call: (a, b) => cat([a!, b!], -2) },
    ],
    zeroSize: [z([2, 3], [0, 3], [2, 3]), { shapes: [[2, 0], [2, 0]], call: (a, b) => cat([a!, b!], 1), output: [2, 0] }],
    differentiable: [true, true, true],
    hasDerivative: true,
  },
  unary("reshape", (x) => x.reshape(-1), {
    samples: [s([2, 3]), { shapes: [[2, 3]], call: (x) => x.reshape(3, 2) }, { shapes: [[2, 3, 2]], call: (x) => x.reshape(4, -1) }, { shapes: [[]], call: (x) => x.reshape(1, 1) }],
    zeroSize: [{ shapes: [[0, 3]], call: (x) => x.reshape(3, 0), output: [3, 0] }],
    mayShareMemory: true,
  }),
  unary("permute", (x) => x.permute(2, 0, 1), {
    samples: [s([2, 3, 2]), { shapes: [[2, 3]], call: (x) => x.permute(1, 0) }, { shapes: [[3]], call: (x) => x.permute(0) }],
    zeroSize: [{ shapes: [[2, 0, 3]], output: [3, 2, 0] }],
  }),
  unary("transpose", (x) => x.transpose(0, 1), {
    samples: [s([2, 3]), { shapes: [[2, 3, 2]], call: (x) => x.transpose(0, -1) }, { shapes: [[2, 3, 2]], call: (x) => x.transpose(1, 1) }],
    zeroSize: [{ shapes: [[0, 3]], output: [3, 0] }],
  }),
  unary("expand", (x) => x.expand(2, 3), {
    samples: [s([1, 3]), s([3]), s([]), { shapes: [[2, 1, 2]], call: (x) => x.expand(3, 2, 4, -1) }],
    zeroSize: [{ shapes: [[1, 0]], call: (x) => x.expand(2, 0), output: [2, 0] }, { shapes: [[1, 3]], call: (x) => x.expand(0, 3), output: [0, 3] }],
  }),
  unary("narrow", (x) => x.narrow(1, 1, 2), {
    samples: [s([2, 4]), { shapes: [[3]], call: (x) => x.narrow(0, 0, 1) }, { shapes: [[2, 3, 2]], call: (x) => x.narrow(-2, -2, 2) }],
    zeroSize: [{ shapes: [[2, 4]], call: (x) => x.narrow(1, 1, 0), output: [2, 0] }, { shapes: [[0, 4]], output: [0, 2] }],
  }),
  unary("clone", (x) => x.clone()),
  // The identity at a module's boundary (Module.registerFullBackwardHook); here its hook
  // passes the gradient on unchanged, so it checks as the identity it is.
  unary("backwardHook", (x) => backwardHook([x!], { onGrad: () => undefined })),
  unary("sumTo", (g) => sumToByEngine(g, [3]), {
    samples: [
      s([2, 3]),
      { shapes: [[2, 3, 2]], call: (g) => sumToByEngine(g, [3, 1]) },
      { shapes: [[2, 3]], call: (g) => sumToByEngine(g, []) },
      { shapes: [[2, 1, 3]], call: (g) => sumToByEngine(g, [2, 1, 1]) },
    ],
    zeroSize: [z([3], [0, 3]), { shapes: [[2, 0]], call: (g) => sumToByEngine(g, [2, 1]), output: [2, 1] }],
  }),
  // elementwise functions
  unary("neg", (x) => x.neg()),
  unary("exp", (x) => x.exp()),
  unary("log", (x) => x.log(), { domains: ["positive"] }),
  unary("log1p", (x) => x.log1p(), { domains: ["aboveMinusOne"] }),
  unary("sqrt", (x) => x.sqrt(), { domains: ["positive"] }),
  unary("abs", (x) => x.abs(), { kinks: { points: [0] } }),
  unary("tanh", (x) => x.tanh()),
  unary("sigmoid", (x) => x.sigmoid()),
  unary("relu", (x) => x.relu(), { kinks: { points: [0] } }),
  unary("sin", (x) => x.sin()),
  unary("cos", (x) => x.cos()),
  unary("clamp", (x) => x.clamp(-0.5, 0.7), {
    samples: [...unaryShapes, { shapes: [[2, 3]], call: (x) => x.clamp(-0.5) }, { shapes: [[2, 3]], call: (x) => x.clamp(undefined, 0.7) }],
    kinks: { points: [-0.5, 0.7] },
  }),
  // backward formulas that are ops of their own (inputs: the incoming gradient, then what the VJP reads)
  binary("tanhBackward", (g, y) => tanhBackward([g!, y!], undefined)),
  binary("sigmoidBackward", (g, y) => sigmoidBackward([g!, y!], undefined)),
  binary("reluBackward", (g, gate) => reluBackward([g!, gate!], undefined), { differentiable: [true, false], kinks: { points: [0] } }),
  {
    name: "binaryCrossEntropyBackward",
    call: (g, x, y) => binaryCrossEntropyBackward([g!, x!, y!], undefined),
    samples: [s([2, 3], [2, 3], [2, 3]), s([], [2, 3], [3]), s([3], [2, 3], [2, 1]), s([], [], [])],
    zeroSize: [z([0, 3], [0, 3], [0, 3], [3])],
    domains: ["real", "openUnit", "closedUnit"],
    differentiable: [true, true, true],
    hasDerivative: true,
  },
  // losses
  binary("binaryCrossEntropy", (x, y) => binaryCrossEntropy([x!, y!], undefined), { domains: ["openUnit", "closedUnit"] }),
  binary("binaryCrossEntropyWithLogits", (x, y) => binaryCrossEntropyWithLogits([x!, y!], undefined), { domains: ["real", "closedUnit"] }),
];

/** Every op's entry: op-registry.test.ts fails for a registered op that has none. */
export const opInfos: readonly OpInfo[] = [...coreInfos, ...indexingInfos, ...reductionInfos, ...elementwiseInfos, ...shapeInfos, ...convInfos, ...poolingInfos, ...normalizationInfos];
