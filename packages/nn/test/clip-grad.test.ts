import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AutogradError, DataError, Tensor, randn, tensor, zeros } from "@tapegrad/autograd";
import { Dense, Sequential, Tanh, utils } from "../src/index.js";

// Gradients after clipping and the returned norm, against torch.nn.utils 1.13 in float64
// (scripts/torch_layer_cases/clip_grad.py).
interface Encoded {
  shape: number[];
  values: number[];
}
interface Case {
  kind: "norm" | "value";
  before: (Encoded | null)[];
  maxNorm?: number;
  normType?: number | "Infinity";
  single?: boolean;
  total?: number;
  clipValue?: number;
  after: (number[] | null)[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-layers-clip_grad.json", import.meta.url), "utf8")) as { cases: Record<string, Case> };

/** Parameters (zeros) carrying the case's gradients; a null gradient leaves `.grad` null. */
function parametersOf(c: Case): Tensor[] {
  return c.before.map((g) => {
    const p = zeros(g ? g.shape : [2], { requiresGrad: true });
    p.grad = g ? tensor(Float64Array.from(g.values), { shape: g.shape }) : null;
    return p;
  });
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe("clipGradNorm_ and clipGradValue_ agree with torch 1.13 (gradients after clipping and the total norm, 1e-12 relative per entry)", () => {
  let worst = 0;
  it.each(Object.entries(fixture.cases))("%s", (_name, c) => {
    const params = parametersOf(c);
    const grads = params.map((p) => p.grad);
    if (c.kind === "norm") {
      const normType = c.normType === "Infinity" ? Infinity : c.normType!;
      const total = utils.clipGradNorm_(c.single ? params[0]! : params, c.maxNorm!, { normType });
      expect(typeof total).toBe("number");
      worst = Math.max(worst, relative(total, c.total!));
      expect(relative(total, c.total!)).toBeLessThanOrEqual(1e-12);
    } else {
      expect(utils.clipGradValue_(params, c.clipValue!)).toBeUndefined();
    }
    params.forEach((p, i) => {
      const expected = c.after[i];
      if (expected === null || expected === undefined) {
        expect(p.grad).toBeNull();
        return;
      }
      expect(p.grad).toBe(grads[i]); // in place: the same tensor
      const actual = p.grad!.toFloat64Array();
      expected.forEach((v, j) => {
        worst = Math.max(worst, relative(actual[j]!, v));
        expect(relative(actual[j]!, v)).toBeLessThanOrEqual(1e-12);
      });
    });
  });
  it("covers the norms, clipping and not, missing gradients, a single tensor (report of the largest difference)", () => {
    const cases = Object.values(fixture.cases);
    expect(new Set(cases.map((c) => c.normType).filter((p) => p !== undefined))).toEqual(new Set([2, 1, "Infinity", 3, 0.5]));
    expect(cases.some((c) => c.before.includes(null))).toBe(true);
    expect(cases.some((c) => c.single)).toBe(true);
    console.info(`torch-layers-clip_grad: max relative difference ${worst.toExponential(2)}`);
  });
});

describe("clipGradNorm_ semantics", () => {
  it("the total is the norm of every gradient joined into one vector; clipped gradients have norm maxNorm·total/(total + 1e-6)", () => {
    const a = zeros([2], { requiresGrad: true });
    const b = zeros([1], { requiresGrad: true });
    a.grad = tensor([3, 0]);
    b.grad = tensor([4]);
    expect(utils.clipGradNorm_([a, b], 1)).toBe(5);
    const scale = 1 / (5 + 1e-6);
    expect(a.grad.toArray()).toEqual([3 * scale, 0]);
    expect(b.grad.toArray()).toEqual([4 * scale]);
  });
  it("leaves gradients below maxNorm bit for bit, and returns 0 when no parameter has a gradient", () => {
    const p = zeros([3], { requiresGrad: true });
    p.grad = tensor([0.1, -0.2, 0.3]);
    utils.clipGradNorm_([p], 1);
    expect(p.grad.toArray()).toEqual([0.1, -0.2, 0.3]);
    expect(utils.clipGradNorm_([zeros([2], { requiresGrad: true })], 1)).toBe(0);
    expect(utils.clipGradNorm_([], 1)).toBe(0);
  });
  it("takes any iterable, e.g. a generator or a model's parameters()", () => {
    const model = new Sequential(new Dense(3, 4, { seed: 1 }), new Tanh(), new Dense(4, 2, { seed: 2 }));
    model.forward(randn([5, 3], { seed: 3 })).pow(2).sum().backward();
    const before = model.parameters().map((p) => p.grad!.toFloat64Array());
    const expected = Math.sqrt(before.reduce((s, g) => s + g.reduce((t, v) => t + v * v, 0), 0));
    function* each() {
      yield* model.parameters();
    }
    const total = utils.clipGradNorm_(each(), 0.1);
    expect(relative(total, expected)).toBeLessThan(1e-14);
    const after = Math.sqrt(model.parameters().reduce((s, p) => s + p.grad!.pow(2).sum().item(), 0));
    expect(after).toBeCloseTo(0.1, 6);
  });
  it("a non-finite total: NaN gradients by default (as PyTorch), an error that changes nothing with errorIfNonfinite", () => {
    const p = zeros([2], { requiresGrad: true });
    p.grad = tensor([1, Infinity]);
    expect(() => utils.clipGradNorm_(p, 1, { errorIfNonfinite: true })).toThrow(
      "clipGradNorm_: the total norm of order 2 of the gradients is Infinity, so it cannot be clipped",
    );
    expect(p.grad.toArray()).toEqual([1, Infinity]);
    expect(utils.clipGradNorm_(p, 1)).toBe(Infinity);
    // torch: grads · (1 / (∞ + 1e-6)) = grads · 0, so 1 → 0 and ∞ → NaN.
    expect(p.grad.toArray()).toEqual([0, NaN]);
    const q = zeros([2], { requiresGrad: true });
    q.grad = tensor([1, NaN]);
    expect(utils.clipGradNorm_(q, 1)).toBeNaN();
    expect(q.grad.toArray()).toEqual([NaN, NaN]);
  });
  it("runs under noGrad: gradients that require grad (createGraph) are scaled without recording", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.pow(3).sum().backward(undefined, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    expect(() => utils.clipGradNorm_(x, 1)).not.toThrow(AutogradError);
  });
  it("checks its arguments", () => {
    const p = zeros([2], { requiresGrad: true });
    p.grad = tensor([1, 2]);
    expect(() => utils.clipGradNorm_(p, 1, { norm_type: 1 } as never)).toThrow('clipGradNorm_: unknown option "norm_type"; did you mean "normType"?');
    expect(() => utils.clipGradNorm_(p, 1, { normType: "inf" } as never)).toThrow('clipGradNorm_: normType must be a number (2, 1, Infinity, …), got "inf"');
    expect(() => utils.clipGradNorm_(p, -1)).toThrow("clipGradNorm_: maxNorm must be a number ≥ 0, got -1");
    expect(() => utils.clipGradNorm_(p, "1" as never)).toThrow('clipGradNorm_: maxNorm must be a number ≥ 0, got "1"');
    expect(() => utils.clipGradNorm_(null as never, 1)).toThrow(DataError);
    expect(() => utils.clipGradNorm_([p, 3] as never, 1)).toThrow("clipGradNorm_: parameter 1 is not a Tensor (got number)");
    expect(() => utils.clipGradValue_(p, -0.5)).toThrow("clipGradValue_: clipValue must be a number ≥ 0, got -0.5");
    expect(p.grad.toArray()).toEqual([1, 2]);
  });
});

describe("clipGradValue_ semantics", () => {
  it("clamps each gradient into [−c, c] in place, keeping NaN as PyTorch's clamp does, skipping null gradients", () => {
    const p = zeros([4], { requiresGrad: true });
    const q = zeros([1], { requiresGrad: true });
    p.grad = tensor([-3, 0.2, 5, NaN]);
    const g = p.grad;
    utils.clipGradValue_([p, q], 1);
    expect(p.grad).toBe(g);
    expect(p.grad.toArray()).toEqual([-1, 0.2, 1, NaN]);
    expect(q.grad).toBeNull();
  });
});
