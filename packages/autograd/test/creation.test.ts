import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DataError,
  Generator,
  ShapeError,
  Tensor,
  arange,
  eye,
  full,
  fullLike,
  linspace,
  manualSeed,
  multinomial,
  ones,
  onesLike,
  rand,
  randLike,
  randint,
  randn,
  randnLike,
  randperm,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from "@tapegrad/autograd";
import { expressions } from "./torch-ops/creation.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const values = (t: Tensor) => Array.from(t.toFloat64Array());

// ---------------------------------------------------------------------------------------
// Deterministic creation functions against torch 1.13 (scripts/torch_op_cases/creation.py).

interface Stored {
  shape: number[];
  values: number[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-ops-creation.json", import.meta.url), "utf8")) as {
  cases: Record<string, { outputs: Stored[] }>;
};

describe("creation functions agree with torch 1.13", () => {
  it("has an expression for every case and a case for every expression", () => {
    expect(Object.keys(expressions).sort()).toEqual(Object.keys(fixture.cases).sort());
  });

  // torch's CPU kernels compute start + i·step with a fused multiply-add (one rounding) and,
  // from 8 values on, in 4-lane vectors continued from a base: a last-bit difference from
  // the two-rounding formula here. Each value must lie within 1e-15 of the range's size
  // (a few ulps); how many are bit-identical is reported.
  let exact = 0;
  let total = 0;
  for (const [name, stored] of Object.entries(fixture.cases)) {
    it(name, () => {
      const out = expressions[name]!() as Tensor;
      const expected = stored.outputs[0]!;
      expect(out.shape).toEqual(expected.shape);
      const actual = out.toFloat64Array();
      const scale = Math.max(1, ...expected.values.map(Math.abs));
      expected.values.forEach((b, i) => {
        expect(Math.abs(actual[i]! - b)).toBeLessThanOrEqual(1e-15 * scale);
        total++;
        if (Object.is(actual[i], b)) exact++;
      });
    });
  }
  it("(report of bit-identical values)", () => {
    console.info(`torch-ops-creation: ${exact} of ${total} values bit-identical to torch, the rest within 1e-15 of the range`);
    expect(exact).toBeGreaterThan(total / 2);
  });
});

describe("linspace (issue 20)", () => {
  it("one point is the start, none is empty, two are the ends; reversed ranges descend", () => {
    expect(values(linspace(5, 10, 1))).toEqual([5]);
    expect(linspace(5, 10, 0).shape).toEqual([0]);
    expect(values(linspace(5, 10, 2))).toEqual([5, 10]);
    expect(values(linspace(10, 5, 3))).toEqual([10, 7.5, 5]);
    expect(values(linspace(3, 3, 4))).toEqual([3, 3, 3, 3]);
  });

  it("the first half counts up from start and the second down from end, so both ends are exact", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 2, max: 60 }), (start, end, n) => {
        const v = values(linspace(start, end, n));
        const step = (end - start) / (n - 1);
        const half = Math.floor(n / 2);
        // An independent formula (torch's, RangeFactoriesKernel.cpp), compared bit for bit.
        v.forEach((x, i) => expect(x).toBe(i < half ? start + step * i : end - step * (n - 1 - i)));
        // (== rather than Object.is: a start of −0 comes out as start + 0·step = +0, in torch too.)
        expect(v[0] === start && v[n - 1] === end).toBe(true);
      }),
    );
  });

  it("errors: a negative or fractional count, a non-finite bound", () => {
    expect(() => linspace(0, 1, -1)).toThrow(ShapeError);
    expect(() => linspace(0, 1, -1)).toThrow("linspace: every size must be a non-negative integer, got -1");
    expect(() => linspace(0, 1, 2.5)).toThrow("linspace:");
    // torch returns NaNs here; an error says why.
    expect(() => linspace(0, Infinity, 3)).toThrow("linspace: start and end must be finite, got 0 and Infinity");
  });
});

describe("arange", () => {
  it("negative and float steps give ceil((end − start)/step) values, as torch", () => {
    expect(values(arange(5, 0, -1))).toEqual([5, 4, 3, 2, 1]);
    expect(arange(0, 1, 0.3).shape).toEqual([4]);
    expect(arange(0, 0.9, 0.3).shape).toEqual([3]);
    expect(arange(1, -1, -0.4).shape).toEqual([5]);
    expect(values(arange(2.5))).toEqual([0, 1, 2]);
    expect(arange(3, 3).shape).toEqual([0]);
    expect(arange(0).shape).toEqual([0]);
  });

  it("options may follow arange(n) and arange(start, end)", () => {
    expect(arange(3, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(values(arange(3, { requiresGrad: true }))).toEqual([0, 1, 2]);
    expect(values(arange(1, 3, { requiresGrad: true }))).toEqual([1, 2]);
  });

  it("a step of 0 or pointing away from end is an error, as torch ('upper bound and larger bound inconsistent with step sign')", () => {
    expect(() => arange(0, 1, 0)).toThrow("arange: step must not be 0");
    expect(() => arange(5, 0)).toThrow("arange: step 1 points away from end: no values lead from 5 to 0");
    expect(() => arange(0, 5, -1)).toThrow("arange: step -1 points away from end");
    expect(() => arange(-3)).toThrow("no values lead from 0 to -3");
    expect(() => arange(0, Infinity)).toThrow("arange: end must be a finite number, got Infinity");
    expect(() => arange(0, 5, -1)).toThrow(DataError);
  });
});

describe("eye, full, zeros, ones and the *Like factories", () => {
  it("eye(n, m) for rectangular and empty sizes", () => {
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(eye(3, 0).shape).toEqual([3, 0]);
    expect(eye(0).shape).toEqual([0, 0]);
    expect(eye(2, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(() => eye(-1)).toThrow("eye: every size must be a non-negative integer, got -1");
    expect(() => eye(2, -1)).toThrow(ShapeError);
  });

  it("full takes its shape as an array or as separate sizes, the value last", () => {
    expect(values(full(2, 3, 7))).toEqual(new Array(6).fill(7));
    expect(full(2, 3, 7).shape).toEqual([2, 3]);
    expect(full([2, 3], 7).shape).toEqual([2, 3]);
    expect(full(2, 7, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(full([], -2).item()).toBe(-2);
    expect(full([0, 3], 1).shape).toEqual([0, 3]);
    expect(Number.isNaN(full([1], NaN).item())).toBe(true);
    expect(() => (full as (...args: unknown[]) => Tensor)(7)).toThrow("full: expected a shape (an array or sizes) before the value");
    expect(() => full([2], "1" as never)).toThrow('full: expected a number after the shape, got "1"');
    expect(() => full([-1], 0)).toThrow(ShapeError);
  });

  it("zeros and ones: empty and 0-d shapes; negative sizes are errors", () => {
    expect(zeros(0, 3).shape).toEqual([0, 3]);
    expect(zeros().shape).toEqual([]);
    expect(ones([]).item()).toBe(1);
    expect(() => zeros(-1)).toThrow("zeros: every size must be a non-negative integer, got -1 in [-1]");
  });

  it("fullLike, zerosLike, onesLike keep the other's shape (also empty and 0-d) but not its grad flag", () => {
    const x = randn([2, 0], { requiresGrad: true });
    expect(fullLike(x, 3).shape).toEqual([2, 0]);
    expect(fullLike(x, 3).requiresGrad).toBe(false);
    expect(fullLike(tensor(1), 4, { requiresGrad: true }).item()).toBe(4);
    expect(values(fullLike(ones(2, 2), -1.5))).toEqual([-1.5, -1.5, -1.5, -1.5]);
    expect(zerosLike(tensor(2)).shape).toEqual([]);
    expect(() => fullLike([1, 2] as never, 1)).toThrow("fullLike: expected a Tensor to take the shape of, got Array");
    expect(() => onesLike(null as never)).toThrow("onesLike: expected a Tensor");
    expect(() => fullLike(ones(2), 1, { requires_grad: true } as never)).toThrow('fullLike: unknown option "requires_grad"; did you mean "requiresGrad"?');
  });

  it("tensor: empty nested arrays keep their shape", () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[]]).shape).toEqual([1, 0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor(3).shape).toEqual([]);
  });

  it("uniform takes separate sizes too; low = high gives low, low > high is an error", () => {
    expect(values(uniform(2, 3, -1, 1, { seed: 4 }))).toEqual(values(uniform([2, 3], -1, 1, { seed: 4 })));
    expect(values(uniform([3], 1, 1))).toEqual([1, 1, 1]);
    expect(() => uniform([3], 2, 1)).toThrow("uniform: expected finite bounds low ≤ high, got 2 and 1");
  });
});

// ---------------------------------------------------------------------------------------
// Random factories.

/** Σ (observed − expected)² / expected. */
function chiSquare(counts: readonly number[], probabilities: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((sum, c, i) => sum + (c - n * probabilities[i]!) ** 2 / (n * probabilities[i]!), 0);
}

/**
 * The chi-square quantile with k degrees of freedom at upper tail p = 1e-6 (Wilson–Hilferty:
 * (χ²/k)^(1/3) is nearly normal; z = 4.753 is the normal's 1e-6 upper quantile). A correct
 * sampler exceeds it once in a million seeds; a wrong law, with these sample sizes, by far.
 */
function critical(k: number): number {
  const a = 2 / (9 * k);
  return k * (1 - a + 4.753 * Math.sqrt(a)) ** 3;
}

const counts = (xs: Iterable<number>, k: number) => {
  const c = new Array<number>(k).fill(0);
  for (const x of xs) c[x]!++;
  return c;
};
const normalize = (w: readonly number[]) => w.map((v) => v / w.reduce((a, b) => a + b, 0));

describe("random factories: seeds, generators, the default generator", () => {
  const draws = (options: { seed?: number; generator?: Generator }) => [
    values(randint(0, 100, [6], options)),
    values(randperm(7, options)),
    values(multinomial(tensor([1, 2, 3, 0, 4]), 3, options)),
    values(multinomial(tensor([[1, 2], [3, 4]]), 5, { ...options, replacement: true })),
    values(randLike(ones(3), options)),
    values(randnLike(ones(3), options)),
  ];

  it("the same seed gives the same numbers; a generator made from the seed gives the same stream", () => {
    expect(draws({ seed: 11 })).toEqual(draws({ seed: 11 }));
    expect(draws({ seed: 11 })).not.toEqual(draws({ seed: 12 }));
  });

  it("{ seed } is a fresh generator from that seed, for every random factory", () => {
    const factories: ((o: { seed?: number; generator?: Generator }) => Tensor)[] = [
      (o) => randint(0, 100, [6], o),
      (o) => randperm(7, o),
      (o) => multinomial(tensor([1, 2, 3, 0, 4]), 3, o),
      (o) => multinomial(tensor([1, 2, 3, 0, 4]), 3, { ...o, replacement: true }),
      (o) => randLike(ones(3), o),
      (o) => randnLike(ones(3), o),
      (o) => rand(3, o),
      (o) => randn(3, o),
      (o) => uniform([3], -2, 2, o),
    ];
    for (const f of factories) expect(values(f({ seed: 11 }))).toEqual(values(f({ generator: new Generator(11) })));
  });

  it("randLike and randnLike are rand and randn of the other's shape", () => {
    const x = ones(2, 3);
    expect(values(randLike(x, { seed: 3 }))).toEqual(values(rand([2, 3], { seed: 3 })));
    expect(values(randnLike(x, { seed: 3 }))).toEqual(values(randn(2, 3, { seed: 3 })));
    expect(randLike(x, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(randnLike(zeros(0, 2)).shape).toEqual([0, 2]);
    expect(() => randLike(x, { sed: 1 } as never)).toThrow('randLike: unknown option "sed"; did you mean "seed"?');
  });

  it("without seed or generator, the default generator: manualSeed replays it", () => {
    const run = () => {
      manualSeed(5);
      return [values(randint(3, [4])), values(randperm(5)), values(multinomial(tensor([1, 1, 1, 1]), 4)), values(randLike(ones(2)))];
    };
    const a = run();
    expect(run()).toEqual(a);
    // The draws advance the default stream: a second draw without reseeding differs.
    manualSeed(5);
    randint(3, [4]);
    expect(values(randint(3, [4]))).not.toEqual(a[0]);
  });

  it("one generator shared across calls continues its stream", () => {
    const g = new Generator(8);
    const first = values(randperm(10, { generator: g }));
    const second = values(randperm(10, { generator: g }));
    expect(second).not.toEqual(first);
    const h = new Generator(8);
    expect(values(randperm(10, { generator: h }))).toEqual(first);
    expect(values(randperm(10, { generator: h }))).toEqual(second);
  });

  it("a seed and a generator together, or a generator that is not one, are errors", () => {
    expect(() => randint(0, 2, [3], { seed: 1, generator: new Generator(1) })).toThrow("randint: give either a seed or a generator, not both");
    expect(() => rand(2, { seed: 1, generator: new Generator(1) })).toThrow("rand: give either a seed or a generator, not both");
    expect(() => randperm(3, { generator: { random: () => 0.5 } as never })).toThrow("randperm: generator must be a Generator, got Object");
    expect(() => randperm(3, { seed: NaN })).toThrow("randperm: seed must be a finite number or a string, got NaN");
  });

  it("the same numbers in two fresh processes (seeded and from manualSeed)", () => {
    // Each child loads the sources through vite's module runner (no build needed) and prints its draws.
    const script = `
      import { runnerImport } from "vite";
      const src = (name) => ${JSON.stringify(root)} + "/packages/" + name + "/src/index.ts";
      const config = { configFile: false, root: ${JSON.stringify(root)}, logLevel: "silent", resolve: { alias: { "@tapegrad/tensor": src("tensor"), "@tapegrad/autograd": src("autograd") } } };
      const t = (await runnerImport(src("autograd"), config)).module;
      const v = (x) => Array.from(x.toFloat64Array());
      const seeded = [v(t.randint(0, 100, [6], { seed: 11 })), v(t.randperm(7, { seed: 11 })), v(t.multinomial(t.tensor([1, 2, 3, 0, 4]), 3, { seed: 11 })),
        v(t.multinomial(t.tensor([[1, 2], [3, 4]]), 5, { seed: 11, replacement: true })), v(t.randLike(t.ones(3), { seed: 11 })), v(t.randnLike(t.ones(3), { seed: 11 }))];
      t.manualSeed(5);
      const fromDefault = [v(t.randint(3, [4])), v(t.randperm(5)), v(t.multinomial(t.tensor([1, 1, 1, 1]), 4)), v(t.randLike(t.ones(2)))];
      console.log(JSON.stringify({ seeded, fromDefault }));
    `;
    const run = () => spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    const a = run();
    const b = run();
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    // And the same as this process: JSON of doubles round-trips exactly.
    manualSeed(5);
    const fromDefault = [values(randint(3, [4])), values(randperm(5)), values(multinomial(tensor([1, 1, 1, 1]), 4)), values(randLike(ones(2)))];
    expect(JSON.parse(a.stdout)).toEqual({ seeded: draws({ seed: 11 }), fromDefault });
  }, 60_000);
});

describe("randint", () => {
  it("integers in [low, high) of the given shape (array or separate sizes); randint(high, shape) as torch", () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }), (low, width, seed) => {
        const v = values(randint(low, low + width, [3, 7], { seed }));
        expect(v.every((x) => Number.isInteger(x) && x >= low && x < low + width)).toBe(true);
      }),
    );
    expect(randint(0, 10, 2, 3, { seed: 1 }).shape).toEqual([2, 3]);
    expect(values(randint(0, 10, 2, 3, { seed: 1 }))).toEqual(values(randint(0, 10, [2, 3], { seed: 1 })));
    expect(values(randint(10, [4], { seed: 1 }))).toEqual(values(randint(0, 10, [4], { seed: 1 })));
    expect(randint(0, 1, [0]).shape).toEqual([0]);
    expect(values(randint(4, 5, [3]))).toEqual([4, 4, 4]);
    expect(randint(0, 2, [3]).requiresGrad).toBe(false);
  });

  it("frequencies are uniform (chi-square at p = 1e-6), and the test tells a biased law apart", () => {
    const v = values(randint(-3, 7, [100_000], { seed: 2026 }));
    const c = counts(
      v.map((x) => x + 3),
      10,
    );
    expect(chiSquare(c, new Array(10).fill(0.1))).toBeLessThan(critical(9));
    // Rounding instead of flooring u·10 (the end values half as likely) would be caught, and so would a 10% tilt.
    expect(chiSquare(c, normalize([0.5, 1, 1, 1, 1, 1, 1, 1, 1, 0.5]))).toBeGreaterThan(critical(9));
    expect(chiSquare(c, normalize([1.1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))).toBeGreaterThan(critical(9));
  });

  it("a huge range stays inside [low, high)", () => {
    const high = 2 ** 53 - 1;
    const v = values(randint(0, high, [1000], { seed: 3 }));
    expect(v.every((x) => Number.isInteger(x) && x >= 0 && x < high)).toBe(true);
  });

  it("errors name randint and the bad value", () => {
    expect(() => randint(1, 1, [3])).toThrow("randint: expected low < high, got low 1 and high 1");
    expect(() => randint(0.5, 3, [3])).toThrow("randint: low must be an integer, got 0.5");
    expect(() => randint(0, Infinity, [3])).toThrow("randint: high must be an integer, got Infinity");
    expect(() => randint(0, 10)).toThrow("randint: expected a shape after low and high");
    expect(() => randint(0, 10, [-2])).toThrow("randint: every size must be a non-negative integer, got -2");
    expect(() => randint(0, 2, [3], { requiresGrad: true } as never)).toThrow('randint: unknown option "requiresGrad"');
  });
});

describe("randperm", () => {
  it("is a permutation of 0…n−1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer(), (n, seed) => {
        const p = values(randperm(n, { seed }));
        expect(p.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
    expect(randperm(0).shape).toEqual([0]);
    expect(values(randperm(1))).toEqual([0]);
  });

  it("all 6 orders of 3 are equally likely (chi-square at p = 1e-6)", () => {
    const g = new Generator(99);
    const order = (p: number[]) => p[0]! * 3 + p[1]!; // (first, second) identifies the order
    const codes = [1, 2, 3, 5, 6, 7];
    const c = new Array<number>(6).fill(0);
    for (let i = 0; i < 30_000; i++) c[codes.indexOf(order(values(randperm(3, { generator: g }))))]!++;
    expect(chiSquare(c, new Array(6).fill(1 / 6))).toBeLessThan(critical(5));
    // The naive shuffle (swap each place with any place: 27 equally likely paths onto 6 orders) would fail.
    const naive = new Array<number>(6).fill(0);
    for (let path = 0; path < 27; path++) {
      const p = [0, 1, 2];
      for (let i = 0, rest = path; i < 3; i++, rest = Math.floor(rest / 3)) [p[i], p[rest % 3]] = [p[rest % 3]!, p[i]!];
      naive[codes.indexOf(order(p))]! += 1 / 27;
    }
    expect(Math.min(...naive)).toBeLessThan(1 / 6);
    expect(chiSquare(c, naive)).toBeGreaterThan(critical(5));
  });

  it("errors: n not a non-negative integer", () => {
    expect(() => randperm(-1)).toThrow("randperm: every size must be a non-negative integer, got -1");
    expect(() => randperm(2.5)).toThrow(ShapeError);
    expect(() => randperm(3, { replacement: true } as never)).toThrow('randperm: unknown option "replacement"');
  });
});

describe("multinomial", () => {
  const weights = [0, 1, 2, 3, 4, 0, 10];

  it("with replacement: frequencies follow the weights (not normalized), zero weights never drawn", () => {
    const rows = tensor([weights, weights.slice().reverse()]);
    const out = multinomial(rows, 40_000, { replacement: true, seed: 7 });
    expect(out.shape).toEqual([2, 40_000]);
    const [r0, r1] = out.toArray() as number[][];
    const c0 = counts(r0!, 7);
    const c1 = counts(r1!, 7);
    expect(c0[0]).toBe(0);
    expect(c0[5]).toBe(0);
    const keep = [1, 2, 3, 4, 6];
    const p = normalize(keep.map((k) => weights[k]!));
    expect(chiSquare(keep.map((k) => c0[k]!), p)).toBeLessThan(critical(4));
    expect(chiSquare(keep.map((k) => c1[6 - k]!), p)).toBeLessThan(critical(4));
    // Squared weights (a plausible slip) or equal weights would fail.
    expect(chiSquare(keep.map((k) => c0[k]!), normalize(keep.map((k) => weights[k]! ** 2)))).toBeGreaterThan(critical(4));
    expect(chiSquare(keep.map((k) => c0[k]!), normalize(keep.map(() => 1)))).toBeGreaterThan(critical(4));
  });

  it("without replacement: draws in order follow sequential sampling, P(i, then j) = wᵢ/W · wⱼ/(W − wᵢ)", () => {
    const w = [1, 2, 3, 0, 4];
    const rows = 30_000;
    const probs = tensor(Array.from({ length: rows }, () => w));
    const out = multinomial(probs, 2, { seed: 13 }).toArray() as number[][];
    const classes = [0, 1, 2, 4];
    const pairs: [number, number][] = classes.flatMap((i) => classes.filter((j) => j !== i).map((j) => [i, j] as [number, number]));
    const c = new Array<number>(pairs.length).fill(0);
    for (const [i, j] of out) c[pairs.findIndex(([a, b]) => a === i && b === j)]!++;
    expect(c.reduce((a, b) => a + b, 0)).toBe(rows); // every pair is two distinct positive-weight classes
    const W = 10;
    const law = pairs.map(([i, j]) => (w[i]! / W) * (w[j]! / (W - w[i]!)));
    expect(chiSquare(c, law)).toBeLessThan(critical(pairs.length - 1));
    // Independent draws conditioned on being distinct would fail: they weigh pairs by wᵢ·wⱼ alike in both orders.
    const symmetric = normalize(pairs.map(([i, j]) => w[i]! * w[j]!));
    expect(chiSquare(c, symmetric)).toBeGreaterThan(critical(pairs.length - 1));
  });

  it("without replacement: a row never repeats a class nor draws a zero weight (property)", () => {
    const row = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e3, noNaN: true })), { minLength: 1, maxLength: 12 }).filter((r) => r.some((v) => v > 0));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 4 }), fc.integer(), fc.boolean(), (rowsRaw, seed, replacement) => {
        const c = Math.min(...rowsRaw.map((r) => r.length));
        const rows = rowsRaw.map((r) => r.slice(0, c)).filter((r) => r.some((v) => v > 0));
        fc.pre(rows.length > 0);
        const positive = Math.min(...rows.map((r) => r.filter((v) => v > 0).length));
        const n = replacement ? 2 * c + 1 : positive;
        const out = multinomial(tensor(rows), n, { seed, replacement }).toArray() as number[][];
        expect(out.length).toBe(rows.length);
        out.forEach((drawn, r) => {
          expect(drawn.length).toBe(n);
          expect(drawn.every((k) => Number.isInteger(k) && rows[r]![k]! > 0)).toBe(true);
          if (!replacement) expect(new Set(drawn).size).toBe(n);
        });
      }),
    );
  });

  it("1-D weights give [numSamples]; rows of 0 give [0, numSamples]; huge weights do not overflow", () => {
    expect(multinomial(tensor([0.2, 0.8]), 2).shape).toEqual([2]);
    expect(multinomial(zeros(0, 3), 2).shape).toEqual([0, 2]);
    expect(values(multinomial(tensor([[1, 0, 0], [0, 0, 1]]), 1))).toEqual([0, 2]);
    const v = values(multinomial(tensor([1e308, 1e308, 0]), 50, { replacement: true, seed: 1 }));
    expect(v.every((k) => k === 0 || k === 1)).toBe(true);
    expect(new Set(v).size).toBe(2);
    // A transposed (non-contiguous) weight matrix is read by its shape.
    const t = tensor([
      [1, 0],
      [0, 1],
      [0, 0],
    ]).t();
    expect(values(multinomial(t, 1))).toEqual([0, 1]);
  });

  it("errors name multinomial, the value and its position, and draw nothing from the generator", () => {
    const g = new Generator(21);
    const reference = new Generator(21).random();
    expect(() => multinomial(tensor([[1, 0, 0], [0, -1, 1]]), 1, { generator: g })).toThrow("multinomial: weights must be finite and nonnegative, got -1 at position [1, 1]");
    expect(() => multinomial(tensor([NaN, 1]), 1, { generator: g })).toThrow("multinomial: weights must be finite and nonnegative, got NaN at position [0]");
    expect(() => multinomial(tensor([1, Infinity]), 1, { generator: g })).toThrow("got Infinity at position [1]");
    expect(() => multinomial(tensor([[1, 1], [0, 0]]), 1, { generator: g })).toThrow("multinomial: row 1 of weights [2,2]: no positive weight to draw from");
    expect(() => multinomial(tensor([0, 1, 2]), 3, { generator: g })).toThrow(
      "multinomial: cannot draw 3 samples without replacement from weights [3]: only 2 weights are positive",
    );
    expect(() => multinomial(ones(2, 0), 1, { generator: g })).toThrow("multinomial: row 0 of weights [2,0]: no positive weight");
    expect(() => multinomial(tensor([1, 1]), 0, { generator: g })).toThrow("multinomial: numSamples must be a positive integer, got 0");
    expect(() => multinomial(tensor([1, 1]), 1.5, { generator: g })).toThrow("numSamples must be a positive integer, got 1.5");
    expect(() => multinomial(tensor(1), 1, { generator: g })).toThrow("multinomial: expected weights of shape [C] or [R, C], got []");
    expect(() => multinomial(ones(2, 2, 2), 1, { generator: g })).toThrow(ShapeError);
    expect(() => multinomial(tensor([1, 1]), 1, { replacement: "yes" } as never)).toThrow('multinomial: replacement must be true or false, got "yes"');
    expect(() => multinomial([1, 1] as never, 1)).toThrow("multinomial: probs must be a Tensor, got Array");
    expect(() => multinomial(tensor([1, 1]), 1, { replacment: true } as never)).toThrow('multinomial: unknown option "replacment"; did you mean "replacement"?');
    expect(g.random()).toBe(reference);
  });
});
