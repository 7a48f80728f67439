import { tensor } from "@tapegrad/autograd";
import { s, unary, type OpInfo } from "../op-info-kit.js";

// Index inputs drawn from the "mask" domain hold 0s and 1s: valid positions along any
// dimension of size ≥ 2, with repeats (whose gradients must add up), and they go through
// the registry's transposed, narrowed and broadcast layouts like any input. Wider indices
// are constants in the calls (only possible where the index is the op's last input).

/** Entries of the indexing ops (see op-info-kit.ts for what an entry says). */
export const indexingInfos: readonly OpInfo[] = [
  unary("select", (x) => x.select(1, 1), {
    samples: [
      s([2, 3]),
      { shapes: [[3]], call: (x) => x.select(0, -1) },
      { shapes: [[2, 3, 2]], call: (x) => x.select(-2, 0) },
      { shapes: [[2, 3, 2]], call: (x) => x.select(2, -2) },
    ],
    zeroSize: [
      { shapes: [[2, 0]], call: (x) => x.select(0, 1), output: [0] },
      { shapes: [[0, 3]], call: (x) => x.select(1, 2), output: [0] },
    ],
  }),
  unary("slice", (x) => x.slice(1, 0, 3, 2), {
    samples: [
      s([2, 4]),
      { shapes: [[5]], call: (x) => x.slice(0, -4, undefined, 3) },
      { shapes: [[2, 3, 2]], call: (x) => x.slice(-2, 1) },
      { shapes: [[2, 4]], call: (x) => x.slice(1, -100, 100) },
    ],
    zeroSize: [
      { shapes: [[2, 4]], call: (x) => x.slice(1, 3, 1), output: [2, 0] },
      { shapes: [[0, 3]], call: (x) => x.slice(1, 1), output: [0, 2] },
    ],
  }),
  {
    name: "indexSelect",
    call: (x, i) => x!.indexSelect(0, i!),
    samples: [
      s([2, 3], [3]),
      { shapes: [[3, 2], [4]], call: (x, i) => x!.indexSelect(-1, i!) },
      { shapes: [[2, 3, 2], [2]], call: (x, i) => x!.indexSelect(1, i!) },
      { shapes: [[2, 3], []], call: (x, i) => x!.indexSelect(0, i!) },
      { shapes: [[4, 3]], call: (x) => x.indexSelect(0, tensor([3, 0, 3, 2])) },
    ],
    zeroSize: [
      { shapes: [[2, 3], [0]], call: (x, i) => x!.indexSelect(1, i!), output: [2, 0] },
      { shapes: [[0, 3], [2]], call: (x, i) => x!.indexSelect(1, i!), output: [0, 2] },
    ],
    domains: ["real", "mask"],
    differentiable: [true, false],
    hasDerivative: true,
  },
  {
    name: "indexAdd",
    call: (a, i, b) => a!.indexAdd(0, i!, b!),
    samples: [
      s([3, 2], [4], [4, 2]),
      { shapes: [[2, 3], [4], [2, 4]], call: (a, i, b) => a!.indexAdd(1, i!, b!, { alpha: -0.5 }) },
      { shapes: [[2, 3, 2], [3], [2, 3, 2]], call: (a, i, b) => a!.indexAdd(-2, i!, b!) },
      { shapes: [[3, 2], [], [1, 2]], call: (a, i, b) => a!.indexAdd(0, i!, b!) },
    ],
    zeroSize: [
      { shapes: [[3, 2], [0], [0, 2]], output: [3, 2] },
      { shapes: [[3, 0], [2], [2, 0]], output: [3, 0] },
    ],
    domains: ["real", "mask", "real"],
    differentiable: [true, false, true],
    hasDerivative: true,
  },
  {
    name: "gather",
    call: (x, i) => x!.gather(0, i!),
    samples: [
      s([2, 3], [2, 3]),
      { shapes: [[3, 2], [3, 4]], call: (x, i) => x!.gather(1, i!) },
      { shapes: [[2, 3, 2], [2, 2, 1]], call: (x, i) => x!.gather(-1, i!) },
      // Cross-entropy's pick: one class per row.
      { shapes: [[3, 4]], call: (x) => x.gather(1, tensor([[3], [0], [2]])) },
      { shapes: [[]], call: (x) => x.gather(0, tensor(0)) },
    ],
    zeroSize: [
      { shapes: [[2, 3], [0, 3]], output: [0, 3] },
      { shapes: [[2, 0], [2, 0]], call: (x, i) => x!.gather(1, i!), output: [2, 0] },
    ],
    domains: ["real", "mask"],
    differentiable: [true, false],
    hasDerivative: true,
  },
  {
    name: "scatterAdd",
    call: (a, i, b) => a!.scatterAdd(0, i!, b!),
    samples: [
      s([2, 3], [2, 3], [2, 3]),
      // src larger than index: only its leading corner is read (and gets a gradient).
      { shapes: [[3, 2], [3, 4], [3, 5]], call: (a, i, b) => a!.scatterAdd(1, i!, b!) },
      { shapes: [[2, 3, 2], [2, 2, 1], [2, 2, 2]], call: (a, i, b) => a!.scatterAdd(-1, i!, b!) },
      { shapes: [[3], [], []], call: (a, i, b) => a!.scatterAdd(0, i!, b!) },
    ],
    zeroSize: [
      { shapes: [[2, 3], [0, 3], [0, 3]], output: [2, 3] },
      { shapes: [[2, 0], [2, 0], [2, 1]], call: (a, i, b) => a!.scatterAdd(1, i!, b!), output: [2, 0] },
    ],
    domains: ["real", "mask", "real"],
    differentiable: [true, false, true],
    hasDerivative: true,
  },
  {
    name: "maskedFill",
    call: (x, m) => x!.maskedFill(m!, 0.5),
    samples: [
      s([2, 3], [2, 3]),
      s([2, 3], [3]),
      { shapes: [[3, 1], [2, 1, 4]], call: (x, m) => x!.maskedFill(m!, -2) },
      s([], [2]),
    ],
    zeroSize: [
      { shapes: [[0, 3], [3]], output: [0, 3] },
      { shapes: [[2, 1], [2, 0]], output: [2, 0] },
    ],
    domains: ["real", "mask"],
    differentiable: [true, false],
    hasDerivative: true,
  },
  unary("argsort", (x) => x.argsort(), {
    samples: [s([2, 3]), { shapes: [[2, 3]], call: (x) => x.argsort(0, { descending: true }) }, s([3]), s([])],
    zeroSize: [
      { shapes: [[0]], output: [0] },
      { shapes: [[2, 0, 3]], call: (x) => x.argsort(1), output: [2, 0, 3] },
    ],
    differentiable: [false],
    hasDerivative: false,
  }),
  unary("topkIndices", (x) => x.topk(2).indices, {
    samples: [
      s([2, 3]),
      { shapes: [[3, 4]], call: (x) => x.topk(3, 0, { largest: false }).indices },
      { shapes: [[5]], call: (x) => x.topk(5).indices },
      { shapes: [[]], call: (x) => x.topk(1).indices },
    ],
    zeroSize: [
      { shapes: [[2, 3]], call: (x) => x.topk(0).indices, output: [2, 0] },
      { shapes: [[0, 3]], output: [0, 2] },
    ],
    differentiable: [false],
    hasDerivative: false,
  }),
];
