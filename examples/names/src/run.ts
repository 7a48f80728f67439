import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Generator, manualSeed } from "@tapegrad/autograd";
import { saveSafetensors } from "@tapegrad/nn";
import { Vocabulary, loadNames, splitNames, type Splits } from "./data.js";
import type { Bigram, Gpt, Mlp } from "./models.js";
import { GPT_BLOCK_SIZE, type NamesOptions } from "./options.js";
import { Progress } from "./progress.js";
import { sampleNames } from "./sample.js";
import { embeddingSvg, lossCurvesSvg, projectTo2d } from "./svg.js";
import { bigramLoss, fitBigram, gptLoss, mlpLoss, trainGpt, trainMlp, type History } from "./train.js";

/** What a run found out about one model. */
export interface ModelReport {
  name: "bigram" | "mlp" | "gpt";
  model: Bigram | Mlp | Gpt;
  /** Trainable parameters (the bigram's table counts as V² numbers). */
  parameters: number;
  /** Optimizer steps; 0 for the bigram, which counts. */
  steps: number;
  /** Mean negative log-likelihood per character on each split, in eval mode. */
  trainLoss: number;
  valLoss: number;
  testLoss: number;
  /** Seconds spent fitting (training steps and the validation losses along the way). */
  seconds: number;
  history: History | null;
  samples: string[];
  /** Files written for this model. */
  files: string[];
}

/** What `run` returns. */
export interface RunResult {
  vocabulary: Vocabulary;
  splits: Splits;
  reports: ModelReport[];
  /** The bigram's validation loss, the baseline the other models must beat. */
  baseline: number;
}

/** Makes the progress display of one model; the CLI's default draws to stdout. */
export type ProgressFactory = (label: string, total: number) => { update(step: number, loss: number, valLoss: number | null): void };

const defaultProgress: ProgressFactory = (label, total) => new Progress(label, total);

/**
 * Loads and splits the names, fits the chosen models (the bigram baseline always),
 * reports each model's losses and samples to `log`, and writes weights and pictures into
 * `o.out`. Deterministic for a given seed.
 */
export function run(o: NamesOptions, log: (line: string) => void = console.log, progress: ProgressFactory = defaultProgress): RunResult {
  const names = loadNames();
  const vocabulary = new Vocabulary(names);
  const splits = splitNames(names, o.seed);
  log(
    `${names.length} names (${new Set(names).size} distinct), ${vocabulary.size} tokens "${vocabulary.chars.join("")}"; ` +
      `split ${splits.train.length} / ${splits.val.length} / ${splits.test.length} (train / val / test, seed ${o.seed})`,
  );
  mkdirSync(o.out, { recursive: true });
  const metadata = { vocabulary: vocabulary.chars.join(""), seed: String(o.seed) };
  const reports: ModelReport[] = [];
  const sample = (model: Bigram | Mlp | Gpt) => sampleNames(model, vocabulary, o.samples, { generator: new Generator(o.seed) });

  // 1. Bigram counts: the baseline.
  let start = performance.now();
  const bigram = fitBigram(splits.train, vocabulary, o.smoothing);
  const bigramSeconds = (performance.now() - start) / 1000;
  const baseline = bigramLoss(bigram, splits.val, vocabulary);
  if (o.model === "all" || o.model === "bigram") {
    const file = join(o.out, "bigram.safetensors");
    saveSafetensors(file, bigram.stateDict(), { metadata: { ...metadata, model: "bigram", smoothing: String(o.smoothing) } });
    reports.push({
      name: "bigram",
      model: bigram,
      parameters: vocabulary.size ** 2,
      steps: 0,
      trainLoss: bigramLoss(bigram, splits.train, vocabulary),
      valLoss: baseline,
      testLoss: bigramLoss(bigram, splits.test, vocabulary),
      seconds: bigramSeconds,
      history: null,
      samples: sample(bigram),
      files: [file],
    });
  } else {
    log(`bigram baseline: validation loss ${baseline.toFixed(4)}`);
  }

  // 2. The MLP of makemore part 3.
  if (o.model === "all" || o.model === "mlp") {
    manualSeed(o.seed);
    const config = { vocabularySize: vocabulary.size, blockSize: o.context, embeddingDim: o.embedding, hiddenSize: o.hidden };
    const bar = progress("mlp", o.mlpSteps);
    start = performance.now();
    const { model, history } = trainMlp(config, { steps: o.mlpSteps, batchSize: o.mlpBatchSize, lr: o.mlpLr, evalEvery: Math.max(1, Math.round(o.mlpSteps / 20)), seed: o.seed }, splits, vocabulary, (step, loss, record) =>
      bar.update(step, loss, record?.valLoss ?? null),
    );
    const seconds = (performance.now() - start) / 1000;
    const files = [join(o.out, "mlp.safetensors"), join(o.out, "loss-mlp.svg"), join(o.out, "embedding.svg")];
    saveSafetensors(files[0]!, model.stateDict(), { metadata: { ...metadata, model: "mlp", config: JSON.stringify(config) } });
    writeFileSync(files[1]!, lossCurvesSvg(history, { title: `MLP: context ${o.context}, embedding ${o.embedding}, ${o.hidden} hidden, batch norm, tanh`, baseline: { label: `bigram validation ${baseline.toFixed(3)}`, value: baseline } }));
    const weight = model.embedding.weight;
    const { points, projected } = projectTo2d(weight.toFloat64Array(), vocabulary.size, o.embedding);
    writeFileSync(
      files[2]!,
      embeddingSvg(
        points.map(([x, y], i) => ({ label: vocabulary.chars[i]!, x, y })),
        projected
          ? { title: `The MLP's ${o.embedding}-D character embedding, projected`, xLabel: "first principal component", yLabel: "second principal component" }
          : { title: "The MLP's 2-D character embedding", xLabel: "embedding dimension 1", yLabel: "embedding dimension 2" },
      ),
    );
    reports.push({
      name: "mlp",
      model,
      parameters: model.numParameters(),
      steps: o.mlpSteps,
      trainLoss: mlpLoss(model, splits.train, vocabulary),
      valLoss: history.valLoss[history.valLoss.length - 1]!,
      testLoss: mlpLoss(model, splits.test, vocabulary),
      seconds,
      history,
      samples: sample(model),
      files,
    });
  }

  // 3. A small GPT.
  if (o.model === "all" || o.model === "gpt") {
    manualSeed(o.seed);
    const config = { vocabularySize: vocabulary.size, blockSize: GPT_BLOCK_SIZE, embedDim: o.width, numHeads: o.heads, numLayers: o.layers, dropout: o.dropout };
    const bar = progress("gpt", o.gptSteps);
    start = performance.now();
    const { model, history } = trainGpt(
      config,
      { steps: o.gptSteps, batchSize: o.gptBatchSize, lr: o.gptLr, weightDecay: o.weightDecay, clip: o.clip, evalEvery: Math.max(1, Math.round(o.gptSteps / 15)), seed: o.seed },
      splits,
      vocabulary,
      (step, loss, record) => bar.update(step, loss, record?.valLoss ?? null),
    );
    const seconds = (performance.now() - start) / 1000;
    const files = [join(o.out, "gpt.safetensors"), join(o.out, "loss-gpt.svg")];
    saveSafetensors(files[0]!, model.stateDict(), { metadata: { ...metadata, model: "gpt", config: JSON.stringify(config) } });
    writeFileSync(files[1]!, lossCurvesSvg(history, { title: `GPT: ${o.layers} blocks, ${o.heads} heads, width ${o.width}, dropout ${o.dropout}`, baseline: { label: `bigram validation ${baseline.toFixed(3)}`, value: baseline } }));
    reports.push({
      name: "gpt",
      model,
      parameters: model.numParameters(),
      steps: o.gptSteps,
      trainLoss: gptLoss(model, splits.train, vocabulary),
      valLoss: history.valLoss[history.valLoss.length - 1]!,
      testLoss: gptLoss(model, splits.test, vocabulary),
      seconds,
      history,
      samples: sample(model),
      files,
    });
  }

  for (const line of summary(reports, baseline, new Set(splits.train), vocabulary.size)) log(line);
  log(`wrote ${reports.flatMap((r) => r.files).join(", ")}`);
  return { vocabulary, splits, reports, baseline };
}

/** The closing table (losses, margins over the bigram, times) and each model's samples. */
export function summary(reports: readonly ModelReport[], baseline: number, trainNames: ReadonlySet<string>, vocabularySize: number): string[] {
  const lines = ["", "model   parameters   steps   train    val      test     val − bigram   time"];
  for (const r of reports) {
    const signed = (v: number, digits: number) => `${v > 0 ? "+" : ""}${v.toFixed(digits)}`;
    const margin = r.name === "bigram" ? "baseline" : `${signed(r.valLoss - baseline, 3)} (${signed(((r.valLoss - baseline) / baseline) * 100, 1)}%)`;
    lines.push(
      `${r.name.padEnd(6)}  ${r.parameters.toLocaleString("en-US").padStart(10)}  ${String(r.steps || "—").padStart(6)}   ${r.trainLoss.toFixed(4)}   ${r.valLoss.toFixed(4)}   ${r.testLoss.toFixed(4)}   ${margin.padEnd(14)} ${r.seconds.toFixed(1)} s`,
    );
  }
  lines.push(`(losses: cross-entropy per character in nats, the closing . included; a uniform guess over ${vocabularySize} tokens scores ln ${vocabularySize} ≈ ${Math.log(vocabularySize).toFixed(2)})`);
  for (const r of reports) {
    if (r.samples.length === 0) continue;
    const known = r.samples.filter((s) => trainNames.has(s)).length;
    lines.push("", `${r.name} samples (${known} of ${r.samples.length} are training names):`);
    for (let i = 0; i < r.samples.length; i += 10) lines.push(`  ${r.samples.slice(i, i + 10).map((s) => s || "(empty)").join(" ")}`);
  }
  return lines;
}
