import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "@tapegrad/autograd";
import { Generator } from "@tapegrad/tensor";
import { BCELoss, Dense, Module, Parameter, ReLU, Sequential, Sigmoid, Tanh, optim } from "@tapegrad/nn";

// The numpy tutorials' hand-written backward pass, in plain loops over number[][], checked
// against the gradients tapegrad derives from the graph. Tutorials keep samples in
// columns; we keep them in rows, so every formula appears transposed:
//   dZ_L = A_L − Y                      (sigmoid + BCE, mean over m samples)
//   dW_l = dZ_lᵀ · A_{l−1} / m          (weights [out, in])
//   db_l = Σ_rows dZ_l / m
//   dA_{l−1} = dZ_l · W_l
//   dZ_l = dA_l ⊙ 1[Z_l > 0]  (ReLU)    or  dA_l ⊙ (1 − A_l²)  (tanh)

type Matrix = number[][];
const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));
const map2 = (a: Matrix, b: Matrix, f: (x: number, y: number) => number): Matrix => a.map((row, i) => row.map((v, j) => f(v, b[i]![j]!)));

interface Layer {
  W: Matrix; // [out, in]
  b: number[];
}

/** Forward pass of the tutorial: Z = A·Wᵀ + b, hidden activation, sigmoid at the end. */
function forward(layers: Layer[], X: Matrix, hidden: "relu" | "tanh") {
  const Z: Matrix[] = [];
  const A: Matrix[] = [X];
  layers.forEach((layer, l) => {
    const z = matmul(A[l]!, transpose(layer.W)).map((row) => row.map((v, j) => v + layer.b[j]!));
    Z.push(z);
    const last = l === layers.length - 1;
    A.push(z.map((row) => row.map((v) => (last ? 1 / (1 + Math.exp(-v)) : hidden === "relu" ? Math.max(v, 0) : Math.tanh(v)))));
  });
  return { Z, A };
}

/** The hand-written backward pass: dW and db for every layer. */
function tutorialGradients(layers: Layer[], X: Matrix, Y: Matrix, hidden: "relu" | "tanh") {
  const { Z, A } = forward(layers, X, hidden);
  const m = X.length;
  const dW: Matrix[] = [];
  const db: number[][] = [];
  let dZ = map2(A[layers.length]!, Y, (a, y) => a - y); // dZ_L = A_L − Y
  for (let l = layers.length - 1; l >= 0; l--) {
    dW[l] = matmul(transpose(dZ), A[l]!).map((row) => row.map((v) => v / m)); // dZᵀ·A_prev / m
    db[l] = transpose(dZ).map((col) => col.reduce((s, v) => s + v, 0) / m); // Σ dZ / m
    if (l > 0) {
      const dA = matmul(dZ, layers[l]!.W); // dA_prev = dZ·W
      dZ = hidden === "relu" ? map2(dA, Z[l - 1]!, (d, z) => (z > 0 ? d : 0)) : map2(dA, A[l]!, (d, a) => d * (1 - a * a));
    }
  }
  return { dW, db };
}

/** |a − b| ≤ 1e-12·max(1, |b|): relative for large values, absolute near 0 where relative error is meaningless. */
function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)))) throw new Error(`element ${i}: graph ${a} vs formula ${b}`);
  });
}

const networkArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 3, maxLength: 6 }).map((s) => [...s.slice(0, -1), 1]),
  batch: fc.integer({ min: 1, max: 20 }),
  seed: fc.integer({ min: 0, max: 1e9 }),
});

function build(sizes: number[], batch: number, seed: number, hidden: "relu" | "tanh") {
  const g = new Generator(seed);
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push({
      // Scaled as the usual inits (std 1/√in) so the output sigmoid stays unsaturated: where
      // σ(z) rounds to exactly 0 or 1, A(1 − A) is 0 and the composite sigmoid→BCE gradient
      // vanishes, in tapegrad as in PyTorch, while the formula A − Y does not. That is what
      // BCEWithLogitsLoss is for; it is not what these formulas test.
      W: Array.from({ length: sizes[i + 1]! }, () => Array.from({ length: sizes[i]! }, () => g.normal() / Math.sqrt(sizes[i]!))),
      b: Array.from({ length: sizes[i + 1]! }, () => g.normal() * 0.1),
    });
  }
  const X = Array.from({ length: batch }, () => Array.from({ length: sizes[0]! }, () => g.normal()));
  const Y = Array.from({ length: batch }, () => [g.random() < 0.5 ? 0 : 1]);
  const modules: Module[] = [];
  layers.forEach((layer, i) => {
    const dense = new Dense(sizes[i]!, sizes[i + 1]!);
    dense.weight = new Parameter(tensor(layer.W));
    dense.bias = new Parameter(tensor(layer.b));
    modules.push(dense, i === layers.length - 1 ? new Sigmoid() : hidden === "relu" ? new ReLU() : new Tanh());
  });
  return { layers, X, Y, model: new Sequential(...modules) };
}

const flat = (m: Matrix | number[]): number[] => (m as unknown[]).flat() as number[];
const denseLayers = (model: Sequential): Dense[] => model.children().filter((c): c is Dense => c instanceof Dense);

describe("the graph's gradients equal the numpy tutorials' formulas", () => {
  for (const hidden of ["relu", "tanh"] as const) {
    it(`${hidden} hidden layers, sigmoid output, BCE`, () => {
      fc.assert(
        fc.property(networkArb, ({ sizes, batch, seed }) => {
          const { layers, X, Y, model } = build(sizes, batch, seed, hidden);
          new BCELoss().forward(model.forward(tensor(X)), tensor(Y)).backward();
          const expected = tutorialGradients(layers, X, Y, hidden);
          denseLayers(model).forEach((dense, l) => {
            expectClose(flat(dense.weight.grad!.toArray() as Matrix), flat(expected.dW[l]!));
            expectClose(flat(dense.bias!.grad!.toArray() as number[]), expected.db[l]!);
          });
        }),
        { numRuns: 60 },
      );
    });
  }

  it("a full SGD step moves every weight by −lr·dW", () => {
    fc.assert(
      fc.property(networkArb, fc.double({ min: 0.001, max: 1, noNaN: true }), ({ sizes, batch, seed }, lr) => {
        const { layers, X, Y, model } = build(sizes, batch, seed, "relu");
        const expected = tutorialGradients(layers, X, Y, "relu");
        const optimizer = new optim.SGD(model.parameters(), { lr });
        optimizer.zeroGrad();
        new BCELoss().forward(model.forward(tensor(X)), tensor(Y)).backward();
        optimizer.step();
        denseLayers(model).forEach((dense, l) => {
          expectClose(flat(dense.weight.toArray() as Matrix), flat(map2(layers[l]!.W, expected.dW[l]!, (w, d) => w - lr * d)));
          expectClose(dense.bias!.toArray() as number[], layers[l]!.b.map((b, j) => b - lr * expected.db[l]![j]!));
        });
      }),
      { numRuns: 40 },
    );
  });
});

export type { Tensor };
