import { describe, expect, it } from "vitest";
import { Tensor, arange, manualSeed, randint, tensor } from "@tapegrad/autograd";
import { CrossEntropyLoss, Embedding, GELU, LayerNorm, Linear, Module, ModuleList, MultiheadAttention, Sequential, optim } from "../src/index.js";

// A two-layer pre-LN transformer (GPT-style) written as a PyTorch tutorial writes it, trained
// for a few AdamW steps on a rule that needs attention: x[t] = x[t−2] (each token repeats the one two back).


const vocab = 7;
const blockSize = 8;
const embedDim = 16;
const numHeads = 2;

/** One pre-LN block: x + attn(ln1(x)), then x + mlp(ln2(x)). */
class Block extends Module {
  ln1 = new LayerNorm(embedDim);
  attn = new MultiheadAttention(embedDim, numHeads, { batchFirst: true });
  ln2 = new LayerNorm(embedDim);
  mlp = new Sequential(new Linear(embedDim, 4 * embedDim), new GELU(), new Linear(4 * embedDim, embedDim));

  forward(x: Tensor): Tensor {
    const length = x.shape[1]!;
    // As in PyTorch tutorials: torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1), True = not allowed.
    const causal = tensor(Array.from({ length }, (_, i) => Array.from({ length }, (_, j) => (j > i ? 1 : 0))));
    const h = this.ln1.forward(x);
    x = x.add(this.attn.forward(h, h, h, { attnMask: causal, maskKind: "bool", needWeights: false }).output);
    return x.add(this.mlp.forward(this.ln2.forward(x)));
  }
}

class TinyGPT extends Module {
  tokenEmbedding = new Embedding(vocab, embedDim);
  positionEmbedding = new Embedding(blockSize, embedDim);
  blocks = new ModuleList([new Block(), new Block()]);
  lnF = new LayerNorm(embedDim);
  head = new Linear(embedDim, vocab);

  /** Token indices [N, L] → logits [N, L, vocab]. */
  forward(indices: Tensor): Tensor {
    const length = indices.shape[1]!;
    let x = this.tokenEmbedding.forward(indices).add(this.positionEmbedding.forward(arange(0, length)));
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }
}

/** Sequences of blockSize + 1 tokens: two random, then each a copy of the token two before (a b a b …). */
function batch(size: number): { inputs: Tensor; targets: Tensor } {
  const starts = randint(0, vocab, [size, 2]).toArray() as number[][];
  const rows = starts.map(([a, b]) => {
    const row = [a!, b!];
    while (row.length < blockSize + 1) row.push(row[row.length - 2]!);
    return row;
  });
  return { inputs: tensor(rows.map((r) => r.slice(0, -1))), targets: tensor(rows.map((r) => r.slice(1))) };
}

describe("a two-layer pre-LN transformer from stock layers", () => {
  it("has PyTorch-style parameter names and learns the rule: the loss falls under AdamW", () => {
    manualSeed(0);
    const model = new TinyGPT();
    const names = model.namedParameters().map(([n]) => n);
    expect(names.slice(0, 6)).toEqual(["tokenEmbedding.weight", "positionEmbedding.weight", "blocks.0.ln1.weight", "blocks.0.ln1.bias", "blocks.0.attn.inProjWeight", "blocks.0.attn.inProjBias"]);
    expect(names).toContain("blocks.1.attn.outProj.weight");
    expect(names).toContain("blocks.1.mlp.2.bias");
    // Per block: 2 LayerNorms, attention (3E² + 3E + E² + E), MLP (E·4E + 4E + 4E·E + E).
    const E = embedDim;
    const perBlock = 2 * 2 * E + (4 * E * E + 4 * E) + (8 * E * E + 5 * E);
    expect(model.numParameters()).toBe(vocab * E + blockSize * E + 2 * perBlock + 2 * E + (E * vocab + vocab));

    const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-2 });
    const lossFunction = new CrossEntropyLoss();
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const data = batch(32);
      optimizer.zeroGrad();
      const logits = model.forward(data.inputs);
      const loss = lossFunction.forward(logits.reshape(-1, vocab), data.targets.reshape(-1));
      loss.backward();
      optimizer.step();
      losses.push(loss.item());
    }
    // Chance is ln 7 ≈ 1.95 per token; the first two targets are partly random, the rest follow the rule.
    console.info(`transformer: loss ${losses[0]!.toFixed(3)} → ${losses[losses.length - 1]!.toFixed(3)} in ${losses.length} AdamW steps`);
    expect(losses[0]).toBeGreaterThan(1.5);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    // Every parameter got a gradient, through the masked attention too.
    for (const [name, p] of model.namedParameters()) expect(p.grad, name).not.toBeNull();

    // The rule, not the batch: fresh sequences are predicted about as well.
    model.eval();
    const fresh = batch(64);
    const heldOut = lossFunction.forward(model.forward(fresh.inputs).reshape(-1, vocab), fresh.targets.reshape(-1)).item();
    console.info(`transformer: held-out loss ${heldOut.toFixed(3)}`);
    expect(heldOut).toBeLessThan(0.5 * losses[0]!);

    // The causal mask holds: changing the last token changes no earlier prediction.
    const probe = fresh.inputs.slice(0, 0, 1);
    const changed = probe.clone();
    const last = changed.toArray() as number[][];
    last[0]![blockSize - 1] = (last[0]![blockSize - 1]! + 1) % vocab;
    const a = model.forward(probe).slice(1, 0, blockSize - 1);
    const b = model.forward(tensor(last)).slice(1, 0, blockSize - 1);
    expect(a.toArray()).toEqual(b.toArray());
  });
});
