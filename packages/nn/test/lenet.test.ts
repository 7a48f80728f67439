import { expect, it } from "vitest";
import { Generator, manualSeed, tensor } from "@tapegrad/autograd";
import { Conv2d, CrossEntropyLoss, Dense, Flatten, MaxPool2d, ReLU, Sequential, optim } from "../src/index.js";

// The convnet of PyTorch's tutorials ("Training a classifier", LeNet-5 on 28×28 digits),
// from stock layers, trained for a few Adam steps on data with a rule it can learn: each
// image is noise plus a bright 5×5 blob at one of ten places, and the label is the place.

/** A batch of n images [n, 1, 28, 28] and their labels 0–9. */
function blobs(n: number, seed: number) {
  const random = new Generator(seed);
  const noise = random.normalArray([n, 1, 28, 28]).values();
  const labels: number[] = [];
  for (let k = 0; k < n; k++) {
    const label = k % 10;
    labels.push(label);
    const top = 3 + 10 * Math.floor(label / 5);
    const left = 1 + 5 * (label % 5);
    for (let y = top; y < top + 5; y++) for (let x = left; x < left + 5; x++) noise[k * 784 + y * 28 + x]! += 3;
  }
  return { x: tensor(noise, { shape: [n, 1, 28, 28] }), y: tensor(labels) };
}

it("a LeNet-style convnet from stock layers learns with Adam: the loss falls", () => {
  manualSeed(0);
  const model = new Sequential(
    new Conv2d(1, 6, 5), new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
    new Flatten(),
    new Dense(16 * 4 * 4, 120), new ReLU(),
    new Dense(120, 84), new ReLU(),
    new Dense(84, 10),
  );
  const { x, y } = blobs(40, 1);
  const lossFn = new CrossEntropyLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const losses: number[] = [];
  for (let step = 0; step < 12; step++) {
    optimizer.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  // Chance is ln 10 ≈ 2.30: the first loss sits near it, and twelve steps take it well below.
  expect(Math.abs(losses[0]! - Math.log(10))).toBeLessThan(0.2);
  expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
  // Held-out images follow the same rule: most are classified right.
  const test = blobs(20, 2);
  const predicted = model.forward(test.x).argmax(1).toArray() as number[];
  const correct = predicted.filter((p, i) => p === (test.y.toArray() as number[])[i]).length;
  expect(correct).toBeGreaterThanOrEqual(14);
});
