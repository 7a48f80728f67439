import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator } from "@tapegrad/tensor";
import { Tensor, defineOp, gradients, linear, traceBackward, type VjpInfo } from "@tapegrad/autograd";

// A plain backward lets ReLU, sigmoid and tanh write their gradient into the incoming one
// when the engine can prove nobody else holds it. Whatever the graph, the gradients must
// be exactly those of a backward that never reuses memory (gradients() captures, so it
// never does).

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
          const expected = gradients(loss(), params);
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

  /** An identity op that records whether its VJP was offered g as scratch. */
  function spy(seen: boolean[]) {
    const op = defineOp({
      name: "spy",
      rule: "∂x = g",
      forward: ([x]) => x!,
      vjp: (g, _context, info: VjpInfo) => {
        seen.push(info.gradIsScratch);
        return [g];
      },
    });
    return (x: Tensor) => op([x], undefined);
  }

  it("is offered only for a gradient a matmul just made, sent to one node, with no one watching", () => {
    const g = new Generator(1);
    const w = new Tensor(g.normalArray([3, 4]), { requiresGrad: true });
    const x = new Tensor(g.normalArray([2, 4]), { requiresGrad: true });
    const seen: boolean[] = [];
    const s = spy(seen);

    linear(s(x), w).sum().backward();
    expect(seen).toEqual([true]); // linear's ∂x is fresh and goes to the spy alone

    seen.length = 0;
    s(linear(x, w)).sum().backward();
    expect(seen).toEqual([false]); // sum's gradient is a broadcast view

    seen.length = 0;
    const shared = s(x);
    linear(shared, w).add(linear(shared, w)).sum().backward();
    expect(seen).toEqual([false]); // two gradients were summed: fresh, but not marked

    seen.length = 0;
    linear(s(x).mul(1).add(0), w).sum().backward();
    expect(seen).toEqual([false]); // add passes g through; mul made a new one, unmarked

    seen.length = 0;
    gradients(linear(s(x), w).sum(), [w]);
    traceBackward(linear(s(x), w).sum());
    linear(s(x), w).sum().backward(undefined, { createGraph: true });
    expect(seen).toEqual([false, false, false]); // capturing, tracing, recording
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
