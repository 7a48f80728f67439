import { describe, expect, it } from "vitest";
import { DataError, Generator, manualSeed, noGrad, randn, tensor } from "@tapegrad/autograd";
import { Embedding, functional } from "../src/index.js";
import { decode, expectClose, loadLayerFixture, type Flat } from "./layer-fixtures.js";

// Values from torch 1.13 in float64: scripts/torch_layer_cases/embedding.py.
interface Case {
  numEmbeddings: number;
  embeddingDim: number;
  options: Record<string, unknown>;
  pretrained: { freeze?: boolean } | null;
  paddingIdx: number | null;
  weight: Flat;
  weightAfter: Flat;
  requiresGrad: boolean;
  stateShapes: [string, number[]][];
  indices: Flat;
  output: Flat;
  cotangent: Flat;
  weightGrad: Flat | null;
}
const fixture = loadLayerFixture<{ cases: Record<string, Case> }>("embedding");

describe("Embedding agrees with torch 1.13: output, weight gradient, renormalised weight (1e-12)", () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(name, () => {
      let layer: Embedding;
      if (c.pretrained) {
        layer = Embedding.fromPretrained(decode(c.weight), { ...c.pretrained, ...c.options });
      } else {
        layer = new Embedding(c.numEmbeddings, c.embeddingDim, c.options);
        // torch zeroes the padding row at initialisation; so must we.
        if (c.paddingIdx !== null) expect(layer.weight.select(0, c.paddingIdx).toArray()).toEqual(Array(c.embeddingDim).fill(0));
        layer.loadStateDict({ weight: decode(c.weight) });
      }
      expect(layer.paddingIdx).toBe(c.paddingIdx);
      expect(layer.weight.requiresGrad).toBe(c.requiresGrad);
      expect(Object.entries(layer.stateDict()).map(([k, t]) => [k, t.shape])).toEqual(c.stateShapes);
      const y = layer.forward(decode(c.indices));
      expectClose(y, c.output, 1e-12, "output");
      expectClose(layer.weight, c.weightAfter, 1e-12, "weight after the forward");
      if (c.weightGrad === null) {
        expect(y.requiresGrad).toBe(false);
        return;
      }
      y.mul(decode(c.cotangent)).sum().backward();
      expectClose(layer.weight.grad, c.weightGrad, 1e-12, "weight gradient");
      // The functional form, on the renormalised weight, gives the same values.
      const viaFunction = functional.embedding(decode(c.indices), layer.weight.detach(), c.options);
      expect(Array.from(viaFunction.toFloat64Array())).toEqual(Array.from(y.toFloat64Array()));
    });
  }
});

describe("Embedding semantics", () => {
  it("initialises from N(0, 1) through the default generator, or a seed or generator", () => {
    manualSeed(11);
    const a = new Embedding(2000, 10);
    manualSeed(11);
    const b = new Embedding(2000, 10);
    expect(Array.from(b.weight.toFloat64Array())).toEqual(Array.from(a.weight.toFloat64Array()));
    const values = a.weight.toFloat64Array();
    const n = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    // 20000 draws: the mean's standard error is 0.007 and the variance's 0.01; 5 of each.
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    const seeded = new Embedding(3, 2, { seed: 4 });
    expect(seeded.weight.toArray()).toEqual(randn([3, 2], { seed: 4 }).toArray());
    const g1 = new Generator(5);
    const g2 = new Generator(5);
    expect(new Embedding(3, 2, { generator: g1 }).weight.toArray()).toEqual(new Embedding(3, 2, { generator: g2 }).weight.toArray());
  });

  it("maps indices of any shape [*] to [*, embeddingDim], row by row", () => {
    const layer = Embedding.fromPretrained(tensor([[0, 1], [10, 11], [20, 21]]));
    expect(layer.forward(tensor([[2, 0, 1]])).toArray()).toEqual([[[20, 21], [0, 1], [10, 11]]]);
    expect(layer.forward(tensor(1)).toArray()).toEqual([10, 11]);
    expect(layer.forward(tensor([[2, 0], [1, 1]]).t()).toArray()).toEqual([[[20, 21], [10, 11]], [[0, 1], [10, 11]]]);
    expect(layer.forward(tensor([], { shape: [0, 4] })).shape).toEqual([0, 4, 2]);
  });

  it("the padding row gets no gradient even when its values are not zero", () => {
    const layer = Embedding.fromPretrained(tensor([[1, 2], [3, 4], [5, 6]]), { freeze: false, paddingIdx: -3 });
    expect(layer.paddingIdx).toBe(0);
    const y = layer.forward(tensor([0, 2, 0, 1, 2]));
    expect(y.toArray()).toEqual([[1, 2], [5, 6], [1, 2], [3, 4], [5, 6]]);
    y.mul(tensor([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]])).sum().backward();
    expect(layer.weight.grad!.toArray()).toEqual([[0, 0], [4, 4], [7, 7]]);
  });

  it("fromPretrained shares the given tensor, frozen by default", () => {
    const table = tensor([[1, 2], [3, 4]]);
    const layer = Embedding.fromPretrained(table);
    expect(layer.weight.requiresGrad).toBe(false);
    expect(layer.parameters().length).toBe(1);
    noGrad(() => table.mul_(2));
    expect(layer.forward(tensor([1])).toArray()).toEqual([[6, 8]]);
    expect(() => Embedding.fromPretrained(tensor([1, 2]))).toThrow("Embedding.fromPretrained: embeddings must be 2-D [numEmbeddings, embeddingDim], got [2]");
    expect(() => Embedding.fromPretrained(table, { Freeze: true } as never)).toThrow(/Embedding.fromPretrained: unknown option "Freeze"; did you mean "freeze"\?/);
  });

  it("refuses bad indices, naming the position and the bound, before changing anything", () => {
    const layer = new Embedding(4, 2, { maxNorm: 0.1, seed: 1 });
    const before = layer.weight.toArray();
    expect(() => layer.forward(tensor([[0, 1], [4, 2]]))).toThrow(DataError);
    expect(() => layer.forward(tensor([[0, 1], [4, 2]]))).toThrow("embedding: index 4 at position [1, 0] is out of range for 4 embeddings (expected an integer in [0, 3])");
    expect(() => layer.forward(tensor([0, -1]))).toThrow(/index -1 at position \[1\]/);
    expect(() => layer.forward(tensor([0.5]))).toThrow(/index 0.5 at position \[0\]/);
    expect(layer.weight.toArray()).toEqual(before);
  });

  it("checks its options and names the layer", () => {
    expect(() => new Embedding(4, 2, { paddingIdx: 4 })).toThrow("Embedding: paddingIdx must be an integer in [-4, 3] (within the 4 embeddings), got 4");
    expect(() => new Embedding(4, 2, { paddingIdx: -5 })).toThrow(DataError);
    expect(() => new Embedding(4, 2, { padding_idx: 1 } as never)).toThrow(/did you mean "paddingIdx"\?/);
    expect(() => new Embedding(4, 2, { sparse: true })).toThrow("Embedding: sparse gradients are not supported; drop the option or pass false");
    expect(() => new Embedding(0, 2)).toThrow("Embedding: numEmbeddings must be a positive integer, got 0");
    expect(() => new Embedding(4, 2.5)).toThrow(/embeddingDim must be a positive integer/);
    expect(() => new Embedding(4, 2, { maxNorm: -1 })).toThrow(/maxNorm must be a finite number ≥ 0/);
    expect(() => functional.embedding(tensor([0]), tensor([1, 2]))).toThrow("embedding: weight must be 2-D [numEmbeddings, embeddingDim], got [2]");
  });

  it("prints as PyTorch does, showing only the settings that are not the default", () => {
    expect(String(new Embedding(27, 10))).toBe("Embedding(27, 10)");
    expect(String(new Embedding(5, 3, { paddingIdx: -2, maxNorm: 1, normType: 3, scaleGradByFreq: true }))).toBe(
      "Embedding(5, 3, paddingIdx=3, maxNorm=1, normType=3, scaleGradByFreq=true)",
    );
  });
});
