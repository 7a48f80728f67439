import type { Tensor } from "@tapegrad/autograd";
// prodBackward (prod's VJP as an op) is not exported from the package: its entry calls it from its module.
import { prodBackward } from "../../src/ops/statistics.js";
import { reduction, s, unary, z, type OpInfo, type Sample, type ZeroSizeSample } from "../op-info-kit.js";

/** One shape, one way to call: a sample that overrides the entry's call. */
const call = (shape: number[], f: (x: Tensor) => Tensor, extra: Partial<Sample> = {}): Sample => ({ shapes: [shape], call: f, ...extra });
const zeroCall = (shape: number[], output: number[], f: (x: Tensor) => Tensor): ZeroSizeSample => ({ shapes: [shape], call: f, output });

/** max and min: over everything (ties shared) and along one dim (the gradient to arg's index); 0-d with a dim too. */
function extreme(name: "max" | "min"): OpInfo {
  const f = (x: Tensor, dim?: number, keepdim?: boolean) => (name === "max" ? x.max(dim, keepdim) : x.min(dim, keepdim));
  return unary(name, (x) => f(x), {
    samples: [
      s([2, 3]),
      call([2, 3], (x) => f(x, 1)),
      call([2, 3, 2], (x) => f(x, -2, true)),
      call([2, 3, 2], (x) => f(x, 0)),
      call([], (x) => f(x, 0)),
      s([]),
      call([2, 3], (x) => f(x, undefined, true)),
    ],
    zeroSize: [zeroCall([0, 3], [0], (x) => f(x, 1)), zeroCall([2, 0, 3], [2, 0, 1], (x) => f(x, 2, true))],
    kinks: { ties: true },
  });
}

/** var and std with the default correction, 0 and 2, over one dim, several, all, and 0-d. */
function spread(name: "var" | "std"): OpInfo {
  const f = (x: Tensor, dim?: number | number[], options?: { correction?: number; keepdim?: boolean }) => (name === "var" ? x.var(dim, options) : x.std(dim, options));
  return unary(name, (x) => f(x), {
    samples: [
      s([2, 3]),
      call([2, 3], (x) => f(x, 1)),
      call([2, 3, 2], (x) => f(x, [0, 2], { keepdim: true })),
      call([2, 3, 2], (x) => f(x, -2, { correction: 0 })),
      call([2, 4], (x) => f(x, 1, { correction: 2 })),
      call([], (x) => f(x, undefined, { correction: 0 })),
    ],
    zeroSize: [zeroCall([0, 3], [0], (x) => f(x, 1)), zeroCall([2, 0, 3], [2, 0, 1], (x) => f(x, 2, { keepdim: true }))],
  });
}

/** Entries of the reductions ops (see op-info-kit.ts for what an entry says). */
export const reductionInfos: readonly OpInfo[] = [
  extreme("max"),
  extreme("min"),
  reduction("amax", (x, dim, keepdim) => x.amax(dim, keepdim), { kinks: { ties: true } }),
  reduction("amin", (x, dim, keepdim) => x.amin(dim, keepdim), { kinks: { ties: true } }),
  reduction("argmax", (x, dim, keepdim) => x.argmax(dim as number | undefined, keepdim), {
    samples: [s([2, 3]), call([2, 3], (x) => x.argmax(1)), call([2, 3, 2], (x) => x.argmax(0, true)), call([2, 3], (x) => x.argmax(undefined, true)), s([])],
    kinks: { ties: true },
    differentiable: [false],
    hasDerivative: false,
  }),
  reduction("argmin", (x, dim, keepdim) => x.argmin(dim as number | undefined, keepdim), {
    samples: [s([2, 3]), call([2, 3], (x) => x.argmin(1)), call([2, 3, 2], (x) => x.argmin(-1, true)), call([2, 3], (x) => x.argmin(undefined, true)), s([])],
    kinks: { ties: true },
    differentiable: [false],
    hasDerivative: false,
  }),
  spread("var"),
  spread("std"),
  unary("norm", (x) => x.norm(), {
    samples: [
      s([2, 3]),
      call([2, 3], (x) => x.norm(1, 1)),
      call([2, 3, 2], (x) => x.norm(3, [0, 2], true)),
      call([2, 3], (x) => x.norm(1.5, -1)),
      call([2, 3], (x) => x.norm(0.5, 0)),
      call([2, 3], (x) => x.norm(-1, 1)),
      call([2, 3], (x) => x.norm(Infinity, 1), { domains: ["positive"] }),
      call([2, 3], (x) => x.norm(-Infinity), { domains: ["positive"] }),
      call([2, 3], (x) => x.norm(0, 1)),
      s([]),
    ],
    zeroSize: [zeroCall([0, 3], [0], (x) => x.norm(2, 1)), zeroCall([2, 0, 3], [2, 1, 3], (x) => x.norm(1, 1, true)), zeroCall([2, 0], [2], (x) => x.norm(Infinity, 1))],
    // |x| has a kink at 0; the p = ±∞ norms have one at ties of |x| (positive samples, no ties).
    kinks: { points: [0], ties: true },
  }),
  unary("prod", (x) => x.prod(), {
    samples: [s([2, 3]), call([2, 3], (x) => x.prod(1)), call([2, 3, 2], (x) => x.prod(-2, true)), call([4], (x) => x.prod(0)), s([])],
    zeroSize: [zeroCall([0, 3], [0], (x) => x.prod(1)), zeroCall([2, 0, 3], [2, 1, 3], (x) => x.prod(1, true)), zeroCall([2, 0], [2], (x) => x.prod(1))],
  }),
  {
    name: "prodBackward",
    call: (g, x) => prodBackward([g!, x!], { dims: [1] }),
    samples: [
      s([2, 1], [2, 3]),
      { shapes: [[], [2, 3]], call: (g, x) => prodBackward([g!, x!], { dims: [0, 1] }) },
      { shapes: [[2, 1, 2], [2, 3, 2]], call: (g, x) => prodBackward([g!, x!], { dims: [1] }) },
      { shapes: [[2, 3], [2, 3]], call: (g, x) => prodBackward([g!, x!], { dims: [0] }) },
      { shapes: [[], []], call: (g, x) => prodBackward([g!, x!], { dims: [] }) },
    ],
    zeroSize: [z([2, 0], [2, 1], [2, 0]), z([0, 3], [0, 1], [0, 3])],
    differentiable: [true, true],
    hasDerivative: true,
  },
  unary("cumsum", (x) => x.cumsum(0), {
    samples: [s([3]), call([2, 3], (x) => x.cumsum(1)), call([2, 3, 2], (x) => x.cumsum(-2)), call([], (x) => x.cumsum(0))],
    zeroSize: [zeroCall([0, 3], [0, 3], (x) => x.cumsum(1)), zeroCall([2, 0], [2, 0], (x) => x.cumsum(-1))],
  }),
  reduction("any", (x, dim, keepdim) => x.any(dim, keepdim), { domains: ["mask"], differentiable: [false], hasDerivative: false }),
  reduction("all", (x, dim, keepdim) => x.all(dim, keepdim), { domains: ["mask"], differentiable: [false], hasDerivative: false }),
];
