import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DataError, ShapeError, Tensor, gradients, tensor } from "@tapegrad/autograd";
import { HuberLoss, KLDivLoss, L1Loss, Loss, NLLLoss, SmoothL1Loss, functional } from "../src/index.js";

// The losses added beside BCE/MSE/CrossEntropy (src/losses.ts, src/functional/losses.ts),
// against torch 1.13 in float64: scripts/torch_layer_cases/losses_more.py.
interface Encoded {
  shape: number[];
  /** NaN and ±Infinity are stored as the strings "NaN", "Infinity", "-Infinity". */
  values: (number | string)[];
}
interface Case {
  kind: "nll" | "l1" | "smooth_l1" | "huber" | "kl_div";
  input: Encoded;
  target: Encoded;
  options: Record<string, number | string | boolean | Encoded>;
  value: Encoded;
  cotangent: Encoded;
  grad: Encoded;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-layers-losses_more.json", import.meta.url), "utf8")) as { cases: Record<string, Case> };
const numbers = (e: Encoded) => Float64Array.from(e.values, Number);
const decode = (e: Encoded) => tensor(numbers(e), { shape: e.shape });

function module(c: Case): Loss<string> {
  const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, typeof v === "object" ? decode(v) : v]));
  switch (c.kind) {
    case "nll":
      return new NLLLoss(options);
    case "l1":
      return new L1Loss(options);
    case "smooth_l1":
      return new SmoothL1Loss(options);
    case "huber":
      return new HuberLoss(options);
    case "kl_div":
      return new KLDivLoss(options);
  }
}

function functionalForm(c: Case, x: Tensor, y: Tensor): Tensor {
  const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, typeof v === "object" ? decode(v) : v]));
  switch (c.kind) {
    case "nll":
      return functional.nllLoss(x, y, options);
    case "l1":
      return functional.l1Loss(x, y, options);
    case "smooth_l1":
      return functional.smoothL1Loss(x, y, options);
    case "huber":
      return functional.huberLoss(x, y, options);
    case "kl_div":
      return functional.klDiv(x, y, options);
  }
}

/** Largest |a − b| / |b| over the elements (|b| = 0 compares absolutely); a non-finite expected value must match exactly. */
function relativeDifference(actual: Tensor, expected: Encoded): number {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toFloat64Array();
  let worst = 0;
  numbers(expected).forEach((v, i) => {
    if (!Number.isFinite(v)) expect(a[i]).toBe(v);
    else worst = Math.max(worst, Math.abs(a[i]! - v) / Math.max(Math.abs(v), 1e-300));
  });
  return worst;
}

describe("NLLLoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss agree with torch 1.13 (values and input gradients, 1e-12 relative per entry)", () => {
  let worstValue = 0;
  let worstGrad = 0;
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  afterAll(() => warn.mockRestore());
  it.each(Object.entries(fixture.cases))("%s", (_name, c) => {
    const x = decode(c.input).requiresGrad_(true);
    const y = decode(c.target);
    const out = module(c).forward(x, y);
    const [grad] = gradients(out.mul(decode(c.cotangent)).sum(), [x]);
    const dv = relativeDifference(out, c.value);
    const dg = relativeDifference(grad!, c.grad);
    worstValue = Math.max(worstValue, dv);
    worstGrad = Math.max(worstGrad, dg);
    expect(dv).toBeLessThanOrEqual(1e-12);
    expect(dg).toBeLessThanOrEqual(1e-12);
    // The functional form is the same computation.
    const again = functionalForm(c, x, y);
    expect(Array.from(again.toFloat64Array())).toEqual(Array.from(out.toFloat64Array()));
  });
  it("covers every option and reduction (and reports the largest differences)", () => {
    const cases = Object.values(fixture.cases);
    expect([...new Set(cases.flatMap((c) => Object.keys(c.options)))].sort()).toEqual(["beta", "delta", "ignoreIndex", "logTarget", "reduction", "weight"]);
    for (const kind of ["nll", "l1", "smooth_l1", "huber", "kl_div"]) {
      const reductions = new Set(cases.filter((c) => c.kind === kind).map((c) => c.options.reduction ?? "mean"));
      expect([...reductions].sort()).toEqual(kind === "kl_div" ? ["batchmean", "mean", "none", "sum"] : ["mean", "none", "sum"]);
    }
    // torch 1.13 warns that KLDivLoss's 'mean' is not the KL divergence; tapegrad too, once per process.
    expect(warn.mock.calls.filter(([m]) => String(m).includes("'batchmean' divides only by the batch size"))).toHaveLength(1);
    console.info(`torch-layers-losses_more: max relative difference ${worstValue.toExponential(2)} (values), ${worstGrad.toExponential(2)} (gradients)`);
  });
});

describe("gradients at the kinks, as PyTorch", () => {
  const x = tensor([1, 2, 0.5, 3.5, -1], { requiresGrad: true });
  const y = tensor([1, 1, 1, 3.5, 0]);
  const gradOf = (loss: (x: Tensor) => Tensor) => gradients(loss(x), [x])[0]!.toArray();

  it("L1: sign(x − y), 0 where x = y", () => {
    expect(gradOf((v) => functional.l1Loss(v, y, "sum"))).toEqual([0, 1, -1, 0, -1]);
  });
  it("smooth L1: (x − y)/β inside, ±1 from |x − y| = β on; β = 0 is L1's value, with torch's −1 where x = y", () => {
    expect(gradOf((v) => functional.smoothL1Loss(v, y, { reduction: "sum" }))).toEqual([0, 1, -0.5, 0, -1]);
    expect(gradOf((v) => functional.smoothL1Loss(v, y, { beta: 2, reduction: "sum" }))).toEqual([0, 0.5, -0.25, 0, -0.5]);
    // torch 1.13: smooth_l1_loss(x, y, beta=0, reduction="sum").backward() gives [-1, 1, -1, -1, -1].
    expect(gradOf((v) => functional.smoothL1Loss(v, y, { beta: 0, reduction: "sum" }))).toEqual([-1, 1, -1, -1, -1]);
    expect(functional.smoothL1Loss(x, y, { beta: 0, reduction: "none" }).toArray()).toEqual(functional.l1Loss(x, y, "none").toArray());
  });
  it("Huber: x − y inside, ±δ from |x − y| = δ on", () => {
    expect(gradOf((v) => functional.huberLoss(v, y, { reduction: "sum" }))).toEqual([0, 1, -0.5, 0, -1]);
    expect(gradOf((v) => functional.huberLoss(v, y, { delta: 0.5, reduction: "sum" }))).toEqual([0, 0.5, -0.5, 0, -0.5]);
    // Huber with δ is δ times smooth L1 with β = δ.
    const huber = functional.huberLoss(x, y, { delta: 0.5, reduction: "none" }).toFloat64Array();
    const smooth = functional.smoothL1Loss(x, y, { beta: 0.5, reduction: "none" }).toFloat64Array();
    huber.forEach((h, i) => expect(h).toBeCloseTo(0.5 * smooth[i]!, 15));
  });
});

describe("NLLLoss semantics", () => {
  const logits = tensor([[2, 0.5, -1], [0, 3, 1], [1, 1, 1], [-2, 0, 2]], { requiresGrad: true });
  it("after logSoftmax it is crossEntropy, with weight and ignoreIndex", () => {
    const t = [2, 0, -100, 1];
    const options = { weight: [0.5, 2, 1], ignoreIndex: -100 };
    const a = new NLLLoss(options).forward(logits.logSoftmax(1), t);
    const b = functional.crossEntropy(logits, t, options);
    expect(a.item()).toBeCloseTo(b.item(), 14);
  });
  it("an independent weighted mean: Σ −w[k]·x[k] / Σ w[k] over the counted targets", () => {
    const x = tensor([[-1, -2, -3], [-4, -5, -6]]);
    const loss = functional.nllLoss(x, [1, 2], { weight: [1, 3, 0.5] });
    expect(loss.item()).toBeCloseTo((3 * 2 + 0.5 * 6) / 3.5, 14);
    expect(functional.nllLoss(tensor([-1, -2, -3]), 2).item()).toBe(3);
  });
  it("the gradient is −w[k] at the target class and nothing else, 0 for ignored rows", () => {
    const x = tensor([[-1, -2, -3], [-4, -5, -6]], { requiresGrad: true });
    functional.nllLoss(x, [1, -100], { weight: [1, 3, 0.5], reduction: "sum" }).backward();
    expect(x.grad!.toArray()).toEqual([[0, -3, 0], [0, 0, 0]]);
  });
  it("refuses bad targets, weights and options with the shapes and positions", () => {
    const x = tensor([[-1, -2, -3], [-4, -5, -6]]);
    expect(() => functional.nllLoss(x, [1, 3])).toThrow("NLLLoss: target 3 at position 1 is not a class index in [0, 3) (nor ignoreIndex -100)");
    expect(() => functional.nllLoss(x, [1, 0.5])).toThrow(DataError);
    expect(() => functional.nllLoss(x, [1, 2, 0])).toThrow("NLLLoss: target shape [3] does not fit input [2,3]: expected class indices of shape [2]");
    expect(() => functional.nllLoss(x, [1, 2], { weight: [1, 2] })).toThrow("NLLLoss: weight must hold one value per class, [3], got [2]");
    expect(() => functional.nllLoss(tensor(1), [])).toThrow(ShapeError);
    expect(() => new NLLLoss({ ignore_index: 1 } as never)).toThrow('NLLLoss: unknown option "ignore_index"; did you mean "ignoreIndex"?');
    expect(() => new NLLLoss({ ignoreIndex: 0.5 })).toThrow("NLLLoss: ignoreIndex must be an integer, got 0.5");
    expect(() => new NLLLoss({ reduction: "batchmean" } as never)).toThrow("NLLLoss: reduction must be 'mean', 'sum' or 'none', got \"batchmean\"");
  });
  it("weight is a buffer, as torch.nn.NLLLoss's", () => {
    expect(Object.keys(new NLLLoss({ weight: [1, 2] }).stateDict())).toEqual(["weight"]);
    expect(new NLLLoss().weight).toBeNull();
  });
});

describe("KLDivLoss semantics", () => {
  const logQ = tensor([[Math.log(0.2), Math.log(0.8)], [Math.log(0.5), Math.log(0.5)], [Math.log(0.9), Math.log(0.1)]]);
  const p = tensor([[0.5, 0.5], [0, 1], [1, 0]]);
  // KL(p‖q) per row, by hand: Σ p·log(p/q) with 0·log 0 = 0.
  const rows = [0.5 * Math.log(0.5 / 0.2) + 0.5 * Math.log(0.5 / 0.8), Math.log(1 / 0.5), Math.log(1 / 0.9)];
  it("batchmean is the KL divergence per sample; mean divides by every element, as torch 1.13", () => {
    const total = rows.reduce((a, b) => a + b);
    expect(functional.klDiv(logQ, p, "batchmean").item()).toBeCloseTo(total / 3, 14);
    expect(functional.klDiv(logQ, p, { reduction: "sum" }).item()).toBeCloseTo(total, 14);
    expect(new KLDivLoss().forward(logQ, p).item()).toBeCloseTo(total / 6, 14);
    // With logTarget a zero probability is log 0 = −∞, and e^−∞·(−∞ − x) is NaN in torch too: rows without zeros.
    const dense = p.slice(0, 0, 1);
    expect(functional.klDiv(logQ.slice(0, 0, 1), dense.log(), { reduction: "sum", logTarget: true }).item()).toBeCloseTo(rows[0]!, 14);
    expect(functional.klDiv(logQ, p.log(), { reduction: "sum", logTarget: true }).item()).toBeNaN();
  });
  it("options are checked", () => {
    expect(() => new KLDivLoss({ log_target: true } as never)).toThrow('KLDivLoss: unknown option "log_target"; did you mean "logTarget"?');
    expect(() => new KLDivLoss({ logTarget: 1 } as never)).toThrow("KLDivLoss: logTarget must be true or false, got 1");
    expect(() => new KLDivLoss({ reduction: "batchMean" } as never)).toThrow("KLDivLoss: reduction must be 'mean', 'sum', 'none' or 'batchmean', got \"batchMean\"");
    expect(new KLDivLoss({ reduction: "batchmean" }).reduction).toBe("batchmean");
  });
});

describe("option checks of the elementwise losses", () => {
  it("beta ≥ 0 and delta > 0, as PyTorch; unknown keys suggest the name", () => {
    expect(() => new SmoothL1Loss({ beta: -1 })).toThrow("SmoothL1Loss: beta must be a finite number ≥ 0, got -1");
    expect(() => new HuberLoss({ delta: 0 })).toThrow("HuberLoss: delta must be a finite number > 0, got 0");
    expect(() => functional.huberLoss(tensor([1]), [1], { delta: "2" } as never)).toThrow('HuberLoss: delta must be a finite number > 0, got "2"');
    expect(() => new HuberLoss({ beta: 1 } as never)).toThrow('HuberLoss: unknown option "beta"');
    expect(() => new L1Loss({ reduction: "avg" } as never)).toThrow(DataError);
  });
  it("a target of another shape is refused with the fix, as MSELoss does", () => {
    expect(() => new L1Loss().forward(tensor([[1], [2]]), [1, 2])).toThrow("L1Loss: target shape [2] differs from input shape [2,1]; reshape the target with unsqueeze(1) to [2,1]");
  });
});
