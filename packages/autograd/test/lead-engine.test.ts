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
  toDot,
  toSvg,
  topologicalOrder,
  traceBackward,
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

  it("refuses a second backward through a freed graph, naming the op", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(AutogradError);
    expect(() => y.backward()).toThrow(/sum\(\[2\]\).*already freed.*retainGraph/);
  });

  it("frees every node's saved tensors after backward", () => {
    const x = randn([3, 4], { seed: 1, requiresGrad: true });
    const w = randn([4, 2], { seed: 2, requiresGrad: true });
    const loss = x.matmul(w).tanh().softmax(1).sum();
    const nodes = topologicalOrder([loss.gradFn!]);
    expect(nodes.length).toBeGreaterThan(4);
    loss.backward();
    for (const node of nodes) {
      expect(node.released).toBe(true);
      expect(node.context).toBeNull();
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
    const x = tensor([[1, 1]]);
    const y = x.matmul(w.t()).sum(); // saves the transposed view of w
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

describe("study tools", () => {
  it("traceBackward lists the VJPs in order with shapes, broadcast dims and norms", () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const b = tensor([1, -1], { requiresGrad: true });
    const y = x.add(b).relu().sum();
    const trace = traceBackward(y);
    expect(trace.steps.map((s) => s.op)).toEqual(["sum", "relu", "add"]);
    const add = trace.steps[2]!;
    expect(add.inputShapes).toEqual([[2, 2], [2]]);
    expect(add.outputShape).toEqual([2, 2]);
    expect(add.reducedDims).toEqual([[], [0]]);
    // x + b = [[2,1],[4,3]]: all positive, so every gradient is 1; b's is 2 per entry.
    expect(add.gradOutput.norm).toBeCloseTo(2, 14);
    expect(add.gradInputs[1]!.norm).toBeCloseTo(Math.sqrt(8), 14);
    expect(add.rule).toBe("∂a = g, ∂b = g");
    const table = String(trace).split("\n");
    expect(table.length).toBe(2 + 3);
    expect(JSON.parse(JSON.stringify(trace))).toHaveLength(3);
    expect(b.grad!.toArray()).toEqual([2, 2]);
  });

  it("toDot is well-formed: every edge references declared nodes", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    const dot = toDot(x.mul(w).exp().sum());
    expect(dot.startsWith('digraph "tapegrad" {')).toBe(true);
    expect(dot.trim().endsWith("}")).toBe(true);
    const declared = new Set([...dot.matchAll(/^\s+(n\d+) \[/gm)].map((m) => m[1]));
    const edges = [...dot.matchAll(/^\s+(n\d+) -> (n\d+)/gm)];
    expect(declared.size).toBe(5); // sum, exp, mul, two leaves
    expect(edges.length).toBe(4);
    for (const [, from, to] of edges) {
      expect(declared.has(from)).toBe(true);
      expect(declared.has(to)).toBe(true);
    }
  });

  it("toSvg draws one box per op and leaf", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const svg = toSvg(x.mul(2).sum(), { names: { x } });
    expect(svg).toMatch(/^<\?xml/);
    // x, mul and sum: the constant 2 needs no gradient, so it has no edge.
    expect((svg.match(/<g class="(op|leaf|output)">/g) ?? []).length).toBe(3);
    expect(svg).toContain(">x<");
  });

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
