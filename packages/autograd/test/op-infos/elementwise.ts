import { binary, binaryShapes, unary, unaryShapes, type OpInfo } from "../op-info-kit.js";
import { eluBackward, geluBackward, leakyReluBackward, logSigmoidBackward, siluBackward, softplusBackward } from "../../src/ops/activations.js";

// softplus switches to x itself where β·x passes the threshold: a jump in value (of
// log(1 + e^threshold)/β − threshold/β) that the samples with β = 3, threshold = 1 place at x = 1/3.
const SOFTPLUS_SWITCH = 1 / 3;
const defaults = { beta: 1, threshold: 20 };

/** Entries of the elementwise ops (see op-info-kit.ts for what an entry says). */
export const elementwiseInfos: readonly OpInfo[] = [
  unary("expm1", (x) => x.expm1()),
  unary("reciprocal", (x) => x.reciprocal(), { domains: ["nonzero"] }),
  unary("rsqrt", (x) => x.rsqrt(), { domains: ["positive"] }),
  unary("erf", (x) => x.erf()),
  // The gradient is zero everywhere; finite differences across the jump at 0 are not.
  unary("sign", (x) => x.sign(), { kinks: { points: [0] } }),
  unary("floor", (x) => x.floor(), { differentiable: [false], hasDerivative: false }),
  unary("ceil", (x) => x.ceil(), { differentiable: [false], hasDerivative: false }),
  unary("round", (x) => x.round(), { differentiable: [false], hasDerivative: false }),
  // activations
  unary("softplus", (x) => x.softplus(), {
    samples: [
      ...unaryShapes,
      { shapes: [[2, 3]], call: (x) => x.softplus({ beta: 3, threshold: 1 }) },
      { shapes: [[2, 3]], call: (x) => x.softplus({ beta: -0.5 }) },
    ],
    kinks: { points: [SOFTPLUS_SWITCH] },
  }),
  unary("gelu", (x) => x.gelu(), { samples: [...unaryShapes, { shapes: [[2, 3]], call: (x) => x.gelu({ approximate: "tanh" }) }] }),
  unary("leakyRelu", (x) => x.leakyRelu(), {
    samples: [...unaryShapes, { shapes: [[2, 3]], call: (x) => x.leakyRelu(0.3) }, { shapes: [[2, 3]], call: (x) => x.leakyRelu(-1.5) }],
    kinks: { points: [0] },
  }),
  unary("elu", (x) => x.elu(), { samples: [...unaryShapes, { shapes: [[2, 3]], call: (x) => x.elu(0.4) }], kinks: { points: [0] } }),
  unary("silu", (x) => x.silu()),
  unary("logSigmoid", (x) => x.logSigmoid()),
  // backward formulas that are ops of their own (inputs: the incoming gradient, then x)
  binary("softplusBackward", (g, x) => softplusBackward([g!, x!], defaults), {
    samples: [
      ...binaryShapes,
      { shapes: [[2, 3], [2, 3]], call: (g, x) => softplusBackward([g!, x!], { beta: 3, threshold: 1 }) },
    ],
    kinks: { points: [SOFTPLUS_SWITCH] },
  }),
  binary("geluBackward", (g, x) => geluBackward([g!, x!], "none"), {
    samples: [...binaryShapes, { shapes: [[2, 3], [2, 3]], call: (g, x) => geluBackward([g!, x!], "tanh") }],
  }),
  binary("leakyReluBackward", (g, x) => leakyReluBackward([g!, x!], 0.01), {
    samples: [...binaryShapes, { shapes: [[2, 3], [2, 3]], call: (g, x) => leakyReluBackward([g!, x!], -0.7) }],
    differentiable: [true, false],
    kinks: { points: [0] },
  }),
  binary("eluBackward", (g, x) => eluBackward([g!, x!], 1), {
    samples: [...binaryShapes, { shapes: [[2, 3], [2, 3]], call: (g, x) => eluBackward([g!, x!], 2.5) }],
    kinks: { points: [0] },
  }),
  binary("siluBackward", (g, x) => siluBackward([g!, x!], undefined)),
  binary("logSigmoidBackward", (g, x) => logSigmoidBackward([g!, x!], undefined)),
];
