import { describe, expect, it } from "vitest";
import { NDArray, TapegradError, ShapeError } from "@tapegrad/tensor";
import {
  AnomalyError,
  AutogradError,
  GradcheckError,
  Tensor,
  defineOp,
  detectAnomaly,
  gradcheck,
  gradients,
  grad,
  isGradEnabled,
  noGrad,
  randn,
  tensor,
  topologicalOrder,
  zeros,
  valueAndGrad,
  vjp,
} from "@tapegrad/autograd";

describe("backward", () => {
  it("sums gradients of a tensor used several times (x·x + x)", () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    x.mul(x).add(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, -3, 7]); // 2x + 1
  });

  it("handles a diamond: two paths from x to the output", () => {
    const x = tensor(2, { requiresGrad: true });
    const a = x.exp();
    const y = a.mul(a.sin()).add(a); // y = eˣ·sin(eˣ) + eˣ
    y.backward();
    const e = Math.exp(2);
    expect(x.grad!.item()).toBeCloseTo(e * Math.sin(e) + e * e * Math.cos(e) + e, 12);
  });

  it("accumulates into .grad across two backward calls, as PyTorch", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.pow(2).sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
  });

  it("refuses a second backward through a freed graph, naming the op that saved something", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(AutogradError);
    // sum saves nothing, so (as in PyTorch) the refusal comes from exp, which saved its output.
    expect(() => y.backward()).toThrow(/exp\(\[2\]\).*already freed.*retainGraph/);
  });

  it("runs a second backward through ops that saved nothing, as PyTorch", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.add(1).neg().sum();
    y.backward();
    y.backward();
    expect(x.grad!.toArray()).toEqual([-2, -2]);
  });

  it("frees every node's saved tensors after backward", () => {
    const x = randn([3, 4], { seed: 1, requiresGrad: true });
    const w = randn([4, 2], { seed: 2, requiresGrad: true });
    const loss = x.matmul(w).tanh().softmax(1).sum();
    const nodes = topologicalOrder([loss.gradFn!]);
    expect(nodes.length).toBeGreaterThan(4);
    expect(nodes.some((n) => n.savedTensors().output !== undefined || n.savedTensors().inputs.some(Boolean))).toBe(true);
    loss.backward();
    for (const node of nodes) {
      const saved = node.savedTensors();
      expect(saved.output).toBeUndefined();
      expect(saved.inputs.filter(Boolean)).toEqual([]);
    }
  });

  it("keeps saved tensors with retainGraph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    expect(y.gradFn!.released).toBe(false);
  });

  it("needs an explicit gradient for non-scalar outputs", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/grad can be omitted only for one-element outputs; pass a gradient of shape \[2\]/);
    expect(() => y.backward(tensor([1, 2, 3]))).toThrow(/grad has shape \[3\] but the output has shape \[2\]/);
    y.backward(tensor([1, 10]));
    expect(x.grad!.toArray()).toEqual([2, 20]);
  });

  it("refuses tensors that do not require grad", () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
    const x = tensor([1], { requiresGrad: true });
    expect(() => noGrad(() => x.mul(2)).sum().backward()).toThrow(AutogradError);
  });

  it("refuses backward after a saved tensor was changed in place, before any gradient changes", () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const x = tensor([[1, 1]], { requiresGrad: true });
    const y = x.matmul(w.t()).sum(); // saves the transposed view of w, for ∂x = g·w
    noGrad(() => w.sub_(1)); // e.g. optimizer.step()
    expect(() => y.backward()).toThrow(/input 1 \(shape \[2,2\], now at version 1\) of matmul\(\[1,2\], \[2,2\]\) was modified in place/);
    expect(w.grad).toBeNull();
    expect(y.gradFn!.released).toBe(false);
  });

  it("refuses in-place changes of tensors that require grad while recording", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    expect(() => w.add_(1)).toThrow(/in-place change of a tensor that requires grad.*noGrad/);
    noGrad(() => w.add_(1));
    expect(w.toArray()).toEqual([2, 3]);
  });
});

describe("grad mode", () => {
  it("noGrad records nothing and returns fn's result", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = noGrad(() => x.mul(3));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.toArray()).toEqual([3, 6]);
  });

  it("noGrad restores the previous mode even when fn throws", () => {
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(() => noGrad(() => { throw new Error("inner"); })).toThrow("inner");
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  it("detach cuts the graph but shares memory", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const y = x.mul(d).sum();
    y.backward();
    expect(x.grad!.toArray()).toEqual([2, 4]); // d is a constant
  });
});

describe("higher-order gradients", () => {
  it("grad of grad of x³ is 6x", () => {
    const f = (x: Tensor) => x.pow(3).sum();
    const d2 = grad(grad(f));
    expect(d2(tensor(2)).item()).toBeCloseTo(12, 12);
    expect(grad(grad(f))(tensor(-1.5)).item()).toBeCloseTo(-9, 12);
  });

  it("backward with createGraph, then backward of the gradient", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    x.grad = null;
    g.sum().backward();
    expect(x.grad!.toArray()).toEqual([6, 12, 18]);
  });

  it("Hessian-vector products of a small tanh MLP match finite differences of the gradient", () => {
    const X = randn([5, 3], { seed: 3 });
    const Y = randn([5, 1], { seed: 4 });
    const w1Shape = [3, 4];
    const loss = (w: Tensor) => {
      const w1 = w.narrow(0, 0, 12).reshape(w1Shape);
      const w2 = w.narrow(0, 12, 4).reshape(4, 1);
      return X.matmul(w1).tanh().matmul(w2).sub(Y).pow(2).mean();
    };
    const w0 = randn([16], { seed: 5 }).toFloat64Array();
    const v = randn([16], { seed: 6 }).toFloat64Array();
    // Hv by double backward.
    const w = tensor(w0.slice(), { requiresGrad: true });
    const [g] = gradients(loss(w), [w], { createGraph: true });
    const [hv] = gradients(g!.mul(tensor(v)).sum(), [w]);
    // Hv by central differences of the gradient.
    const eps = 1e-5;
    const gradAt = (values: Float64Array) => grad(loss)(tensor(values)).toFloat64Array();
    const gp = gradAt(Float64Array.from(w0, (x, i) => x + eps * v[i]!));
    const gm = gradAt(Float64Array.from(w0, (x, i) => x - eps * v[i]!));
    const fd = Float64Array.from(gp, (x, i) => (x - gm[i]!) / (2 * eps));
    const analytic = hv!.toFloat64Array();
    for (let i = 0; i < 16; i++) expect(Math.abs(analytic[i]! - fd[i]!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd[i]!)));
  });
});

describe("functional", () => {
  it("grad gives one tensor for one input and an array for several", () => {
    const one = grad((x: Tensor) => x.mul(x).sum())(tensor([1, 2]));
    expect(one.toArray()).toEqual([2, 4]);
    const many = grad((a: Tensor, b: Tensor) => a.mul(b).sum())(tensor([1, 2]), tensor([3, 4]));
    expect(many.map((t) => t.toArray())).toEqual([[3, 4], [1, 2]]);
  });

  it("valueAndGrad returns both, positionally and by name", () => {
    const result = valueAndGrad((x: Tensor) => x.exp().sum())(tensor([0, 1]));
    const [value, g] = result;
    expect(value.item()).toBeCloseTo(1 + Math.E, 14);
    expect(g.toArray()).toEqual([1, Math.E]);
    expect(result.value).toBe(value);
    expect(result.grad).toBe(g);
  });

  it("vjp multiplies the cotangent by the Jacobian", () => {
    const x = tensor([1, 2, 3]);
    const [out, v] = vjp((t) => t.pow(2), x, tensor([1, 0, -1]));
    expect(out.toArray()).toEqual([1, 4, 9]);
    expect(v.toArray()).toEqual([2, 0, -6]);
    const result = vjp((a, b) => a.mul(b), [tensor([1, 2]), tensor([3, 4])], tensor([1, 1]));
    expect(result.vjp.map((t) => t.toArray())).toEqual([[3, 4], [1, 2]]);
    expect(() => vjp((t) => t.pow(2), x, tensor([1, 2]))).toThrow(/grad has shape \[2\] but the output has shape \[3\]/);
  });

  it("gradients leaves .grad untouched", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = gradients(x.mul(x).sum(), [x]);
    expect(g!.toArray()).toEqual([2, 4]);
    expect(x.grad).toBeNull();
  });
});

describe("gradcheck", () => {
  it("passes on correct ops and reports what it compared", () => {
    const report = gradcheck((a, b) => a.matmul(b).tanh(), [randn([2, 3], { seed: 1, requiresGrad: true }), randn([3, 2], { seed: 2, requiresGrad: true })]);
    expect(report.passed).toBe(true);
    expect(report.checked).toBe(4 * 6 + 4 * 6);
  });

  it("catches a VJP that is off by a factor of 2 and names the worst element", () => {
    const wrong = defineOp({
      name: "wrongSquare",
      rule: "∂x = 4x·g (wrong: should be 2x·g)",
      forward: ([x]) => new NDArray(x!.values().map((v) => v * v), x!.shape),
      vjp: (g, { inputs: [x] }) => [g.mul(x!).mul(4)],
    });
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => gradcheck((t) => wrong([t], undefined), [x])).toThrow(GradcheckError);
    expect(() => gradcheck((t) => wrong([t], undefined), [x])).toThrow(/input 0 \(shape \[3\]\) at element 2, output element 2: analytic 12, numeric 6/);
    const report = gradcheck((t) => wrong([t], undefined), [x], { raiseException: false });
    expect(report.passed).toBe(false);
    expect(report.worst).toMatchObject({ input: 0, element: 2, output: 2 });
  });

  it("refuses inputs that do not require grad", () => {
    expect(() => gradcheck((t) => t.exp(), [tensor([1])])).toThrow(/no input requires grad/);
  });
});

describe("detectAnomaly", () => {
  it("detectAnomaly names the op that produced NaN, in forward and in backward", () => {
    const x = tensor([-1, 2], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.log())).toThrow(AnomalyError);
    expect(() => detectAnomaly(() => x.log())).toThrow(/log\(\[2\]\): forward produced NaN/);
    const z = tensor([0, 4], { requiresGrad: true });
    expect(() => detectAnomaly(() => z.sqrt().sum().backward())).toThrow(/sqrt\(\[2\]\): backward produced Infinity/);
    // Without anomaly mode NaN flows silently, as in PyTorch.
    expect(Number.isNaN(x.log().toFloat64Array()[0])).toBe(true);
  });
});

describe("errors name the op and the shapes", () => {
  it("shape errors", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => a.add(tensor([1, 2]))).toThrow(/add: cannot broadcast \[2,3\] with \[2\]/);
    expect(() => a.matmul(tensor([[1, 2]]))).toThrow(/matmul: \[2,3\] @ \[1,2\]: inner sizes 3 and 1 differ/);
    expect(() => a.reshape(4, 2)).toThrow(/reshape: cannot reshape \[2,3\]/);
    expect(() => a.sum(2)).toThrow(/sum: dimension 2 is out of range/);
    expect(() => a.narrow(1, 2, 2)).toThrow(/narrow: start 2 and length 2/);
    for (const f of [() => a.add(tensor([1, 2])), () => a.reshape(5)]) {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ShapeError);
        expect(e).toBeInstanceOf(TapegradError);
      }
    }
  });

  it("type errors for wrong operands", () => {
    const a = tensor([1, 2]);
    expect(() => a.add("3" as never)).toThrow(/add: expected a Tensor or a number, got string/);
    expect(() => a.mul([1, 2] as never)).toThrow(/mul: expected a Tensor or a number, got an array/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([1, "x" as never])).toThrow(/expected a number at \[1\]/);
  });
});

describe("accumulation into .grad, as PyTorch's AccumulateGrad", () => {
  it("writes through a .grad that is a view, at its own offset and strides (E4, E5)", () => {
    const p = tensor([1, 2, 3], { requiresGrad: true });
    const big = zeros([6]);
    p.grad = big.narrow(0, 3, 3);
    p.mul(2).sum().backward();
    expect(p.grad!.toArray()).toEqual([2, 2, 2]);
    expect(big.toArray()).toEqual([0, 0, 0, 2, 2, 2]);

    const q = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const base = tensor([[0, 0], [10, 0]]);
    q.grad = base.transpose(0, 1); // [[0, 10], [0, 0]] seen through q.grad
    q.mul(tensor([[1, 2], [3, 4]])).sum().backward();
    expect(q.grad!.toArray()).toEqual([[1, 12], [3, 4]]);
    expect(base.toArray()).toEqual([[1, 3], [12, 4]]);
  });

  it("after a createGraph backward, a plain backward adds to the cloned gradient (E6)", () => {
    const y = tensor([1, 2, 3], { requiresGrad: true });
    y.sum().backward(undefined, { createGraph: true });
    y.sum().backward();
    expect(y.grad!.toArray()).toEqual([2, 2, 2]);
  });

  it("never aliases the caller's seed as .grad (E7)", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const seed = tensor([5, 6]);
    a.add(1).backward(seed, { createGraph: true });
    expect(a.grad).not.toBe(seed);
    a.add(1).backward(seed);
    expect(seed.toArray()).toEqual([5, 6]);
    expect(a.grad!.toArray()).toEqual([10, 12]);
    const b = tensor([1, 2], { requiresGrad: true });
    b.backward(seed);
    expect(b.grad).not.toBe(seed);
    b.backward(seed);
    expect(seed.toArray()).toEqual([5, 6]);
  });

  it("accumulates into a leaf once per backward, with the sum over its uses (E10)", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    x.registerHook((g) => void seen.push(g.toArray() as number[]));
    x.mul(3).add(x.mul(4)).sum().backward();
    expect(seen).toEqual([[7, 7]]);
    expect(x.grad!.toArray()).toEqual([7, 7]);
  });

  it("replaces a broadcast .grad rather than writing through its stride 0", () => {
    const p = tensor([1, 2, 3], { requiresGrad: true });
    p.grad = tensor([1]).expand(3);
    p.mul(tensor([1, 2, 3])).sum().backward();
    expect(p.grad!.toArray()).toEqual([2, 3, 4]);
  });
});

describe("declared saves: backward checks only what a VJP reads", () => {
  it("runs when an input the VJP does not read was changed in place (E2, E3)", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const loss = w.add(1).sum();
    noGrad(() => w.add_(1));
    loss.backward();
    expect(w.grad!.toArray()).toEqual([1, 1, 1]);

    const v = tensor([1, 2], { requiresGrad: true });
    const total = v.sum();
    noGrad(() => v.mul_(3));
    total.backward();
    expect(v.grad!.toArray()).toEqual([1, 1]);
  });

  it("still refuses when a saved input changed, and shares the count across views and detach", () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const loss = w.log().sum();
    noGrad(() => w.detach().narrow(0, 1, 1).mul_(2));
    expect(w.version).toBe(1);
    expect(() => loss.backward()).toThrow(/input 0 .* of log\(\[3\]\) was modified in place/);
  });

  it("keeps only declared saves alive: 40 add/neg ops on 10⁶ values pin no activation", () => {
    const x = randn([1_000_000], { seed: 3, requiresGrad: true });
    const held = new Set<unknown>();
    let h = x;
    for (let i = 0; i < 20; i++) h = h.add(1).neg();
    const loss = h.sum();
    for (const node of topologicalOrder([loss.gradFn!])) {
      const saved = node.savedTensors();
      saved.inputs.forEach((t) => t && held.add(t));
      if (saved.output) held.add(saved.output);
    }
    expect(held.size).toBe(0);
    loss.backward();
    expect(x.grad!.array.values().slice(0, 2)).toEqual(Float64Array.of(1, 1));
  });

  it("tells a VJP that reads an undeclared output what is wrong", () => {
    const sneaky = defineOp({
      name: "sneakyOutputReader",
      rule: "∂x = g·y",
      save: () => ({}),
      forward: ([x]) => x!.clone(),
      vjp: (g, { output }) => [g.mul(output)],
    });
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => sneaky([x], undefined).sum().backward()).toThrow(/sneakyOutputReader: its VJP read the output, which the op does not declare in save/);
  });

  it("passes values a forward kept to its VJP, and drops them after backward", () => {
    let keptSeen: unknown;
    const scaled = defineOp({
      name: "keepsItsScale",
      rule: "∂x = g·k",
      save: () => ({}),
      forward: ([x], _, context) => {
        context.keep(context.recording ? 3 : undefined);
        return x!.reshape(x!.shape).clone();
      },
      vjp: (g, { kept }) => {
        keptSeen = kept;
        return [g.mul(kept as number)];
      },
    });
    const x = tensor([1, 2], { requiresGrad: true });
    const y = scaled([x], undefined).sum();
    y.backward();
    expect(keptSeen).toBe(3);
    expect(x.grad!.toArray()).toEqual([3, 3]);
    expect(() => y.backward()).toThrow(/keepsItsScale.*already freed/);
  });
});

describe("gradients() runs only what leads to the requested inputs", () => {
  it("does not run a VJP on a branch that reaches no requested input (E8)", () => {
    let calls = 0;
    const spy = defineOp({
      name: "pruningSpy",
      rule: "∂x = g",
      save: () => ({}),
      forward: ([x]) => x!,
      vjp: (g) => {
        calls++;
        return [g];
      },
    });
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    const loss = x.mul(2).add(spy([w], undefined)).sum();
    const [gx] = gradients(loss, [x]);
    expect(gx!.toArray()).toEqual([2, 2]);
    expect(calls).toBe(0);
    expect(w.grad).toBeNull();
  });

  it("accepts a lone tensor as inputs and gradOutputs, as torch.autograd.grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = gradients(x.mul(x), x, { gradOutputs: tensor([1, 10]) });
    expect(g!.toArray()).toEqual([2, 40]);
  });

  it("returns a non-leaf's gradient without running the nodes below it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.exp();
    const [gh] = gradients(h.mul(3).sum(), [h]);
    expect(gh!.toArray()).toEqual([3, 3]);
    expect(x.grad).toBeNull();
  });
});

describe("where and pow(0) give 0, not NaN, under an infinite gradient (E9)", () => {
  it("where", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const c = tensor([1, 0]);
    const [ga, gb] = gradients(a.where(c, b), [a, b], { gradOutputs: [tensor([Infinity, 1])] });
    expect(ga!.toArray()).toEqual([Infinity, 0]);
    expect(gb!.toArray()).toEqual([0, 1]);
  });

  it("pow(0)", () => {
    const x = tensor([0, 2], { requiresGrad: true });
    const [gx] = gradients(x.pow(0), [x], { gradOutputs: [tensor([Infinity, NaN])] });
    expect(gx!.toArray()).toEqual([0, 0]);
  });
});

describe("tensor hooks and retainGrad, with PyTorch's order", () => {
  it("a hook on a non-leaf sees the summed gradient once and may replace it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(2);
    const seen: number[][] = [];
    h.registerHook((g) => {
      seen.push(g.toArray() as number[]);
      return g.mul(10);
    });
    h.add(h).sum().backward();
    expect(seen).toEqual([[2, 2]]);
    expect(x.grad!.toArray()).toEqual([40, 40]);
  });

  it("hooks run in registration order, a removed hook does not run, and a wrong shape is refused", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const order: string[] = [];
    x.registerHook(() => void order.push("a"));
    const handle = x.registerHook(() => void order.push("b"));
    x.registerHook(() => void order.push("c"));
    handle.remove();
    x.sum().backward();
    expect(order).toEqual(["a", "c"]);
    const y = tensor([1, 2], { requiresGrad: true });
    y.registerHook(() => tensor([1, 2, 3]));
    expect(() => y.sum().backward()).toThrow(/hook on a leaf of shape \[2\]: returned \[3\] where a gradient of shape \[2\]/);
    expect(() => tensor([1]).registerHook(() => undefined)).toThrow(/does not require grad/);
  });

  it("a hook on x.transpose(0, 0) or x.t() of a vector never lands on x", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.transpose(0, 0);
    expect(y).not.toBe(x);
    const v = tensor([1, 2], { requiresGrad: true });
    expect(v.t()).not.toBe(v);
    expect(x.expand(2, 2)).not.toBe(x);
    let calls = 0;
    y.registerHook(() => void calls++);
    x.sum().backward();
    expect(calls).toBe(0);
  });

  it("a leaf's hooks run and its .grad is filled as soon as its last use has run, as PyTorch's AccumulateGrad", () => {
    const a = tensor([0.5, -1], { requiresGrad: true });
    const w = tensor([2, 3], { requiresGrad: true });
    const h = a.exp();
    const order: string[] = [];
    let wGradSeenByH: number[] | null = null;
    h.registerHook(() => {
      order.push("h");
      wGradSeenByH = w.grad ? (w.grad.toArray() as number[]) : null;
    });
    w.registerHook(() => void order.push("w"));
    a.registerHook(() => void order.push("a"));
    // w is used twice, both above h: its hook runs once, after its second use, with the sum.
    h.mul(w).add(w.mul(4)).sum().backward();
    expect(order).toEqual(["w", "h", "a"]);
    expect(wGradSeenByH).toEqual([Math.exp(0.5) + 4, Math.exp(-1) + 4]);
  });

  it("retainGrad keeps an intermediate's gradient and accumulates it across backwards", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    h.retainGrad();
    expect(h.retainsGrad).toBe(true);
    const y = h.mul(h).sum();
    y.backward(undefined, { retainGraph: true });
    expect(h.grad!.toArray()).toEqual([6, 12]);
    y.backward();
    expect(h.grad!.toArray()).toEqual([12, 24]);
  });

  it("retainGrad sees the gradient after the tensor's hooks changed it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(1);
    h.retainGrad();
    h.registerHook((g) => g.mul(2));
    h.sum().backward();
    expect(h.grad!.toArray()).toEqual([2, 2]);
    expect(x.grad!.toArray()).toEqual([2, 2]);
  });
});
