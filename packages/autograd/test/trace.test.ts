import { describe, expect, it } from "vitest";
import { DataError, Tensor, gradients, tensor, traceBackward } from "@tapegrad/autograd";

// A two-layer network written from primitives, with a data input x that needs no gradient.
function network() {
  const x = tensor([[0.5, -1], [2, 0.25], [-0.75, 1.5]]);
  const W1 = tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6], [0.7, -0.8]], { requiresGrad: true });
  const b1 = tensor([0.01, -0.02, 0.03, -0.04], { requiresGrad: true });
  const W2 = tensor([[0.9, -1.1, 1.2, -0.3]], { requiresGrad: true });
  const h = x.matmul(W1.t()).add(b1).tanh();
  const out = h.matmul(W2.t());
  const loss = out.pow(2).mean();
  return { x, W1, b1, W2, h, out, loss };
}

const flat = (t: Tensor) => Array.from(t.toFloat64Array());

describe("traceBackward", () => {
  it("lists the VJPs in order with shapes, broadcast dims and norms", () => {
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
    expect(add.gradInputs[1]!.values).toBeUndefined(); // values only when asked for
    expect(add.rule).toBe("∂a = g, ∂b = g");
    const table = String(trace).split("\n");
    expect(table.length).toBe(2 + 3);
    expect(JSON.parse(JSON.stringify(trace))).toHaveLength(3);
    expect(b.grad!.toArray()).toEqual([2, 2]);
  });

  it("records g and every input gradient, equal to what backward() gives the leaves and retained intermediates", () => {
    // Reference: the same network through gradients(), with no trace watching.
    const ref = network();
    const [gW1, gb1, gW2, gh] = gradients(ref.loss, [ref.W1, ref.b1, ref.W2, ref.h]);

    const { x, W1, b1, W2, h, loss } = network();
    h.retainGrad();
    const trace = traceBackward(loss, { values: true, names: { x, W1, b1, W2, h } });
    // Each leaf's gradient arrives in one step here; it equals .grad and the untraced gradient.
    const sent = new Map<string, number[]>();
    for (const step of trace.steps) {
      step.gradInputs.forEach((g, i) => {
        const name = step.inputNames[i];
        if (g && name && ["W1", "b1", "W2"].includes(name)) sent.set(name, g.values!);
      });
    }
    expect(sent.get("W2")).toEqual(flat(W2.grad!));
    expect(sent.get("b1")).toEqual(flat(b1.grad!));
    expect(sent.get("W2")).toEqual(flat(gW2!));
    expect(sent.get("b1")).toEqual(flat(gb1!));
    // W1 reaches the graph through a transpose: the transpose step sends W1's gradient.
    const transpose = trace.steps.find((s) => s.op === "transpose" && s.inputNames[0] === "W1")!;
    expect(transpose.gradInputs[0]!.values).toEqual(flat(W1.grad!));
    expect(transpose.gradInputs[0]!.values).toEqual(flat(gW1!));
    // The tanh step's incoming g is ∂loss/∂h.
    const tanh = trace.steps.find((s) => s.op === "tanh")!;
    expect(tanh.outputName).toBe("h");
    expect(tanh.gradOutput.values).toEqual(flat(h.grad!));
    expect(tanh.gradOutput.values).toEqual(flat(gh!));
  });

  it("gives values that match an independent formula: ∂loss/∂W2 = (2/N)·Σₙ outₙ·hₙ", () => {
    const { x, W1, b1, W2, loss } = network();
    const trace = traceBackward(loss, { values: true, names: { W2 } });
    // Forward by plain loops over the same numbers.
    const X = x.toArray() as number[][];
    const w1 = W1.toArray() as number[][];
    const c1 = b1.toArray() as number[];
    const w2 = (W2.toArray() as number[][])[0]!;
    const expected = [0, 0, 0, 0];
    for (const row of X) {
      const hn = w1.map((w, j) => Math.tanh(w[0]! * row[0]! + w[1]! * row[1]! + c1[j]!));
      const outn = hn.reduce((s, v, j) => s + v * w2[j]!, 0);
      hn.forEach((v, j) => (expected[j] += ((2 / X.length) * outn * v)));
    }
    const step = trace.steps.find((s) => s.inputNames.includes("W2"))!;
    const got = step.gradInputs[step.inputNames.indexOf("W2")]!.values!;
    got.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 14));
  });

  it("names parameters, constants and the steps that made each input", () => {
    const { x, W1, b1, W2, h, loss } = network();
    const trace = traceBackward(loss, { names: { x, W1, b1, W2, h } });
    const ops = trace.steps.map((s) => s.op);
    expect(ops).toEqual(["mean", "pow", "matmul", "transpose", "tanh", "add", "matmul", "transpose"]);
    const [mean, pow, matmul2, transpose2, tanh, add, matmul1, transpose1] = trace.steps;
    expect(mean!.inputNames).toEqual(["#1 pow"]);
    expect(pow!.inputNames).toEqual(["#2 matmul"]); // the exponent is a parameter of pow, not an input
    expect(matmul2!.inputNames).toEqual(["h", "#3 transpose"]);
    expect(transpose2!.inputNames).toEqual(["W2"]);
    expect(tanh!.inputNames).toEqual(["#5 add"]);
    expect(tanh!.outputName).toBe("h");
    expect(add!.inputNames).toEqual(["#6 matmul", "b1"]);
    expect(matmul1!.inputNames).toEqual(["x", "#7 transpose"]); // x needs no gradient but is named
    expect(matmul1!.gradInputs[0]).toBeNull();
    expect(transpose1!.inputNames).toEqual(["W1"]);
    const table = String(trace).split("\n");
    expect(table[2 + 2]).toMatch(/^2\s+matmul\s+h\[3,4\] #3 transpose\[4,1\]\s+\[3,1\]/);
    expect(table[2 + 4]).toMatch(/^4\s+tanh\s+#5 add\[3,4\]\s+h\[3,4\]/);
  });

  it("prints small gradients as numbers and large ones as a summary; JSON keeps every value", () => {
    const w = tensor([1, -2, 3], { requiresGrad: true });
    const v = tensor([0.5, 4], { requiresGrad: true });
    const loss = w.mul(w).sum().add(v.mul(3).sum());
    const full = String(traceBackward(loss, { values: true, names: { w, v } }));
    // ∂(Σ w²)/∂w = 2w, split by the VJP of mul into two contributions w·g each.
    expect(full).toMatch(/ ∂w\s+\[1, -2, 3\]\n\s+∂w\s+\[1, -2, 3\]/);
    expect(full).toMatch(/ ∂v\s+\[3, 3\]\n\s+∂input 1\s+— \(needs no gradient\)/);
    w.grad = null;
    v.grad = null;
    const loss2 = w.mul(w).sum().add(v.mul(3).sum());
    const trace = traceBackward(loss2, { values: 2, names: { w, v } });
    const text = String(trace);
    expect(text).toMatch(/ ∂v\s+\[3, 3\]/);
    expect(text).toContain("∂w  3 values: min -2, mean 0.6667, max 3, ‖·‖ 3.742");
    const json = JSON.parse(JSON.stringify(trace)) as { gradInputs: ({ values: number[] } | null)[]; inputNames: string[] }[];
    const mul = json.find((s) => s.inputNames[0] === "w")!;
    expect(mul.gradInputs[0]!.values).toEqual([1, -2, 3]);
    expect(w.grad!.toArray()).toEqual([2, -4, 6]);
  });

  it("takes the seed gradient as an option (or as the older second argument) and checks its options", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const seed = tensor([1, 10, 100]);
    const trace = traceBackward(x.mul(2), { grad: seed, values: true });
    expect(trace.steps[0]!.gradInputs[0]!.values).toEqual([2, 20, 200]);
    expect(x.grad!.toArray()).toEqual([2, 20, 200]);
    const legacy = traceBackward(x.mul(3), seed);
    expect(legacy.steps[0]!.gradInputs[0]!.norm).toBeCloseTo(3 * Math.sqrt(10101), 12);
    expect(() => traceBackward(x.mul(2).sum(), { valuse: true } as never)).toThrow(/traceBackward: unknown option "valuse"; did you mean "values"\?/);
    expect(() => traceBackward(x.mul(2).sum(), { values: -1 })).toThrow(DataError);
    expect(() => traceBackward(x.mul(2).sum(), { values: "yes" } as never)).toThrow(/traceBackward: values must be true or false/);
    expect(() => traceBackward(x.mul(2).sum(), { names: [x] } as never)).toThrow(/traceBackward: names must be a model.*got an array/);
    expect(() => traceBackward(x.mul(2).sum(), { names: { x: [1, 2] } } as never)).toThrow(/traceBackward: names\.x is not a Tensor/);
    expect(() => traceBackward(x.mul(2))).toThrow(/traceBackward: grad can be omitted only for one-element outputs/);
  });

  it("keeps the graph with retainGraph, so a second trace runs through it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    traceBackward(y, { retainGraph: true });
    const again = traceBackward(y, { values: true });
    expect(again.steps.map((s) => s.op)).toEqual(["sum", "exp"]);
    expect(again.steps[1]!.gradInputs[0]!.values).toEqual([Math.exp(1), Math.exp(2)]);
  });
});
