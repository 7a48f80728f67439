import { it } from "vitest";
import { randn, noGrad, standardize, type Tensor } from "@tapegrad/autograd";
import { BatchNorm1d, BatchNorm2d, LayerNorm } from "../src/index.js";
const time = (label: string, f: () => void, n = 40) => {
  for (let i = 0; i < 5; i++) f();
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    best = Math.min(best, (performance.now() - t0) / n);
  }
  console.log(label.padEnd(40), best.toFixed(3), "ms");
};
const composite = (x: Tensor, dims: number[]) => {
  const mean = x.mean(dims, true);
  const c = x.sub(mean);
  return c.mul(c.square().mean(dims, true).add(1e-5).rsqrt());
};
it("bench", () => {
  for (const shape of [[512, 200], [64, 16, 14, 14]]) {
    const x = randn(shape, { requiresGrad: true });
    const g = randn(shape);
    const dims = shape.length === 2 ? [0] : [0, 2, 3];
    time(`composite core fwd+bwd ${shape}`, () => { x.grad = null; composite(x, dims).backward(g); });
    time(`fused core fwd+bwd ${shape}`, () => { x.grad = null; standardize(x, dims).backward(g); });
    time(`fused core fwd ${shape}`, () => noGrad(() => standardize(x, dims)));
    const bn = shape.length === 2 ? new BatchNorm1d(shape[1]!) : new BatchNorm2d(shape[1]!);
    time(`layer fwd+bwd ${shape}`, () => { bn.zeroGrad(); x.grad = null; bn.forward(x).backward(g); });
    time(`layer fwd nograd ${shape}`, () => noGrad(() => bn.forward(x)));
    time(`stats update only ${shape}`, () => noGrad(() => { x.mean(dims); x.var(dims); }));
  }
  const x = randn([512, 200], { requiresGrad: true });
  const g = randn([512, 200]);
  time(`composite LN core fwd+bwd`, () => { x.grad = null; composite(x, [1]).backward(g); });
  time(`fused LN core fwd+bwd`, () => { x.grad = null; standardize(x, [1]).backward(g); });
  const ln = new LayerNorm(200);
  time("LayerNorm fwd+bwd [512,200]", () => { ln.zeroGrad(); x.grad = null; ln.forward(x).backward(g); });
});
