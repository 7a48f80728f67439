import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator } from "@tapegrad/tensor";
import { Tensor, defineOp, gradients, linear, traceBackward, type VjpInfo } from "@tapegrad/autograd";

// A plain backward lets ReLU, sigmoid and tanh write their gradient into the incoming one,
// sums pending gradients into one it owns, and takes a leaf's first gradient instead of
// copying it, whenever the engine saw the memory born during the backward and handed on
// once. Whatever the graph, the gradients must be exactly those of a backward that never
// reuses memory (a recorded backward, createGraph, never does).

const bits = (t: Tensor) => Array.from(new BigUint64Array(Float64Array.from(t.array.values()).buffer), (b) => b.toString(16));

type Act = "relu" | "sigmoid" | "tanh" | "none";
const actArb = fc.constantFrom<Act>("relu", "sigmoid", "tanh", "none");
const apply = (x: Tensor, act: Act) => (act === "relu" ? x.relu() : act === "sigmoid" ? x.sigmoid() : act === "tanh" ? x.tanh() : x);

interface Net {
  params: Tensor[];
  loss: () => Tensor;
}

/** A random MLP, optionally with a skip connection that reuses an activation and a reshape in the middle. */
function net(g: Generator, widths: number[], acts: Act[], skip: boolean, reshape: boolean, batch: number): Net {
  const x = new Tensor(g.normalArray([batch, widths[0]!]));
  const params: Tensor[] = [];
  const layers = widths.slice(1).map((w, i) => {
    const weight = new Tensor(g.normalArray([w, widths[i]!]), { requiresGrad: true });
    const bias = new Tensor(g.normalArray([w]), { requiresGrad: true });
    params.push(weight, bias);
    return { weight, bias };
  });
  const loss = () => {
    let h = x;
    let kept: Tensor | null = null;
    layers.forEach(({ weight, bias }, i) => {
      h = apply(linear(h, weight, bias), acts[i % acts.length]!);
      if (reshape && i === 0) h = h.reshape(-1).reshape(batch, -1);
      if (skip && i === 0) kept = h;
      if (skip && kept && i > 0 && h.shape[1] === (kept as Tensor).shape[1]) h = h.add(kept);
    });
    return h.mul(h).sum();
  };
  return { params, loss };
}

describe("gradients written into their incoming gradient", () => {
  it("equal a backward that reuses nothing, bit for bit, on any MLP", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 5 }),
        fc.array(actArb, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        (widths, acts, skip, reshape, batch, seed) => {
          const { params, loss } = net(new Generator(seed), widths, acts, skip, reshape, batch);
          const expected = gradients(loss(), params, { createGraph: true });
          loss().backward();
          params.forEach((p, i) => expect(bits(p.grad!)).toEqual(bits(expected[i]!)));
          // A second plain backward accumulates exactly the same again.
          const first = params.map((p) => Array.from(p.grad!.array.values()));
          loss().backward();
          params.forEach((p, i) => expect(Array.from(p.grad!.array.values())).toEqual(first[i]!.map((v) => v + v)));
        },
      ),
      { numRuns: 120 },
    );
  });

  const seen: boolean[] = [];
  /** An identity op that records whether its VJP was told it owns g. */
  const spyOp = defineOp({
    name: "ownershipSpy",
    rule: "∂x = g",
    save: () => ({}),
    view: true,
    forward: ([x]) => x!,
    vjp: (g, _context, info: VjpInfo) => {
      seen.push(info.ownsGrad);
      return [g];
    },
  });
  const s = (x: Tensor) => spyOp([x], undefined);

  it("is offered for a gradient born in this backward and handed on once, with no one watching", () => {
    const g = new Generator(1);
    const w = new Tensor(g.normalArray([3, 4]), { requiresGrad: true });
    const x = new Tensor(g.normalArray([2, 4]), { requiresGrad: true });
    seen.length = 0;

    linear(s(x), w).sum().backward();
    expect(seen).toEqual([true]); // linear's ∂x is fresh and goes to the spy alone

    seen.length = 0;
    s(linear(x, w)).sum().backward();
    expect(seen).toEqual([false]); // sum's gradient is a broadcast view

    seen.length = 0;
    const shared = s(x);
    linear(shared, w).add(linear(shared, w)).sum().backward();
    expect(seen).toEqual([true]); // two fresh gradients, summed into the first in place

    seen.length = 0;
    linear(s(x).mul(1).add(0), w).sum().backward();
    expect(seen).toEqual([true]); // add hands its owned g on once; mul's result is fresh

    seen.length = 0;
    const twice = s(x);
    const h = linear(twice, w);
    h.add(h).sum().backward();
    expect(seen).toEqual([true]); // add returns g to both sides: summed into a fresh buffer

    seen.length = 0;
    gradients(linear(s(x), w).sum(), [x]);
    expect(seen).toEqual([true]); // gradients() reuses memory too: only returned tensors are watched

    seen.length = 0;
    const watched = s(x);
    const hooked = linear(watched, w);
    hooked.registerHook(() => undefined);
    hooked.sum().backward();
    const retained = s(x);
    retained.retainGrad();
    linear(retained, w).sum().backward();
    const captured = s(x);
    gradients(linear(captured, w).sum(), [captured, x]);
    traceBackward(linear(s(x), w).sum());
    linear(s(x), w).sum().backward(undefined, { createGraph: true });
    // A hook on another tensor watches only that one; retainGrad keeps a copy, as PyTorch,
    // so it does not watch either; returned by gradients(), traced and recorded do.
    expect(seen).toEqual([true, true, false, false, false]);
  });

  it("is not offered after a hook or a capture saw the gradient", () => {
    const g = new Generator(3);
    const w = new Tensor(g.normalArray([3, 4]), { requiresGrad: true });
    const x = new Tensor(g.normalArray([2, 4]), { requiresGrad: true });
    const kept: Tensor[] = [];
    seen.length = 0;
    const y = s(x);
    y.registerHook((grad) => void kept.push(grad));
    linear(y, w).sum().backward();
    // The hook runs on the spy's output gradient, before its VJP: it may keep it.
    expect(seen).toEqual([false]);
    const before = kept[0]!.toArray();
    linear(x, w).sum().backward();
    expect(kept[0]!.toArray()).toEqual(before);
  });

  it("is offered again once the hook that watched the gradient is removed", () => {
    const g = new Generator(5);
    const w = new Tensor(g.normalArray([3, 4]), { requiresGrad: true });
    const x = new Tensor(g.normalArray([2, 4]), { requiresGrad: true });
    seen.length = 0;
    const y = s(x);
    y.registerHook(() => undefined).remove();
    linear(y, w).sum().backward();
    expect(seen).toEqual([true]);
  });

  it("takes a leaf's first gradient without copying it, and adds later ones in place", () => {
    const g = new Generator(4);
    const w = new Tensor(g.normalArray([3, 4]), { requiresGrad: true });
    const x = new Tensor(g.normalArray([2, 4]), { requiresGrad: true });
    linear(x, w).sum().backward();
    const first = w.grad!;
    const storage = first.array.storage;
    linear(x, w).sum().backward();
    expect(w.grad).toBe(first);
    expect(w.grad!.array.storage).toBe(storage);
    expect(first.version).toBe(1);
  });

  it("never touches a gradient the caller passed in", () => {
    const g = new Generator(2);
    const x = new Tensor(g.normalArray([3, 4]), { requiresGrad: true });
    const seed = new Tensor(g.normalArray([3, 4]));
    const before = seed.toArray();
    x.relu().backward(seed);
    x.sigmoid().backward(seed);
    expect(seed.toArray()).toEqual(before);
  });
});
