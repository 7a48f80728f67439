import { Generator, Tensor, noGrad, tensor } from "@tapegrad/autograd";
import { CrossEntropyLoss, optim, utils } from "@tapegrad/nn";
import { IGNORE, contextWindows, sequences, type Vocabulary } from "./data.js";
import { Bigram, Gpt, Mlp, type GptConfig, type MlpConfig } from "./models.js";

/** Training loss (mean of the steps since the last record) and validation loss against steps. */
export interface History {
  step: number[];
  trainLoss: number[];
  valLoss: number[];
}

/** Progress of a training run: called after every step, with a fresh validation loss when one was measured. */
export type OnStep = (step: number, loss: number, record: { trainLoss: number; valLoss: number } | null) => void;

/** The History of a run: the training losses since the last record are averaged into each record. */
class LossRecorder {
  readonly history: History = { step: [], trainLoss: [], valLoss: [] };
  private sum = 0;
  private count = 0;

  add(loss: number): void {
    this.sum += loss;
    this.count++;
  }

  record(step: number, valLoss: number): { trainLoss: number; valLoss: number } {
    const record = { trainLoss: this.sum / this.count, valLoss };
    this.history.step.push(step);
    this.history.trainLoss.push(record.trainLoss);
    this.history.valLoss.push(valLoss);
    this.sum = this.count = 0;
    return record;
  }
}

// ——— bigram ———

/**
 * Counts the bigrams of the training names, makemore's baseline. Each name `.emma.`
 * contributes `.e em mm ma a.`.
 */
export function fitBigram(names: readonly string[], vocabulary: Vocabulary, smoothing: number): Bigram {
  const model = new Bigram(vocabulary.size, smoothing);
  const pairs = contextWindows(names, vocabulary, 1);
  model.count(tensor(pairs.contexts), tensor(pairs.targets));
  return model;
}

/** The bigram's loss on names: −mean log P(next | previous) over every pair. */
export function bigramLoss(model: Bigram, names: readonly string[], vocabulary: Vocabulary): number {
  const pairs = contextWindows(names, vocabulary, 1);
  return noGrad(() => model.forward(tensor(pairs.contexts)).gather(1, tensor(pairs.targets).unsqueeze(1)).mean().neg().item());
}

// ——— MLP ———

/** How the MLP trains. */
export interface MlpTraining {
  steps: number;
  batchSize: number;
  /** Learning rate of SGD, cut tenfold after 75% of the steps (makemore part 3's schedule). */
  lr: number;
  /** Measure the validation loss every this many steps (and at the last one). */
  evalEvery: number;
  seed: number;
}

/** The MLP's loss on names, in eval mode (batch norm's running statistics), in chunks. */
export function mlpLoss(model: Mlp, names: readonly string[], vocabulary: Vocabulary): number {
  const { contexts, targets, count } = contextWindows(names, vocabulary, model.config.blockSize);
  const lossFn = new CrossEntropyLoss({ reduction: "sum" });
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  const chunk = 4096;
  noGrad(() => {
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const block = model.config.blockSize;
      const x = tensor(contexts.subarray(start * block, (start + n) * block), { shape: [n, block] });
      total += lossFn.forward(model.forward(x), tensor(targets.subarray(start, start + n))).item();
    }
  });
  model.train(wasTraining);
  return total / count;
}

/**
 * Trains the MLP on random minibatches of (context, next character) windows with SGD, as
 * makemore part 3 (there: 200,000 steps of 32 at lr 0.1, then 0.01).
 */
export function trainMlp(config: MlpConfig, training: MlpTraining, names: { train: readonly string[]; val: readonly string[] }, vocabulary: Vocabulary, onStep?: OnStep): { model: Mlp; history: History; seconds: number } {
  const model = new Mlp(config);
  const windows = contextWindows(names.train, vocabulary, config.blockSize);
  const optimizer = new optim.SGD(model.parameters(), { lr: training.lr });
  const scheduler = new optim.lrScheduler.MultiStepLR(optimizer, [Math.floor(0.75 * training.steps)], { gamma: 0.1 });
  const lossFn = new CrossEntropyLoss();
  const random = new Generator(training.seed);
  const B = training.batchSize;
  const block = config.blockSize;
  const x = new Float64Array(B * block);
  const y = new Float64Array(B);
  const recorder = new LossRecorder();
  let seconds = 0;
  for (let step = 1; step <= training.steps; step++) {
    const start = performance.now();
    for (let i = 0; i < B; i++) {
      const row = Math.floor(random.random() * windows.count);
      x.set(windows.contexts.subarray(row * block, (row + 1) * block), i * block);
      y[i] = windows.targets[row]!;
    }
    const loss = lossFn.forward(model.forward(tensor(x, { shape: [B, block] })), tensor(y));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    scheduler.step();
    seconds += (performance.now() - start) / 1000;
    const value = loss.item();
    recorder.add(value);
    const record = step % training.evalEvery === 0 || step === training.steps ? recorder.record(step, mlpLoss(model, names.val, vocabulary)) : null;
    onStep?.(step, value, record);
  }
  model.eval();
  return { model, history: recorder.history, seconds };
}

// ——— GPT ———

/** How the GPT trains. */
export interface GptTraining {
  steps: number;
  /** Names per step. */
  batchSize: number;
  /** Peak learning rate of AdamW, annealed to lr/10 along a cosine. */
  lr: number;
  /** AdamW's decoupled weight decay. */
  weightDecay: number;
  /** Largest total gradient norm (clipGradNorm_). */
  clip: number;
  evalEvery: number;
  seed: number;
}

/**
 * Padded rows of the given names: each row `.name` → `name.`, cut to the longest row of
 * this batch (positions past it would be padding only; the causal mask keeps earlier
 * positions blind to them, so the loss is the same as at the full block size).
 */
function gptBatch(rows: readonly number[], data: { inputs: Float64Array; targets: Float64Array }, lengths: Int32Array, blockSize: number): { x: Tensor; y: Tensor } {
  const L = Math.max(...rows.map((r) => lengths[r]!));
  const x = new Float64Array(rows.length * L);
  const y = new Float64Array(rows.length * L);
  rows.forEach((r, i) => {
    x.set(data.inputs.subarray(r * blockSize, r * blockSize + L), i * L);
    y.set(data.targets.subarray(r * blockSize, r * blockSize + L), i * L);
  });
  return { x: tensor(x, { shape: [rows.length, L] }), y: tensor(y, { shape: [rows.length, L] }) };
}

/** The GPT's loss on names, in eval mode (no dropout), shortest names batched together. */
export function gptLoss(model: Gpt, names: readonly string[], vocabulary: Vocabulary): number {
  const block = model.config.blockSize;
  const data = sequences(names, vocabulary, block);
  const lengths = Int32Array.from(names, (n) => n.length + 1);
  const order = Array.from(names.keys()).sort((a, b) => lengths[a]! - lengths[b]!);
  const lossFn = new CrossEntropyLoss({ reduction: "sum", ignoreIndex: IGNORE });
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  noGrad(() => {
    for (let start = 0; start < order.length; start += 512) {
      const { x, y } = gptBatch(order.slice(start, start + 512), data, lengths, block);
      // [N, L, V] logits against [N, L] targets: CrossEntropyLoss takes classes on dim 1.
      total += lossFn.forward(model.forward(x).transpose(1, 2), y).item();
    }
  });
  model.train(wasTraining);
  return total / lengths.reduce((a, b) => a + b, 0);
}

/**
 * Trains the GPT as makemore trains its Transformer: random batches of names, AdamW,
 * here with a cosine learning-rate schedule and gradient clipping.
 */
export function trainGpt(config: GptConfig, training: GptTraining, names: { train: readonly string[]; val: readonly string[] }, vocabulary: Vocabulary, onStep?: OnStep): { model: Gpt; history: History; seconds: number } {
  const model = new Gpt(config);
  const block = config.blockSize;
  const data = sequences(names.train, vocabulary, block);
  const lengths = Int32Array.from(names.train, (n) => n.length + 1);
  // Decay the matrices only, as nanoGPT: not biases, LayerNorm gains or embeddings.
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) (p.ndim >= 2 && !name.includes("Embedding") ? decay : noDecay).push(p);
  const optimizer = new optim.AdamW(
    [
      { params: decay, weightDecay: training.weightDecay },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr: training.lr, betas: [0.9, 0.99] },
  );
  const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, training.steps, { etaMin: training.lr / 10 });
  const lossFn = new CrossEntropyLoss({ ignoreIndex: IGNORE });
  const random = new Generator(training.seed);
  const recorder = new LossRecorder();
  let seconds = 0;
  model.train();
  for (let step = 1; step <= training.steps; step++) {
    const start = performance.now();
    const rows = Array.from({ length: training.batchSize }, () => Math.floor(random.random() * data.count));
    const { x, y } = gptBatch(rows, data, lengths, block);
    const loss = lossFn.forward(model.forward(x).transpose(1, 2), y);
    optimizer.zeroGrad();
    loss.backward();
    utils.clipGradNorm_(model.parameters(), training.clip);
    optimizer.step();
    scheduler.step();
    seconds += (performance.now() - start) / 1000;
    const value = loss.item();
    recorder.add(value);
    const record = step % training.evalEvery === 0 || step === training.steps ? recorder.record(step, gptLoss(model, names.val, vocabulary)) : null;
    onStep?.(step, value, record);
  }
  model.eval();
  return { model, history: recorder.history, seconds };
}
