import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, TapegradError } from "@tapegrad/tensor";
import { Tensor, cat, gradcheck, randn, stack, tensor, zeros, full, arange, rand } from "@tapegrad/autograd";
import { BCELoss, Dense, Sequential, data, optim } from "@tapegrad/nn";

// Random programs: DAGs of 1–8 ops over broadcast-compatible shapes, with views, whose
// gradients must pass gradcheck. Inputs stay away from kinks (values in ±[0.5, 1.5]).

type Program = (...inputs: Tensor[]) => Tensor;

const unary: ((x: Tensor) => Tensor)[] = [
  (x) => x.tanh(),
  (x) => x.sigmoid(),
  (x) => x.exp().mul(0.5),
  (x) => x.mul(x).add(1).log(),
  (x) => x.mul(x).add(0.5).sqrt(),
  (x) => x.sin(),
  (x) => x.neg(),
  (x) => x.pow(3),
  (x) => (x.ndim >= 2 ? x.transpose(0, x.ndim - 1) : x),
  (x) => x.reshape(-1),
  (x) => x.unsqueeze(0),
  (x) => (x.ndim >= 1 && x.shape[0]! > 1 ? x.narrow(0, 1, x.shape[0]! - 1) : x),
  (x) => (x.ndim >= 1 ? x.softmax(-1) : x),
  (x) => (x.ndim >= 1 ? x.logsumexp(0, true) : x),
  (x) => (x.ndim >= 1 ? x.mean(-1) : x),
];

const binary: ((a: Tensor, b: Tensor) => Tensor)[] = [(a, b) => a.add(b), (a, b) => a.sub(b), (a, b) => a.mul(b), (a, b) => a.div(b.mul(b).add(1))];

function buildProgram(steps: { kind: number; op: number; left: number; right: number }[]): Program {
  return (...inputs) => {
    const values: Tensor[] = [...inputs];
    for (const step of steps) {
      const a = values[step.left % values.length]!;
      if (step.kind === 0) values.push(unary[step.op % unary.length]!(a));
      else {
        const b = values[step.right % values.length]!;
        try {
          values.push(binary[step.op % binary.length]!(a, b));
        } catch (error) {
          // Shapes produced by earlier views may not broadcast: the op must say so clearly.
          expect(error).toBeInstanceOf(TapegradError);
          values.push(a.sum());
        }
      }
    }
    return values[values.length - 1]!.sum();
  };
}

const stepArb = fc.record({ kind: fc.integer({ min: 0, max: 1 }), op: fc.nat(), left: fc.nat(), right: fc.nat() });

function input(shape: number[], seed: number): Tensor {
  const g = new Generator(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Float64Array.from({ length: size }, () => (0.5 + g.random()) * (g.random() < 0.5 ? -1 : 1));
  return tensor(values, { shape, requiresGrad: true });
}

describe("random programs of ops pass gradcheck", () => {
  it("1–8 ops over broadcast-compatible shapes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        fc.array(stepArb, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 1e9 }),
        (shape, steps, seed) => {
          const inputs = [input(shape, seed), input(shape.slice(1), seed + 1), input([1, ...shape.slice(1)], seed + 2)];
          gradcheck(buildProgram(steps), inputs, { atol: 1e-5, rtol: 1e-4 });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("garbage in: an Error subclass with a message, never a crash inside a kernel", () => {
  const garbage = fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(Number.NaN),
    fc.constant(-1),
    fc.constant(2.5),
    fc.string(),
    fc.constant([[1, 2], [3]]),
    fc.constant([1, "a"]),
    fc.constant({}),
    fc.constant([Number.NaN]),
    fc.constant([-3]),
    fc.constant([1e12, 1e12]),
    fc.array(fc.oneof(fc.integer({ min: -2, max: 3 }), fc.string(), fc.constant(null)), { maxLength: 4 }),
  );
  const x = randn([2, 3], { seed: 1, requiresGrad: true });
  const calls: [string, (g: unknown) => unknown][] = [
    ["tensor", (g) => tensor(g as never)],
    ["zeros", (g) => zeros(g as never)],
    ["full", (g) => full(g as never, 1)],
    ["arange", (g) => arange(g as never, 3)],
    ["rand", (g) => rand(g as never)],
    ["reshape", (g) => x.reshape(g as never)],
    ["permute", (g) => x.permute(g as never)],
    ["expand", (g) => x.expand(g as never)],
    ["sum", (g) => x.sum(g as never)],
    ["transpose", (g) => x.transpose(g as never, 0)],
    ["narrow", (g) => x.narrow(1, g as never, 1)],
    ["add", (g) => x.add(g as never)],
    ["matmul", (g) => x.matmul(g as never)],
    ["pow", (g) => x.pow(g as never)],
    ["cat", (g) => cat(g as never)],
    ["stack", (g) => stack(g as never)],
    ["Dense", (g) => new Dense(g as never, 2)],
    ["Sequential", (g) => new Sequential(g as never)],
    ["BCELoss", (g) => new BCELoss().forward(x.sigmoid(), g as never)],
    ["SGD", (g) => new optim.SGD(g as never, { lr: 0.1 })],
    ["SGD lr", (g) => new optim.SGD([x], { lr: g as never })],
    ["makeMoons", (g) => data.makeMoons({ nSamples: g as never })],
    ["loadStateDict", (g) => new Dense(2, 2).loadStateDict(g as never)],
    ["DataLoader", (g) => new data.DataLoader(g as never, { batchSize: 2 })],
  ];
  it.each(calls)("%s", (_, call) => {
    fc.assert(
      fc.property(garbage, (g) => {
        try {
          call(g);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message.length).toBeGreaterThan(10);
          // Kernel crashes surface as TypeError/RangeError from deep inside; ours are TapegradErrors.
          if (!(error instanceof TapegradError)) throw new Error(`${(error as Error).name} escaped: ${(error as Error).message}`);
        }
      }),
      { numRuns: 60 },
    );
  });
});
