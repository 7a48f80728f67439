import { it } from "vitest";
import { randn, noGrad } from "@tapegrad/autograd";
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
it("bench", () => {
  const x = randn([64, 16, 14, 14]);
  const w = randn([16, 1, 1]);
  const y = randn([64, 16, 14, 14]);
  time("mul broadcast [16,1,1]", () => noGrad(() => x.mul(w)));
  time("mul same shape", () => noGrad(() => x.mul(y)));
  time("sum over 0,2,3", () => noGrad(() => x.sum([0, 2, 3])));
  time("mean 0,2,3", () => noGrad(() => x.mean([0, 2, 3])));
  time("var 0,2,3", () => noGrad(() => x.var([0, 2, 3])));
  const x2 = randn([512, 200]);
  const w2 = randn([200]);
  time("2d mul broadcast [200]", () => noGrad(() => x2.mul(w2)));
  time("2d sum 0", () => noGrad(() => x2.sum(0)));
  time("2d var 0", () => noGrad(() => x2.var(0)));
});
