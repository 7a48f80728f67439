import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataError, ShapeError, Tensor, gradients, randn, tensor } from "@tapegrad/autograd";
import { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, Sequential, Dense, functional } from "../src/index.js";

// Values and input gradients from torch 1.13 in float64 (losses() in scripts/torch-fixtures.py).
interface Encoded {
  shape: number[];
  /** NaN and ±Infinity are stored as the strings "NaN", "Infinity", "-Infinity". */
  values: (number | string)[];
}
interface Case {
  kind: "cross_entropy" | "bce" | "bce_logits" | "mse";
  input: Encoded;
  target: Encoded;
  options: Record<string, number | string | Encoded>;
  value: Encoded;
  cotangent: Encoded;
  grad: Encoded;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-losses.json", import.meta.url), "utf8")) as { cases: Record<string, Case> };
const numbers = (e: Encoded) => Float64Array.from(e.values, Number);
const decode = (e: Encoded) => tensor(numbers(e), { shape: e.shape });

function build(c: Case) {
  const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, typeof v === "object" ? decode(v) : v]));
  switch (c.kind) {
    case "cross_entropy":
      return new CrossEntropyLoss(options);
    case "bce":
      return new BCELoss(options);
    case "bce_logits":
      return new BCEWithLogitsLoss(options);
    case "mse":
      return new MSELoss(options);
  }
}

/**
 * Largest |a − b| / max(|b|, floor) over the elements; a non-finite expected value must
 * match exactly (NaN for NaN). `floor` is a fraction of the largest |b|: a gradient entry
 * such as softmax − target is a difference of terms as large as the tensor's largest
 * entries, so its rounding error is of their size, not of its own (an entry of 2e-6 beside
 * terms of 0.07 differs from torch by 5e-17, which is 1.6e-12 of itself). With 1e-3 the
 * bound 1e-12 still holds every entry to 1e-15 of the largest, i.e. to a few ulps.
 */
function relativeDifference(actual: Tensor, expected: Encoded, floor = 0): number {
  const a = actual.toFloat64Array();
  expect(actual.shape).toEqual(expected.shape);
  const b = numbers(expected);
  const scale = Math.max(1e-300, floor * b.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0));
  let worst = 0;
  b.forEach((v, i) => {
    if (!Number.isFinite(v)) expect(a[i]).toBe(v);
    else worst = Math.max(worst, Math.abs(a[i]! - v) / Math.max(Math.abs(v), scale));
  });
  return worst;
}

describe("losses agree with torch 1.13 to 1e-12 relative, values and input gradients", () => {
  let worstValue = 0;
  let worstGrad = 0;
  it.each(Object.entries(fixture.cases))("%s", (_name, c) => {
    const x = decode(c.input).requiresGrad_(true);
    const out = build(c).forward(x, decode(c.target));
    const [grad] = gradients(out.mul(decode(c.cotangent)).sum(), [x]);
    const dv = relativeDifference(out, c.value);
    const dg = relativeDifference(grad!, c.grad, 1e-3);
    worstValue = Math.max(worstValue, dv);
    worstGrad = Math.max(worstGrad, dg);
    expect(dv).toBeLessThanOrEqual(1e-12);
    expect(dg).toBeLessThanOrEqual(1e-12);
  });
  it("covers every option (the report of the largest differences)", () => {
    const kinds = new Set(Object.values(fixture.cases).flatMap((c) => Object.keys(c.options)));
    expect([...kinds].sort()).toEqual(["ignoreIndex", "labelSmoothing", "posWeight", "reduction", "weight"]);
    console.info(`torch-losses: max relative difference ${worstValue.toExponential(2)} (values), ${worstGrad.toExponential(2)} (gradients)`);
  });
});

describe("loss options from PyTorch habit", () => {
  it("snake_case keys are errors suggesting the camelCase name", () => {
    expect(() => new CrossEntropyLoss({ label_smoothing: 0.1 } as never)).toThrow('CrossEntropyLoss: unknown option "label_smoothing"; did you mean "labelSmoothing"?');
    expect(() => new CrossEntropyLoss({ ignore_index: 0 } as never)).toThrow('did you mean "ignoreIndex"?');
    expect(() => new BCEWithLogitsLoss({ pos_weight: tensor([2]) } as never)).toThrow('BCEWithLogitsLoss: unknown option "pos_weight"; did you mean "posWeight"?');
    expect(() => new MSELoss({ weight: tensor([1]) } as never)).toThrow('MSELoss: unknown option "weight"; expected one of "reduction"');
    expect(() => new BCELoss({ reduce: "sum" } as never)).toThrow(DataError);
    expect(() => functional.crossEntropy(tensor([[1, 2]]), [0], { label_smoothing: 0.1 } as never)).toThrow('did you mean "labelSmoothing"?');
  });

  it("values are checked: reduction, labelSmoothing in [0, 1], integer ignoreIndex", () => {
    expect(() => new MSELoss({ reduction: "avg" } as never)).toThrow("MSELoss: reduction must be 'mean', 'sum' or 'none', got \"avg\"");
    expect(() => new CrossEntropyLoss({ labelSmoothing: 1.5 })).toThrow("CrossEntropyLoss: labelSmoothing must be a number in [0, 1], got 1.5");
    expect(() => new CrossEntropyLoss({ ignoreIndex: "-100" } as never)).toThrow('CrossEntropyLoss: ignoreIndex must be an integer, got "-100"');
  });

  it("weights are buffers: in the state dict as torch's weight and pos_weight", () => {
    const loss = new CrossEntropyLoss({ weight: [1, 2, 3] });
    expect(Object.keys(loss.stateDict())).toEqual(["weight"]);
    expect(Object.keys(new BCEWithLogitsLoss({ posWeight: tensor([3]) }).stateDict())).toEqual(["posWeight"]);
    expect(Object.keys(new CrossEntropyLoss().stateDict())).toEqual([]);
  });

  it("class weights of the wrong length are a ShapeError", () => {
    expect(() => new CrossEntropyLoss({ weight: [1, 2] }).forward(tensor([[1, 2, 3]]), [0])).toThrow(ShapeError);
  });

  it("ignoreIndex: an ignored row gets no gradient and is not counted in the mean", () => {
    const x = tensor([[2, 0, -1], [0.5, 0.5, 3]], { requiresGrad: true });
    const loss = new CrossEntropyLoss({ ignoreIndex: 1 }).forward(x, [0, 1]);
    // Only row 0 counts: −log softmax(x₀)[0], not halved by the ignored row.
    const row0 = -(2 - Math.log(Math.exp(2) + 1 + Math.exp(-1)));
    expect(loss.item()).toBeCloseTo(row0, 14);
    loss.backward();
    expect((x.grad!.toArray() as number[][])[1]).toEqual([0, 0, 0]);
  });

  it("a −∞ logit of another class leaves the loss finite (no 0·∞ from the selection mask)", () => {
    const loss = new CrossEntropyLoss().forward(tensor([[0, -Infinity, 0]]), [0]);
    expect(loss.item()).toBeCloseTo(Math.log(2), 15);
  });
});

describe("loss target errors say how to fix the target", () => {
  it("[8] against [8, 1]: unsqueeze(1); the reverse: squeeze(1)", () => {
    const probabilities = tensor(new Float64Array(8).fill(0.5), { shape: [8, 1] });
    const labels = tensor([0, 1, 0, 1, 1, 0, 0, 1]);
    expect(() => new BCELoss().forward(probabilities, labels)).toThrow(ShapeError);
    expect(() => new BCELoss().forward(probabilities, labels)).toThrow("BCELoss: target shape [8] differs from input shape [8,1]; reshape the target with unsqueeze(1) to [8,1]");
    expect(() => new MSELoss().forward(labels, probabilities)).toThrow("reshape the target with squeeze(1) to [8]");
    expect(() => new BCEWithLogitsLoss().forward(probabilities, labels)).toThrow("unsqueeze(1)");
    expect(() => new MSELoss().forward(tensor([[1, 2, 3, 4]]), tensor([[1, 2], [3, 4]]))).toThrow("reshape the target with reshape([1,4])");
  });

  it("BCELoss on values outside [0, 1] points at BCEWithLogitsLoss", () => {
    expect(() => new BCELoss().forward(tensor([0.2, 2.5]), [0, 1])).toThrow("BCELoss: every input must lie in [0, 1], got 2.5 at flat index 1; for logits use BCEWithLogitsLoss");
  });

  it("CrossEntropyLoss with a float target of neither form lists both forms", () => {
    const logits = tensor([[1, 2, 3], [0, 0, 1]]);
    expect(() => new CrossEntropyLoss().forward(logits, tensor([[0.2, 0.8], [0.5, 0.5]]))).toThrow(
      "CrossEntropyLoss: target shape [2,2] fits neither accepted form for logits [2,3]: class indices of shape [2] (integers in [0, 3))",
    );
    expect(() => new CrossEntropyLoss().forward(logits, tensor([[0.2, 0.8], [0.5, 0.5]]))).toThrow("or class probabilities of the input's shape [2,3]");
    expect(() => new CrossEntropyLoss().forward(logits, [0.5, 1])).toThrow(
      "CrossEntropyLoss: target 0.5 at position 0 is not a class index in [0, 3); class probabilities need the input's shape [2,3]",
    );
    expect(() => new CrossEntropyLoss().forward(logits, [0, 3])).toThrow("target 3 at position 1 is not a class index in [0, 3)");
    expect(() => new CrossEntropyLoss().forward(logits, tensor([[0.2, 0.3, 0.5], [1, 0, 0]]))).not.toThrow();
  });

  it("probability targets refuse a non-negative ignoreIndex, as torch", () => {
    expect(() => new CrossEntropyLoss({ ignoreIndex: 0 }).forward(tensor([[1, 2]]), tensor([[0.5, 0.5]]))).toThrow("ignoreIndex is not supported with class-probability targets");
  });

  it("a model trained with BCEWithLogitsLoss({ posWeight }) from habit runs end to end", () => {
    const model = new Sequential(new Dense(2, 1, { seed: 0 }));
    const loss = new BCEWithLogitsLoss({ posWeight: tensor([3]) }).forward(model.forward(tensor([[1, 2], [3, 4]])), tensor([[1], [0]]));
    loss.backward();
    expect(Number.isFinite(loss.item())).toBe(true);
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});

describe("CrossEntropyLoss target forms (issue 20)", () => {
  it("an unbatched [C] input takes its class index as a bare number, a 0-d tensor or (as torch) nothing else", () => {
    const x = randn([5], { seed: 1 });
    for (const options of [{}, { weight: [1, 2, 3, 4, 5], labelSmoothing: 0.2 }]) {
      const loss = new CrossEntropyLoss(options);
      expect(loss.forward(x, 3).item()).toBe(loss.forward(x, tensor(3)).item());
      expect(functional.crossEntropy(x, 3, options).item()).toBe(loss.forward(x, tensor(3)).item());
    }
    // −log softmax(x)[3], computed independently.
    const v = Array.from(x.toFloat64Array());
    const lse = Math.log(v.reduce((s, a) => s + Math.exp(a), 0));
    expect(new CrossEntropyLoss().forward(x, 3).item()).toBeCloseTo(lse - v[3]!, 14);
    expect(new CrossEntropyLoss({ reduction: "none" }).forward(x, 3).shape).toEqual([]);
    // A one-element [1] target is not a 0-d one (torch: size mismatch), nor a number for batched logits.
    expect(() => new CrossEntropyLoss().forward(x, [3])).toThrow("CrossEntropyLoss: target shape [1] fits neither accepted form for logits [5]");
    expect(() => new CrossEntropyLoss().forward(randn([2, 5]), 3)).toThrow("target shape [] fits neither accepted form for logits [2,5]");
    expect(() => new CrossEntropyLoss().forward(x, 5)).toThrow("CrossEntropyLoss: target 5 at position 0 is not a class index in [0, 5)");
  });

  it("[batch, vocab, time] logits from a transposed [batch, time, vocab] tensor give the values and gradients of a contiguous copy", () => {
    const logits = randn([3, 4, 6], { seed: 2 }); // [batch, time, vocab]
    const targets = tensor([
      [0, 5, 2, 1],
      [3, 3, -100, 4],
      [5, 0, 1, 2],
    ]);
    for (const options of [{}, { weight: [1, 2, 0.5, 1, 3, 1], labelSmoothing: 0.1 }, { reduction: "none" as const }]) {
      const a = logits.detach().requiresGrad_(true);
      const b = logits.detach().contiguous().requiresGrad_(true);
      const viewed = a.transpose(1, 2); // [3, 6, 4], not contiguous
      const copied = b.transpose(1, 2).contiguous();
      const la = functional.crossEntropy(viewed, targets, options);
      const lb = functional.crossEntropy(copied, targets, options);
      expect(Array.from(la.toFloat64Array())).toEqual(Array.from(lb.toFloat64Array()));
      la.sum().backward();
      lb.sum().backward();
      expect(Array.from(a.grad!.toFloat64Array())).toEqual(Array.from(b.grad!.toFloat64Array()));
      expect(la.shape).toEqual(options.reduction === "none" ? [3, 4] : []);
    }
  });

  it("reduction 'none' keeps the target's shape; the module and the functional form agree", () => {
    const x = randn([2, 3, 4, 5], { seed: 3 });
    const indices = tensor(Array.from({ length: 40 }, (_, i) => i % 3), { shape: [2, 4, 5] });
    expect(new CrossEntropyLoss({ reduction: "none" }).forward(x, indices).shape).toEqual([2, 4, 5]);
    const probabilities = x.softmax(1).detach();
    expect(new CrossEntropyLoss({ reduction: "none" }).forward(x, probabilities).shape).toEqual([2, 4, 5]);
    const options = { weight: [1, 2, 3], labelSmoothing: 0.3, ignoreIndex: 2 };
    expect(new CrossEntropyLoss(options).forward(x, indices).item()).toBe(functional.crossEntropy(x, indices, options).item());
  });

  it("each option changes the result (none is accepted and ignored)", () => {
    const x = randn([6, 4], { seed: 4 });
    const t = [0, 1, 2, 3, 1, 2];
    const plain = functional.crossEntropy(x, t).item();
    expect(functional.crossEntropy(x, t, { labelSmoothing: 0.2 }).item()).not.toBe(plain);
    expect(functional.crossEntropy(x, t, { ignoreIndex: 1 }).item()).not.toBe(plain);
    expect(functional.crossEntropy(x, t, { weight: [1, 2, 1, 1] }).item()).not.toBe(plain);
    const z = randn([6, 2], { seed: 5 });
    const y = tensor([1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1], { shape: [6, 2] });
    expect(functional.binaryCrossEntropyWithLogits(z, y, { posWeight: [3, 3] }).item()).not.toBe(functional.binaryCrossEntropyWithLogits(z, y).item());
  });

  it("a class weight of the wrong shape names the expected [C]", () => {
    expect(() => functional.crossEntropy(randn([2, 4]), [0, 1], { weight: [1, 1, 1] })).toThrow("CrossEntropyLoss: weight must hold one value per class, [4], got [3]");
    expect(() => functional.crossEntropy(randn([2, 4]), [0, 1], { weight: tensor([[1, 1, 1, 1]]) })).toThrow("weight must hold one value per class, [4], got [1,4]");
    expect(() => functional.crossEntropy(randn([2, 4]), tensor([[0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]]), { weight: [1, 1] })).toThrow(ShapeError);
  });

  it("empty batches: mean is NaN, sum is 0, none is empty, as torch", () => {
    const empty = randn([0, 4]);
    expect(Number.isNaN(functional.crossEntropy(empty, tensor([])).item())).toBe(true);
    expect(functional.crossEntropy(empty, tensor([]), { reduction: "sum" }).item()).toBe(0);
    expect(functional.crossEntropy(empty, tensor([]), { reduction: "none" }).shape).toEqual([0]);
    expect(Number.isNaN(functional.mseLoss(randn([0]), tensor([])).item())).toBe(true);
    expect(Number.isNaN(new BCELoss().forward(randn([0, 2]), randn([0, 2])).item())).toBe(true);
    expect(new BCEWithLogitsLoss({ reduction: "none" }).forward(randn([2, 0]), randn([2, 0])).shape).toEqual([2, 0]);
  });
});
