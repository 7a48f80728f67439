import type { OpInfo } from "../op-info-kit.js";
import { s, unary } from "../op-info-kit.js";

/** Entries of the shape ops (see op-info-kit.ts for what an entry says). */
export const shapeInfos: readonly OpInfo[] = [
  // split, chunk and unbind are narrow (and squeeze) views, outer a product of reshapes: no ops of their own.
  unary("repeat", (x) => x.repeat(2, 1), {
    samples: [
      s([2, 3]),
      { shapes: [[3]], call: (x) => x.repeat(2, 2) },
      { shapes: [[2, 1, 2]], call: (x) => x.repeat([1, 3, 1, 2]) },
      { shapes: [[]], call: (x) => x.repeat(3) },
      { shapes: [[2, 3]], call: (x) => x.repeat(1, 1) },
    ],
    zeroSize: [
      { shapes: [[0, 3]], output: [0, 3] },
      { shapes: [[2, 3]], call: (x) => x.repeat(0, 2), output: [0, 6] },
      { shapes: [[2, 0]], call: (x) => x.repeat(2, 2, 2), output: [2, 4, 0] },
    ],
  }),
  unary("flip", (x) => x.flip(0), {
    samples: [
      s([2, 3]),
      { shapes: [[2, 3, 2]], call: (x) => x.flip(0, -1) },
      { shapes: [[3]], call: (x) => x.flip([0]) },
      { shapes: [[2, 3]], call: (x) => x.flip([]) },
      { shapes: [[]], call: (x) => x.flip(0) },
    ],
    zeroSize: [{ shapes: [[0, 3]], call: (x) => x.flip(1), output: [0, 3] }],
  }),
];
