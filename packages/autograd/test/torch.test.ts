import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tensor, cat, gradients, linear, stack, tensor } from "@tapegrad/autograd";
import { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss } from "@tapegrad/nn";

// Values and gradients computed by PyTorch in float64 (scripts/torch-fixtures.py wrote the
// fixture; torch is not needed here). Each expression below is the same formula, op for op.
interface Fixture {
  inputs: { shape: number[]; values: number[] }[];
  value: number;
  grads: number[][];
}
const fixtures = JSON.parse(readFileSync(new URL("./fixtures/torch.json", import.meta.url), "utf8")).expressions as Record<string, Fixture>;

const expressions: Record<string, (...xs: Tensor[]) => Tensor> = {
  broadcast_arith: (a, b) => a.mul(b).sub(a.div(b.mul(b).add(1))).add(b).sum(),
  exp_log_sqrt: (a, b) => a.exp().mul(b.log()).add(b.sqrt()).mean(),
  tanh_sigmoid_relu: (a) => a.tanh().mul(a.sigmoid()).add(a.relu()).pow(2).sum(),
  matmul_batched: (a, b) => a.matmul(b).tanh().sum(),
  matmul_vector: (a, b) => a.matmul(b).exp().sum(),
  softmax_logsoftmax: (a) => a.softmax(1).mul(a.logSoftmax(1)).sum(),
  logsumexp_dims: (a) => a.logsumexp([0, 2], true).sum(),
  max_mean: (a) => a.max(1).mean().add(a.mean(0).pow(3).sum()),
  maximum_minimum: (a, b) => a.maximum(b).mul(2).add(a.minimum(b)).sum(),
  clamp_abs_pow: (a) => a.clamp(-0.5, 0.7).add(a.abs().pow(1.5)).sum(),
  views: (a) => a.transpose(0, 1).reshape(-1, 2).narrow(0, 1, 3).unsqueeze(0).expand(2, 3, 2).sum(),
  cat_stack: (a, b) => stack([cat([a, b], 0).sin(), cat([b, a], 0).cos()], 1).sum(),
  mlp_bce: (x, w1, b1, w2, b2) => {
    const target = tensor(Array.from({ length: x.shape[0]! }, (_, i) => [i % 2]));
    return new BCELoss().forward(linear(linear(x, w1, b1).relu(), w2, b2).sigmoid(), target);
  },
  bce_logits: (z) => new BCEWithLogitsLoss().forward(z, tensor([[0], [1], [1], [0]])),
  cross_entropy: (z) => new CrossEntropyLoss().forward(z, [2, 0, 1]),
  mse: (a, b) => new MSELoss().forward(a, b),
};

/** Relative difference with a floor of 1 on the scale, so values near 0 compare absolutely. */
const difference = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe("agreement with PyTorch (float64)", () => {
  it("covers every expression in the fixture", () => {
    expect(Object.keys(expressions).sort()).toEqual(Object.keys(fixtures).sort());
  });

  let worst = 0;
  for (const [name, fixture] of Object.entries(fixtures)) {
    it(`${name}: value and gradients agree to 1e-9`, () => {
      const inputs = fixture.inputs.map((x) => tensor(x.values, { shape: x.shape, requiresGrad: true }));
      const value = expressions[name]!(...inputs);
      const grads = gradients(value, inputs);
      const diffs = [difference(value.item(), fixture.value)];
      grads.forEach((g, i) => Array.from(g.toFloat64Array()).forEach((v, j) => diffs.push(difference(v, fixture.grads[i]![j]!))));
      const max = Math.max(...diffs);
      worst = Math.max(worst, max);
      expect(max).toBeLessThan(1e-9);
    });
  }

  it("the largest difference seen is at rounding level", () => {
    // Different libm implementations of exp/log/tanh differ by an ulp or so per call.
    expect(worst).toBeLessThan(1e-12);
  });
});
