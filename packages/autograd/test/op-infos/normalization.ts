import { standardize, type Tensor } from "@tapegrad/autograd";
// standardizeBackward (standardize's VJP as an op) is not exported from the package: its entry calls it from its module.
import { standardizeBackward } from "../../src/ops/normalization.js";
import { s, type OpInfo, type Sample, type ZeroSizeSample } from "../op-info-kit.js";

/** One way to call the op on inputs of the given shapes. */
const call = (shapes: number[][], f: (...xs: Tensor[]) => Tensor): Sample => ({ shapes, call: f });
const zeroCall = (shapes: number[][], output: number[], f: (...xs: Tensor[]) => Tensor): ZeroSizeSample => ({ shapes, call: f, output });

/**
 * Layer norm's trailing dims, batch norm's (0) and (0, 2, 3), kept dims that are not one
 * block ([2, 3, 4] over 1: read through a permutation), a larger eps, slices of one value
 * (var = 0), and a 0-d input.
 */
const layouts: readonly [number[], number | number[], number][] = [
  [[2, 3], -1, 1e-5],
  [[4, 3], 0, 1e-5],
  [[3, 2, 2, 2], [0, 2, 3], 1e-5],
  [[2, 3, 2], [0, -1], 0.1],
  [[2, 3, 4], 1, 1e-5],
  [[2, 3], [0, 1], 1e-5],
  [[3, 1], 1, 1e-5],
  [[], [], 1e-5],
];

/** Entries of the normalization ops (see op-info-kit.ts for what an entry says). */
export const normalizationInfos: readonly OpInfo[] = [
  {
    name: "standardize",
    call: (x) => standardize(x!, -1),
    samples: [s([2, 3]), ...layouts.map(([shape, dim, eps]) => call([shape], (x) => standardize(x!, dim, { eps })))],
    zeroSize: [zeroCall([[0, 3]], [0, 3], (x) => standardize(x!, 0)), zeroCall([[2, 0, 3]], [2, 0, 3], (x) => standardize(x!, -1))],
    differentiable: [true],
    hasDerivative: true,
  },
  {
    name: "standardizeBackward",
    call: (g, x) => standardizeBackward([g!, x!], { dims: [1], eps: 1e-5 }),
    samples: [
      s([2, 3], [2, 3]),
      ...layouts.map(([shape, dim, eps]) =>
        call([shape, shape], (g, x) => standardizeBackward([g!, x!], { dims: (Array.isArray(dim) ? dim : [dim]).map((d) => (d < 0 ? d + shape.length : d)).sort(), eps })),
      ),
    ],
    zeroSize: [zeroCall([[0, 3], [0, 3]], [0, 3], (g, x) => standardizeBackward([g!, x!], { dims: [0], eps: 1e-5 }))],
    differentiable: [true, true],
    hasDerivative: true,
  },
];
