import { describe, expect, it } from "vitest";
import { DataError, arange, tensor } from "@tapegrad/autograd";
import { data } from "../src/index.js";

const { DataLoader, TensorDataset } = data;

// DataLoader(dataset, batch_size=…, shuffle=…) as a PyTorch user writes it, options camelCased.
describe("DataLoader options", () => {
  const X = arange(0, 10).reshape(10, 1);
  const y = arange(0, 10);

  it("batch_size out of habit is an error suggesting batchSize, not a silent batch of 1", () => {
    expect(() => new DataLoader(new TensorDataset(X, y), { batch_size: 8 } as never)).toThrow(DataError);
    expect(() => new DataLoader(new TensorDataset(X, y), { batch_size: 8 } as never)).toThrow('DataLoader: unknown option "batch_size"; did you mean "batchSize"?');
    expect(() => new DataLoader([X, y], { drop_last: true } as never)).toThrow('did you mean "dropLast"?');
  });

  it("batchSize: 4 gives batches of 4, 4 and 2", () => {
    const sizes = [...new DataLoader([X, y], { batchSize: 4 })].map(([xb]) => xb!.shape[0]);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it("flags must be booleans: shuffle: 'false' would be truthy", () => {
    expect(() => new DataLoader([X, y], { shuffle: "false" } as never)).toThrow('DataLoader: shuffle must be true or false, got "false"');
    expect(() => new DataLoader([X, y], { dropLast: 1 } as never)).toThrow("DataLoader: dropLast must be true or false, got 1");
  });

  it("batchSize must be a number: a string from a command line is refused", () => {
    expect(() => new DataLoader([X, y], { batchSize: "4" } as never)).toThrow('DataLoader: batchSize must be a positive integer, got "4"');
    expect(() => new DataLoader([X, y], { batchSize: 0 })).toThrow(/positive integer, got 0/);
  });

  it("generator must be a Generator", () => {
    expect(() => new DataLoader([X, y], { generator: 3 } as never)).toThrow("DataLoader: generator must be a Generator");
  });

  it("shuffle with a seed keeps every row once per epoch", () => {
    const loader = new DataLoader({ X, y: tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).reshape(10, 1) }, { batchSize: 3, shuffle: true, seed: 1 });
    const seen = [...loader].flatMap(([, yb]) => (yb!.toArray() as number[][]).flat());
    expect(seen.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
