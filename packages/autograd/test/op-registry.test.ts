import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Which named elementwise kernels the ops reach is seen by wrapping each one as the
// autograd package imports it: ops call `kernels.add(…)` through the package's namespace,
// so the wrapper sees every call an op (or its VJP) makes. Calls between kernels inside
// @tapegrad/tensor go through module bindings and stay unseen, hence the short list of
// kernels used only inside other kernels below.
const reachedKernels = vi.hoisted(() => new Set<string>());
vi.mock("@tapegrad/tensor", async (importOriginal) => {
  const original = await importOriginal<typeof import("@tapegrad/tensor")>();
  const names = new Map<unknown, string>(original.kernels.elementwiseKernels().map((k) => [k.kernel, k.name]));
  const wrapped = Object.fromEntries(
    Object.entries(original.kernels).map(([key, value]) => {
      const name = names.get(value);
      if (name === undefined) return [key, value];
      const kernel = value as (...args: unknown[]) => unknown;
      return [key, (...args: unknown[]) => (reachedKernels.add(name), kernel(...args))];
    }),
  );
  return { ...original, kernels: wrapped };
});

import { kernels } from "@tapegrad/tensor";
import { Tensor, enableGrad, gradcheck, gradients, noGrad, ones, registeredOps, type OpSpec } from "@tapegrad/autograd";
import { domainsOf, opInfos, sampleTensors, seededTensor, type OpInfo, type Sample, type Shape } from "./op-info.js";

// Generic tests over every op in the registry (PyTorch's OpInfo pattern): completeness,
// first- and second-order gradcheck on contiguous, transposed, narrowed and broadcast
// inputs, zero-size inputs, declared saves, ops without a derivative, and views.
// Agreement with PyTorch's values lives in torch.test.ts.

/** Elementwise kernels that only other kernels call, so no op reaches them through the namespace. */
const kernelsInsideOtherKernels: ReadonlyMap<string, string> = new Map([["square", "powScalar's fast path for p = 2, which x.pow(2) reaches"]]);
/** Elementwise kernels no op calls yet: @tapegrad/tensor exports them for work on arrays. */
const kernelsWithoutOp: ReadonlyMap<string, string> = new Map([
  ["positive", "the 0/1 mask [x > 0]; ReLU's backward uses passWherePositive instead"],
  ["pow", "elementwise xʸ of two arrays; the pow op takes a number exponent (powScalar)"],
]);

const specs = registeredOps() as ReadonlyMap<string, OpSpec<unknown>>;
const specOf = (info: OpInfo): OpSpec<unknown> => specs.get(info.name)!;
const callOf = (info: OpInfo, sample: Sample) => sample.call ?? info.call;

/** A seed per entry and sample, so each draws its own values and a rerun draws the same. */
function seedOf(info: OpInfo, index: number): number {
  let h = 2166136261;
  for (const c of `${info.name}#${index}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

const fmt = (shapes: readonly Shape[]) => shapes.map((shape) => `[${shape.join(",")}]`).join(" ");

/** Input positions that get a gradient in this sample. */
const differentiableIn = (info: OpInfo, sample: Sample): boolean[] => sample.shapes.map((_, i) => info.hasDerivative && info.differentiable[i] === true);

/** Which inputs require grad: all differentiable ones, then each alone (saves depend on it). */
function needsGradPatterns(info: OpInfo, sample: Sample): boolean[][] {
  const all = differentiableIn(info, sample);
  const singles = all.flatMap((d, i) => (d ? [all.map((_, j) => j === i)] : []));
  return singles.length > 1 ? [all, ...singles] : [all];
}
const describePattern = (pattern: readonly boolean[]) => `grad for input${pattern.filter(Boolean).length > 1 ? "s" : ""} ${pattern.flatMap((p, i) => (p ? [i] : [])).join(",")}`;

type Layout = "contiguous" | "transposed" | "narrowed" | "broadcast";
const layouts: readonly Layout[] = ["contiguous", "transposed", "narrowed", "broadcast"];

/** How a leaf of another shape becomes an input of `shape` with the layout; null when the layout does not apply. */
function place(shape: Shape, layout: Layout): { leafShape: Shape; view: (x: Tensor) => Tensor } | null {
  const n = shape.length;
  if (layout === "transposed" && n >= 2) {
    const order = shape.map((_, i) => n - 1 - i);
    return { leafShape: order.map((d) => shape[d]!), view: (x) => x.permute(order) };
  }
  if (layout === "narrowed" && n >= 1) return { leafShape: [shape[0]! + 2, ...shape.slice(1)], view: (x) => x.narrow(0, 1, shape[0]!) };
  const wide = shape.findIndex((size) => size > 1);
  if (layout === "broadcast" && wide >= 0) return { leafShape: shape.map((size, i) => (i === wide ? 1 : size)), view: (x) => x.expand(shape) };
  return null;
}

/** Leaves for a sample in a layout, and the function that views them as the op's inputs and calls it. */
function prepare(info: OpInfo, sample: Sample, index: number, layout: Layout, requiresGrad: readonly boolean[]) {
  const placed = sample.shapes.map((shape) => place(shape, layout));
  const leaves = sampleTensors(info, domainsOf(info, sample), sample.shapes.map((shape, i) => placed[i]?.leafShape ?? shape), seedOf(info, index), requiresGrad);
  const call = callOf(info, sample);
  const f = (...xs: Tensor[]) => call(...xs.map((x, i) => placed[i]?.view(x) ?? x));
  return { leaves, f, applies: layout === "contiguous" || placed.some((p) => p !== null) };
}

/**
 * ⟨∂(⟨op(x), v⟩)/∂x, w⟩ as a function of the inputs and of v: its gradient runs the VJP's
 * own VJP, in x and in the incoming gradient, as torch.autograd.gradgradcheck does.
 */
function gradientOfGradient(call: (...xs: Tensor[]) => Tensor, wanted: readonly boolean[], weights: readonly Tensor[]) {
  return (...args: Tensor[]): Tensor =>
    // gradcheck evaluates f under noGrad for its finite differences; the inner gradient must still be recorded.
    enableGrad(() => {
      const xs = args.slice(0, -1);
      const v = args[args.length - 1]!;
      const targets = xs.filter((_, i) => wanted[i]);
      const grads = gradients(call(...xs), targets, { gradOutputs: [v], createGraph: true });
      return grads.map((g, k) => g.mul(weights[k]!).sum()).reduce((total, term) => total.add(term));
    });
}

/** Inputs, v and weights for the second-order check of a sample. */
function secondOrderCase(info: OpInfo, sample: Sample, index: number, wanted: readonly boolean[]) {
  const seed = seedOf(info, index);
  const { leaves, f } = prepare(info, sample, index, "contiguous", wanted);
  const outShape = noGrad(() => f(...leaves)).shape;
  const v = seededTensor(outShape, seed + 1, true);
  const weights = leaves.filter((_, i) => wanted[i]).map((x, k) => seededTensor(x.shape, seed + 2 + k));
  return { inputs: [...leaves, v], f: gradientOfGradient(f, wanted, weights) };
}

/** Bumps a tensor's version as an in-place update would, without changing its values. */
const modifyInPlace = (t: Tensor) => noGrad(() => t.detach().add_(0));
const isBroadcastView = (t: Tensor) => t.array.strides.some((stride, d) => stride === 0 && t.shape[d]! > 1);

const tolerances = { eps: 1e-6, atol: 1e-5, rtol: 1e-3 };

// Every op's forward, wrapped to record that it ran: how the tests know an entry reaches its op
// (ops without a derivative leave no node to look at).
const ranForwards = new Set<string>();
const originalForwards = new Map<string, OpSpec<unknown>["forward"]>();
beforeAll(() => {
  for (const [name, spec] of specs) {
    const forward = spec.forward;
    originalForwards.set(name, forward);
    (spec as { forward: OpSpec<unknown>["forward"] }).forward = (inputs, params, context) => (ranForwards.add(name), forward(inputs, params, context));
  }
});
afterAll(() => {
  for (const [name, forward] of originalForwards) (specs.get(name) as { forward: OpSpec<unknown>["forward"] }).forward = forward;
});

describe("completeness: every op has an entry, and every entry is true to its op", () => {
  it("every registered op has an entry and every entry names a registered op, once", () => {
    const names = opInfos.map((info) => info.name);
    expect([...specs.keys()].filter((name) => !names.includes(name))).toEqual([]);
    expect(names.filter((name) => !specs.has(name))).toEqual([]);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it("every op states its rule, and every op with a derivative declares what its VJP saves", () => {
    for (const [name, spec] of specs) {
      expect(typeof spec.rule === "string" && spec.rule.trim().length > 0, `${name}: rule`).toBe(true);
      if (spec.vjp !== null) expect(typeof spec.save, `${name}: save`).toBe("function");
    }
  });

  it("entries agree with their specs on the derivative and the differentiable inputs", () => {
    for (const info of opInfos) {
      const spec = specOf(info);
      expect(info.hasDerivative, `${info.name}: hasDerivative`).toBe(spec.vjp !== null);
      const arity = Math.max(...[...info.samples, ...info.zeroSize].map((sample) => sample.shapes.length));
      expect(info.differentiable.length, `${info.name}: differentiable covers every input`).toBe(arity);
      const expected = info.differentiable.map((_, i) => spec.vjp !== null && !(spec.nondifferentiable ?? []).includes(i));
      expect(info.differentiable, `${info.name}: differentiable`).toEqual(expected);
      expect(spec.view === true && info.mayShareMemory === true, `${info.name}: view and mayShareMemory exclude each other`).toBe(false);
    }
  });

  for (const info of opInfos) {
    it(`${info.name}: each sample's call reaches the op, with the inputs in the op's order`, () => {
      [...info.samples, ...info.zeroSize].forEach((sample, index) => {
        const wanted = differentiableIn(info, sample);
        const { leaves, f } = prepare(info, sample, index, "contiguous", wanted);
        ranForwards.clear();
        const out = f(...leaves);
        expect(ranForwards.has(info.name), `${info.name} ${fmt(sample.shapes)}: forward ran`).toBe(true);
        if (!info.hasDerivative) return;
        const node = out.gradFn!;
        expect(node?.name, `${fmt(sample.shapes)}: the output's node`).toBe(info.name);
        leaves.forEach((leaf, i) => expect(wanted[i] ? node.edges[i]?.leaf : node.edges[i], `${fmt(sample.shapes)}: input ${i}`).toBe(wanted[i] ? leaf : null));
      });
    });
  }

  it("every named elementwise kernel is reached by an entry, or listed with the reason it is not", () => {
    reachedKernels.clear();
    opInfos.forEach((info) => {
      const sample = info.samples[0]!;
      if (!info.hasDerivative) {
        const { leaves, f } = prepare(info, sample, 0, "contiguous", []);
        f(...leaves);
        return;
      }
      // The forward, its VJP and the VJP's VJP.
      const { inputs, f } = secondOrderCase(info, sample, 0, differentiableIn(info, sample));
      const x = inputs.map((t) => t.detach().requiresGrad_(t.requiresGrad));
      const y = f(...x);
      if (y.requiresGrad) gradients(y, x.filter((t) => t.requiresGrad));
    });
    const named = kernels.elementwiseKernels().map((k) => k.name);
    const listed = [...kernelsInsideOtherKernels.keys(), ...kernelsWithoutOp.keys()];
    expect(listed.filter((name) => !named.includes(name)), "listed kernels that do not exist").toEqual([]);
    expect(listed.filter((name) => reachedKernels.has(name)), "listed kernels that an op reaches after all").toEqual([]);
    expect(named.filter((name) => !reachedKernels.has(name) && !listed.includes(name)), "kernels no entry reaches").toEqual([]);
  });
});

describe("gradcheck: first order, on contiguous, transposed, narrowed and broadcast inputs", () => {
  for (const info of opInfos.filter((i) => i.hasDerivative)) {
    info.samples.forEach((sample, index) => {
      for (const layout of layouts) {
        const patterns = layout === "contiguous" ? needsGradPatterns(info, sample) : [differentiableIn(info, sample)];
        for (const pattern of patterns) {
          if (!prepare(info, sample, index, layout, pattern).applies) continue;
          it(`${info.name} ${fmt(sample.shapes)} ${layout}, ${describePattern(pattern)}`, () => {
            const { leaves, f } = prepare(info, sample, index, layout, pattern);
            expect(gradcheck(f, leaves, tolerances).passed).toBe(true);
          });
        }
      }
    });
  }
});

describe("gradcheck: second order (the VJP's own VJP, in the inputs and in the incoming gradient)", () => {
  for (const info of opInfos.filter((i) => i.hasDerivative)) {
    info.samples.forEach((sample, index) => {
      for (const pattern of needsGradPatterns(info, sample)) {
        it(`${info.name} ${fmt(sample.shapes)}, ${describePattern(pattern)}`, () => {
          const { inputs, f } = secondOrderCase(info, sample, index, pattern);
          expect(gradcheck(f, inputs, tolerances).passed).toBe(true);
        });
      }
    });
  }
});

describe("zero-size inputs: the forward's shape, and backward runs", () => {
  for (const info of opInfos) {
    it(`${info.name} has a zero-size sample`, () => expect(info.zeroSize.length).toBeGreaterThan(0));
    info.zeroSize.forEach((sample, index) => {
      it(`${info.name} ${fmt(sample.shapes)} → [${sample.output.join(",")}]`, () => {
        const wanted = differentiableIn(info, sample);
        const { leaves, f } = prepare(info, sample, index, "contiguous", wanted);
        const out = f(...leaves);
        expect(out.shape).toEqual(sample.output);
        if (!info.hasDerivative) return;
        const targets = leaves.filter((_, i) => wanted[i]);
        const grads = gradients(out, targets, { gradOutputs: [ones([...out.shape])] });
        expect(grads.map((g) => g.shape)).toEqual(targets.map((x) => x.shape));
      });
    });
  }
});

describe("declared saves: backward refuses exactly the saved tensors modified in place", () => {
  for (const info of opInfos.filter((i) => i.hasDerivative)) {
    info.samples.forEach((sample, index) => {
      for (const pattern of needsGradPatterns(info, sample)) {
        it(`${info.name} ${fmt(sample.shapes)}, ${describePattern(pattern)}`, () => {
          const spec = specOf(info);
          const positions: (number | "output")[] = [...sample.shapes.map((_, i) => i), "output"];
          for (const position of positions) {
            const { leaves, f } = prepare(info, sample, index, "contiguous", pattern);
            const out = f(...leaves);
            const node = out.gradFn!;
            const saves = spec.save!(node.needsGrad, node.params);
            const target = position === "output" ? out : leaves[position]!;
            // An output that is a view of an input shares its version counter: the input's case covers it.
            if (position === "output" && leaves.some((x) => x.array.storage === out.array.storage)) continue;
            if (isBroadcastView(target)) continue;
            modifyInPlace(target);
            const saved = position === "output" ? saves.output === true : (saves.inputs ?? []).includes(position);
            const backward = () => gradients(out, leaves.filter((x) => x.requiresGrad), { gradOutputs: [seededTensor(out.shape, 7)] });
            if (saved) expect(backward, `${position} is saved`).toThrow(/modified in place/);
            else expect(backward, `${position} is not saved`).not.toThrow();
          }
        });
      }
    });
  }
});

describe("ops without a derivative: the output never requires grad", () => {
  for (const info of opInfos.filter((i) => !i.hasDerivative)) {
    it(info.name, () => {
      info.samples.forEach((sample, index) => {
        const { leaves, f } = prepare(info, sample, index, "contiguous", sample.shapes.map(() => true));
        const out = f(...leaves);
        expect(out.requiresGrad, fmt(sample.shapes)).toBe(false);
        expect(out.gradFn).toBeNull();
      });
    });
  }
});

describe("views: a view op's output shares input 0's memory; other ops' outputs do not share an input's", () => {
  for (const info of opInfos) {
    const view = specOf(info).view === true;
    if (!view && info.mayShareMemory) continue;
    it(`${info.name}${view ? " (view)" : ""}`, () => {
      info.samples.forEach((sample, index) => {
        for (const layout of layouts) {
          const { leaves, f, applies } = prepare(info, sample, index, layout, differentiableIn(info, sample));
          if (!applies) continue;
          const out = f(...leaves);
          const shares = leaves.map((x) => x.array.storage === out.array.storage);
          expect(view ? shares[0] : shares.some(Boolean), `${fmt(sample.shapes)} ${layout}`).toBe(view);
        }
      });
    });
  }
});
