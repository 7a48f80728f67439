import { Tensor, enableGrad, gradients, tensor, zeros } from "@tapegrad/autograd";

// PyTorch's OpInfo pattern (torch/testing/_internal/common_methods_invocations.py): one
// entry per op in registeredOps(), saying how to call it, on which shapes and values, and
// what it promises (a derivative, which inputs get one). op-registry.test.ts runs the same
// generic checks over every entry, and fails when an op has no entry. This file holds the
// entry types, the builders and the seeded sampling; op-info.ts gathers the entries, which
// each op family keeps in op-infos/<family>.ts.

export type Shape = readonly number[];
/** Builds the op's output from tensors given in the op's own input order. */
export type Call = (...inputs: Tensor[]) => Tensor;

/**
 * Where an input's values are drawn:
 * - real: [−1.5, 1.5]
 * - nonzero: ±[0.3, 1.5] (denominators)
 * - positive: [0.3, 2] (log, sqrt, fractional powers)
 * - aboveMinusOne: [−0.7, 1.5] (log1p)
 * - openUnit: [0.05, 0.95] (probabilities fed to log)
 * - closedUnit: [0, 1] with exact 0s and 1s among them (targets)
 * - mask: exactly 0 or 1 (conditions)
 */
export type Domain = "real" | "nonzero" | "positive" | "aboveMinusOne" | "openUnit" | "closedUnit" | "mask";

/** Where an op is not differentiable, so sampled values stay away from there. */
export interface Kinks {
  /** Values the inputs keep at least KINK_MARGIN from (abs and relu at 0, clamp at its bounds). */
  readonly points?: readonly number[];
  /** All values of a sample pairwise at least TIE_MARGIN apart (maximum, max: no ties). */
  readonly ties?: boolean;
}

export interface Sample {
  /** Shapes of the inputs, in the op's input order. */
  readonly shapes: readonly Shape[];
  /** Calls the op another way than the entry's `call` (other dims, exponent or bounds). */
  readonly call?: Call;
  /** Overrides the entry's domains for this sample. */
  readonly domains?: readonly Domain[];
}

export interface ZeroSizeSample extends Sample {
  /** The output's shape, worked out by hand. */
  readonly output: Shape;
}

export interface OpInfo {
  /** The op's name in registeredOps(). */
  readonly name: string;
  readonly call: Call;
  /** Non-empty samples: every generic test runs on each. */
  readonly samples: readonly Sample[];
  /** Samples with zero elements somewhere; empty only when the op allows none. */
  readonly zeroSize: readonly ZeroSizeSample[];
  /** Domain of each input position; "real" where absent. */
  readonly domains?: readonly Domain[];
  readonly kinks?: Kinks;
  /** Which input positions get a gradient; all false for an op without a derivative. */
  readonly differentiable: readonly boolean[];
  /** Whether the op has a derivative (its spec's vjp is not null). */
  readonly hasDerivative: boolean;
  /** The output may share input 0's memory although the op is not always a view (reshape). */
  readonly mayShareMemory?: boolean;
}

export const KINK_MARGIN = 0.02;
export const TIE_MARGIN = 1e-3;

export const s = (...shapes: Shape[]): Sample => ({ shapes });
export const z = (output: Shape, ...shapes: Shape[]): ZeroSizeSample => ({ shapes, output });

/** Sums a gradient back to `shape` the way the engine does (expand's VJP, recorded): sumTo has no Tensor method. */
export function sumToByEngine(g: Tensor, shape: Shape): Tensor {
  return enableGrad(() => {
    const p = zeros([...shape], { requiresGrad: true });
    return gradients(p.expand(g.shape), [p], { gradOutputs: [g], createGraph: true })[0]!;
  });
}

export const unaryShapes = [s([]), s([3]), s([2, 3]), s([2, 3, 2])];
export const unaryZero = [z([0], [0]), z([2, 0, 3], [2, 0, 3])];

export function unary(name: string, call: Call, extra: Partial<OpInfo> = {}): OpInfo {
  return { name, call, samples: unaryShapes, zeroSize: unaryZero, differentiable: [true], hasDerivative: true, ...extra };
}

/** Same shapes, trailing broadcast, leading broadcast, both sides broadcast, 0-d against 2-d, 3-d against 2-d. */
export const binaryShapes = [s([2, 3], [2, 3]), s([2, 3], [3]), s([3], [2, 3]), s([2, 1], [1, 3]), s([], [2, 3]), s([2, 3, 2], [3, 1])];
export const binaryZero = [z([0, 3], [0, 3], [3]), z([2, 0], [2, 1], [2, 0])];

export function binary(name: string, call: Call, extra: Partial<OpInfo> = {}): OpInfo {
  return { name, call, samples: binaryShapes, zeroSize: binaryZero, differentiable: [true, true], hasDerivative: true, ...extra };
}

export function comparison(name: string, call: Call): OpInfo {
  return binary(name, call, { differentiable: [false, false], hasDerivative: false });
}

/** Reductions: everything, one dim, two dims kept, a negative dim, a 0-d input. */
export function reduction(name: string, reduce: (x: Tensor, dim?: number | number[], keepdim?: boolean) => Tensor, extra: Partial<OpInfo> = {}): OpInfo {
  return unary(name, (x) => reduce(x), {
    samples: [
      s([2, 3]),
      { shapes: [[2, 3]], call: (x) => reduce(x, 1) },
      { shapes: [[2, 3, 2]], call: (x) => reduce(x, [0, 2], true) },
      { shapes: [[2, 3, 2]], call: (x) => reduce(x, -2) },
      s([]),
    ],
    zeroSize: [
      { shapes: [[0, 3]], call: (x) => reduce(x, 1), output: [0] },
      { shapes: [[2, 0, 3]], call: (x) => reduce(x, 2, true), output: [2, 0, 1] },
    ],
    ...extra,
  });
}


/** A small seeded generator (mulberry32): the same seed gives the same samples on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function draw(domain: Domain, u: () => number): number {
  switch (domain) {
    case "real":
      return -1.5 + 3 * u();
    case "nonzero":
      return (u() < 0.5 ? -1 : 1) * (0.3 + 1.2 * u());
    case "positive":
      return 0.3 + 1.7 * u();
    case "aboveMinusOne":
      return -0.7 + 2.2 * u();
    case "openUnit":
      return 0.05 + 0.9 * u();
    case "closedUnit": {
      const r = u();
      return r < 0.2 ? 0 : r < 0.4 ? 1 : u();
    }
    case "mask":
      return u() < 0.5 ? 0 : 1;
  }
}

/** Whether a drawn value respects the kinks: away from kink points, and from earlier values when ties are to be avoided. */
function allowed(value: number, domain: Domain, kinks: Kinks | undefined, earlier: readonly number[]): boolean {
  if (!kinks || domain === "mask" || domain === "closedUnit") return true;
  if (kinks.points?.some((p) => Math.abs(value - p) < KINK_MARGIN)) return false;
  return !kinks.ties || earlier.every((e) => Math.abs(value - e) >= TIE_MARGIN);
}

/** The domains of a sample's inputs. */
export function domainsOf(info: OpInfo, sample: Sample): Domain[] {
  return sample.shapes.map((_, i) => sample.domains?.[i] ?? info.domains?.[i] ?? "real");
}

/**
 * Seeded values for inputs of the given shapes, drawn from each position's domain and
 * kept away from the op's kinks, as contiguous tensors.
 */
export function sampleTensors(info: OpInfo, domains: readonly Domain[], shapes: readonly Shape[], seed: number, requiresGrad: readonly boolean[]): Tensor[] {
  const u = random(seed);
  const earlier: number[] = [];
  return shapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float64Array(size);
    for (let e = 0; e < size; e++) {
      let value = draw(domains[i]!, u);
      for (let attempt = 0; !allowed(value, domains[i]!, info.kinks, earlier); attempt++) {
        if (attempt > 1000) throw new Error(`${info.name}: cannot draw values away from its kinks`);
        value = draw(domains[i]!, u);
      }
      earlier.push(value);
      values[e] = value;
    }
    return tensor(values, { shape: [...shape], requiresGrad: requiresGrad[i] === true });
  });
}

/** A seeded tensor of values in [−1.5, 1.5], for cotangents and weights. */
export function seededTensor(shape: Shape, seed: number, requiresGrad = false): Tensor {
  const u = random(seed);
  const values = Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => draw("real", u));
  return tensor(values, { shape: [...shape], requiresGrad });
}
