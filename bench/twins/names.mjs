// The names twins: the example's MLP and GPT (examples/names), built by the example's own
// classes with the example's seed, trained on the batches trainMlp and trainGpt draw, with
// their optimizers and schedules. Each step is train.ts's step line for line; only the
// batch is built beforehand (from the file) instead of inside the step.
import { Generator, manualSeed } from "../../packages/autograd/dist/index.js";
import { CrossEntropyLoss, optim, utils } from "../../packages/nn/dist/index.js";
import { GPT_BLOCK_SIZE, Gpt, IGNORE, Mlp, Vocabulary, contextWindows, defaults, loadNames, sequences, splitNames } from "../../examples/names/dist/index.js";
import { flatTensor, stepSlice, twinFiles, writeAndReload } from "./files.mjs";

/** The names, vocabulary and training split of the example's default run. */
export function namesData(o = defaults) {
  const names = loadNames();
  const vocabulary = new Vocabulary(names);
  return { vocabulary, train: splitNames(names, o.seed).train };
}

function checkSteps(twin, steps) {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`${twin} twin: steps must be a positive integer, got ${steps}`);
}

/** The MLP's config as run.ts makes it from the options. */
export function mlpConfig(o, vocabulary) {
  return { vocabularySize: vocabulary.size, blockSize: o.context, embeddingDim: o.embedding, hiddenSize: o.hidden };
}

/**
 * The MLP twin: `pnpm names --model mlp --mlp-steps <steps>`'s training (SGD at lr 0.1, cut
 * tenfold after 75% of the steps, batches of 32 random context windows).
 */
export function namesMlpTwin({ steps, dir, names = namesData() }) {
  checkSteps("names mlp", steps);
  const key = "names-mlp";
  const o = defaults;
  const config = mlpConfig(o, names.vocabulary);
  const B = o.mlpBatchSize;
  const block = config.blockSize;
  // trainMlp's draws: B rows per step from Generator(seed), uniformly over the windows.
  const windows = contextWindows(names.train, names.vocabulary, block);
  const random = new Generator(o.seed);
  const x = new Float64Array(steps * B * block);
  const y = new Float64Array(steps * B);
  for (let i = 0; i < steps * B; i++) {
    const row = Math.floor(random.random() * windows.count);
    x.set(windows.contexts.subarray(row * block, (row + 1) * block), i * block);
    y[i] = windows.targets[row];
  }
  manualSeed(o.seed);
  const model = new Mlp(config);
  const files = twinFiles(dir, key);
  const batches = writeAndReload(files, model, { x: flatTensor(x, [steps, B, block]), y: flatTensor(y, [steps, B]) }, { twin: key, config: JSON.stringify(config) });
  const milestone = Math.floor(0.75 * steps);
  const optimizer = new optim.SGD(model.parameters(), { lr: o.mlpLr });
  const scheduler = new optim.lrScheduler.MultiStepLR(optimizer, [milestone], { gamma: 0.1 });
  const lossFn = new CrossEntropyLoss();
  return {
    key,
    name: "names mlp",
    description: `names MLP (context ${block}, embedding ${config.embeddingDim}, ${config.hiddenSize} hidden, BatchNorm1d, tanh), ${steps} steps of ${B}: SGD lr ${o.mlpLr}, ×0.1 at step ${milestone}`,
    steps,
    files,
    config: { ...config, lr: o.mlpLr, milestone },
    prepare(step) {
      const contexts = stepSlice(batches.x, step);
      const targets = stepSlice(batches.y, step);
      return () => {
        const loss = lossFn.forward(model.forward(contexts), targets);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        scheduler.step();
        return loss.item();
      };
    },
  };
}

/** The GPT's config as run.ts makes it, with dropout 0 so that both sides compute the same function. */
export function gptConfig(o, vocabulary) {
  return { vocabularySize: vocabulary.size, blockSize: GPT_BLOCK_SIZE, embedDim: o.width, numHeads: o.heads, numLayers: o.layers, dropout: 0 };
}

/**
 * The GPT twin: `pnpm names --model gpt --gpt-steps <steps> --dropout 0`'s training (AdamW
 * with decay on the matrices only, cosine to lr/10, gradients clipped to norm 1, batches of
 * 32 random names cut to the batch's longest). The batches file holds the rows padded to
 * the block (inputs with `.`, targets with IGNORE) and each step's length.
 */
export function namesGptTwin({ steps, dir, names = namesData() }) {
  checkSteps("names gpt", steps);
  const key = "names-gpt";
  const o = defaults;
  const config = gptConfig(o, names.vocabulary);
  const B = o.gptBatchSize;
  const block = config.blockSize;
  const rows = sequences(names.train, names.vocabulary, block);
  const lengths = Int32Array.from(names.train, (n) => n.length + 1);
  // trainGpt's draws: B names per step from Generator(seed); the step's length is its longest row.
  const random = new Generator(o.seed);
  const x = new Float64Array(steps * B * block);
  const y = new Float64Array(steps * B * block);
  const length = new Float64Array(steps);
  for (let step = 0; step < steps; step++) {
    const picked = Array.from({ length: B }, () => Math.floor(random.random() * rows.count));
    length[step] = Math.max(...picked.map((r) => lengths[r]));
    picked.forEach((r, i) => {
      const at = (step * B + i) * block;
      x.set(rows.inputs.subarray(r * block, (r + 1) * block), at);
      y.set(rows.targets.subarray(r * block, (r + 1) * block), at);
    });
  }
  manualSeed(o.seed);
  const model = new Gpt(config);
  const files = twinFiles(dir, key);
  const batches = writeAndReload(
    files,
    model,
    { x: flatTensor(x, [steps, B, block]), y: flatTensor(y, [steps, B, block]), length: flatTensor(length, [steps]) },
    { twin: key, config: JSON.stringify(config) },
  );
  const decay = [];
  const noDecay = [];
  for (const [name, p] of model.namedParameters()) (p.ndim >= 2 && !name.includes("Embedding") ? decay : noDecay).push(p);
  const optimizer = new optim.AdamW(
    [
      { params: decay, weightDecay: o.weightDecay },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr: o.gptLr, betas: [0.9, 0.99] },
  );
  const scheduler = new optim.lrScheduler.CosineAnnealingLR(optimizer, steps, { etaMin: o.gptLr / 10 });
  const lossFn = new CrossEntropyLoss({ ignoreIndex: IGNORE });
  const stepLengths = batches.length.toFloat64Array();
  model.train();
  return {
    key,
    name: "names gpt",
    description: `names GPT (${config.numLayers} blocks, ${config.numHeads} heads, width ${config.embedDim}, dropout 0 for the twin), ${steps} steps of ${B} names: AdamW lr ${o.gptLr} wd ${o.weightDecay}, cosine to lr/10, clip ${o.clip}`,
    steps,
    files,
    config: { ...config, lr: o.gptLr, weightDecay: o.weightDecay, betas: [0.9, 0.99], clip: o.clip, ignoreIndex: IGNORE },
    prepare(step) {
      const L = stepLengths[step];
      const tokens = stepSlice(batches.x, step).slice(1, 0, L).contiguous();
      const targets = stepSlice(batches.y, step).slice(1, 0, L).contiguous();
      return () => {
        const loss = lossFn.forward(model.forward(tokens).transpose(1, 2), targets);
        optimizer.zeroGrad();
        loss.backward();
        utils.clipGradNorm_(model.parameters(), o.clip);
        optimizer.step();
        scheduler.step();
        return loss.item();
      };
    },
  };
}
