import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { manualSeed } from "@tapegrad/autograd";
import { BCELoss, Dense, ReLU, Sequential, Sigmoid, data, optim } from "@tapegrad/nn";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Seeds everything, trains a little, and returns every number that came out, as a string. */
function fingerprint(seed: number): string {
  manualSeed(seed);
  const { X, y } = data.makeMoons({ nSamples: 200, noise: 0.2, seed });
  const model = new Sequential(new Dense(2, 8), new ReLU(), new Dense(8, 1), new Sigmoid());
  const initial = model.parameters().map((p) => Array.from(p.toFloat64Array()));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const loader = new data.DataLoader({ X, y }, { batchSize: 32, shuffle: true, seed });
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const [xb, yb] of loader) {
      optimizer.zeroGrad();
      new BCELoss().forward(model.forward(xb!), yb!).backward();
      optimizer.step();
    }
  }
  const trained = model.parameters().map((p) => Array.from(p.toFloat64Array()));
  // JSON of doubles round-trips exactly, so equal strings mean bit-identical numbers.
  return JSON.stringify({ X: Array.from(X.toFloat64Array()), initial, trained });
}

describe("determinism", () => {
  it("the same seed gives bit-identical data, initial and trained weights in one process", () => {
    expect(fingerprint(7)).toBe(fingerprint(7));
    expect(fingerprint(7)).not.toBe(fingerprint(8));
  });

  it("and across processes", () => {
    const script = `
      import { manualSeed, randn } from "${join(root, "packages/autograd/dist/index.js")}";
      import { data, Dense } from "${join(root, "packages/nn/dist/index.js")}";
      manualSeed(3);
      const d = new Dense(3, 4);
      const { X } = data.makeMoons({ nSamples: 50, noise: 0.3, seed: 3 });
      console.log(JSON.stringify([Array.from(d.weight.toFloat64Array()), Array.from(X.toFloat64Array()), Array.from(randn([5]).toFloat64Array())]));
    `;
    const run = () => spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    const a = run();
    const b = run();
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(100);
    expect(a.stdout).toBe(b.stdout);
  });

  it("library code never calls Math.random", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|js|mjs)$/.test(name) && /Math\s*\.\s*random/.test(readFileSync(path, "utf8"))) offenders.push(path);
      }
    };
    for (const pkg of ["tensor", "autograd", "nn"]) walk(join(root, "packages", pkg, "src"));
    expect(offenders).toEqual([]);
  });
});
