import { describe, expect, it } from "vitest";
import { manualSeed, noGrad, randint, tensor, type Tensor } from "@tapegrad/autograd";
import { BatchNorm1d, CrossEntropyLoss, Embedding, Linear, Module, Tanh, optim } from "../src/index.js";

// The character-level MLP of Karpathy's makemore (part 3), written from stock layers as a
// PyTorch user would: a 3-character context, 10-dimensional embeddings, a 200-unit hidden
// layer without bias, batch norm and tanh, then logits over 27 characters.
class CharMlp extends Module {
  embedding = new Embedding(27, 10);
  hidden = new Linear(30, 200, { bias: false });
  norm = new BatchNorm1d(200);
  act = new Tanh();
  out = new Linear(200, 27);

  forward(context: Tensor): Tensor {
    const e = this.embedding.forward(context); // [B, 3, 10]
    const h = this.act.forward(this.norm.forward(this.hidden.forward(e.reshape([e.shape[0]!, 30]))));
    return this.out.forward(h);
  }
}

/** Random contexts of 3 characters and a rule to learn: the next follows the middle one (c₂ + 1 mod 27). */
function batch(n: number, seed: number): { x: Tensor; y: Tensor } {
  const x = randint(0, 27, [n, 3], { seed });
  const rows = x.toArray() as number[][];
  return { x, y: tensor(rows.map((r) => (r[1]! + 1) % 27)) };
}

describe("a makemore-style character MLP from stock layers", () => {
  it("trains: the loss falls, in train mode and in eval mode on fresh data", () => {
    manualSeed(0);
    const model = new CharMlp();
    expect(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ["embedding.weight", [27, 10]],
      ["hidden.weight", [200, 30]],
      ["norm.weight", [200]],
      ["norm.bias", [200]],
      ["norm.runningMean", [200]],
      ["norm.runningVar", [200]],
      ["norm.numBatchesTracked", []],
      ["out.weight", [27, 200]],
      ["out.bias", [27]],
    ]);
    const lossFn = new CrossEntropyLoss();
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    const train = batch(512, 1);
    const test = batch(512, 2);
    const evalLoss = () => noGrad(() => lossFn.forward(model.eval().forward(test.x), test.y).item());
    const before = evalLoss();
    model.train();
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      optimizer.zeroGrad();
      const loss = lossFn.forward(model.forward(train.x), train.y);
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    // Chance level is log 27 ≈ 3.30; 60 steps of Adam take the training loss well below it.
    expect(losses[0]).toBeGreaterThan(3);
    expect(losses[59]!).toBeLessThan(0.6 * losses[0]!);
    expect(model.norm.numBatchesTracked!.item()).toBe(60);
    // In eval mode the running statistics normalise: unseen contexts of the same rule also improve.
    expect(evalLoss()).toBeLessThan(0.8 * before);
  });
});
