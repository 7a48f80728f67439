import { describe, expect, it } from "vitest";
import { AutogradError, DataError, compareGradients, gradients, tensor } from "@tapegrad/autograd";

describe("compareGradients", () => {
  it("reports exact, close and the largest difference against a leaf's .grad", () => {
    const w = tensor([0.3, -1.2, 2.5], { requiresGrad: true });
    w.mul(w).sum().backward(); // ∂(Σ w²)/∂w = 2w
    const twice = tensor([0.6, -2.4, 5]);
    const nudged = tensor([0.6 + 1e-10, -2.4, 5 - 3e-10]);
    const wrong = tensor([0.3, -1.2, 2.5]);
    const report = compareGradients({ exact: [twice, w], nudged: [nudged, w], wrong: [wrong, w] });
    expect(report.rows.map((r) => [r.name, r.exact, r.close])).toEqual([
      ["exact", true, true],
      ["nudged", false, true],
      ["wrong", false, false],
    ]);
    expect(report.rows[0]!.maxAbsDiff).toBe(0);
    // The largest difference, computed here from the same float64 numbers.
    expect(report.rows[1]!.maxAbsDiff).toBe(Math.max(Math.abs(0.6 + 1e-10 - 0.6), Math.abs(5 - 3e-10 - 5)));
    expect(report.rows[2]!.maxAbsDiff).toBe(2.5);
    expect(report.allClose).toBe(false);
    expect(report.firstMismatch).toBe("wrong");
    const lines = String(report).split("\n");
    expect(lines[0]).toMatch(/^name\s+shape\s+exact\s+close\s+maxAbsDiff$/);
    expect(lines[2]).toMatch(/^exact\s+\[3\]\s+yes\s+yes\s+0$/);
    expect(lines[3]).toMatch(/^nudged\s+\[3\]\s+no\s+yes\s+3\.00e-10$/);
    expect(lines[5]).toBe("first mismatch: wrong (atol 1e-8, rtol 0.00001): check the line that computes it");
  });

  it("applies atol + rtol·|reference| elementwise, as torch.allclose", () => {
    const r = tensor([100, 1e-3]); // a plain tensor: taken as the gradient itself
    const m = tensor([100 + 5e-4, 1e-3 + 5e-9]);
    // |Δ| = 5e-4 ≤ 1e-8 + 1e-5·100 = 1.00001e-3 and 5e-9 ≤ 1e-8 + 1e-8: close by default.
    expect(compareGradients({ m: [m, r] }).rows[0]!.close).toBe(true);
    // With rtol 0, the 5e-4 is far beyond atol.
    expect(compareGradients({ m: [m, r] }, { rtol: 0 }).rows[0]!.close).toBe(false);
    expect(compareGradients({ m: [m, r] }, { rtol: 0, atol: 6e-4 }).rows[0]!.close).toBe(true);
    // 1e-12, as the backprop-by-hand guide asks: one ulp-scale difference passes, 1e-11 does not.
    expect(compareGradients({ m: [tensor([1 + 2 ** -52]), tensor([1])] }, { atol: 1e-12, rtol: 0 }).allClose).toBe(true);
    expect(compareGradients({ m: [tensor([1 + 1e-11]), tensor([1])] }, { atol: 1e-12, rtol: 0 }).allClose).toBe(false);
  });

  it("uses the retained gradient of an intermediate, and says when retainGrad() was forgotten", () => {
    const x = tensor([[1, -2], [3, 0.5]], { requiresGrad: true });
    const h = x.mul(2);
    h.retainGrad();
    const k = h.tanh();
    const loss = k.sum();
    loss.backward();
    // ∂loss/∂h = 1 − tanh²(h), by hand from the numbers.
    const dh = tensor((h.toArray() as number[][]).map((row) => row.map((v) => 1 - Math.tanh(v) ** 2)));
    expect(compareGradients({ dh: [dh, h] }, { atol: 1e-15, rtol: 0 }).allClose).toBe(true);
    expect(() => compareGradients({ dk: [dh, k] })).toThrow(AutogradError);
    expect(() => compareGradients({ dk: [dh, k] })).toThrow(/compareGradients: dk: the reference of shape \[2,2\] is an intermediate \(made by tanh\) that did not call retainGrad\(\)/);
    const fresh = tensor([1, 2], { requiresGrad: true });
    expect(() => compareGradients({ dfresh: [tensor([1, 2]), fresh] })).toThrow(/compareGradients: dfresh: the reference of shape \[2\] has no gradient yet; run backward\(\)/);
  });

  it("takes gradients from gradients() as references, and marks a shape mismatch and NaN as not close", () => {
    const b = tensor([0.5, -0.5], { requiresGrad: true });
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    const [db] = gradients(x.add(b).pow(2).sum(), [b]); // 2·Σ_rows (x + b)
    const byHand = tensor([2 * (1.5 + 3.5 + 5.5), 2 * (1.5 + 3.5 + 5.5)]);
    const report = compareGradients({ db: [byHand, db!], "db kept 2-D": [byHand.reshape(1, 2), db!], nan: [tensor([NaN, 0]), tensor([NaN, 0])] });
    expect(report.rows[0]!.exact).toBe(true);
    expect(report.rows[1]).toMatchObject({ exact: false, close: false, maxAbsDiff: Infinity, shape: [1, 2], referenceShape: [2], problem: "shape [1,2] where autograd's gradient has [2]" });
    expect(report.rows[2]).toMatchObject({ exact: false, close: false });
    expect(report.rows[2]!.maxAbsDiff).toBeNaN();
    expect(report.firstMismatch).toBe("db kept 2-D");
    expect(String(report)).toContain("shape [1,2] where autograd's gradient has [2]");
    expect(JSON.parse(JSON.stringify(report))).toHaveLength(3);
  });

  it("refuses malformed entries and options", () => {
    const t = tensor([1]);
    expect(() => compareGradients({ a: [t] as never })).toThrow(DataError);
    expect(() => compareGradients({ a: [t, [1]] as never })).toThrow(/compareGradients: a must be a pair \[manualGradient, referenceTensor\] of two Tensors/);
    expect(() => compareGradients({ a: [t, t] }, { atl: 1 } as never)).toThrow(/compareGradients: unknown option "atl"; did you mean "atol"\?/);
    expect(() => compareGradients({ a: [t, t] }, { rtol: -1 })).toThrow(/compareGradients: rtol must be a non-negative number/);
    expect(() => compareGradients(t as never)).toThrow(/compareGradients: expected a record/);
    expect(compareGradients({}).allClose).toBe(true);
  });
});
