// The twins' export, checked against the examples themselves (no Python): bench/twins/cli.mjs
// writes the files from the built bundles and trains tapegrad's side on what it wrote; the
// example's own model and own training loop (from source) must give the same weights and,
// step for step, the same losses, so the batches in the file are the ones the example
// trains on. Needs `pnpm build` (the bench runs the dist bundles).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Tensor, manualSeed } from "@tapegrad/autograd";
import { Module, loadSafetensors } from "@tapegrad/nn";
import { buildModel, defaults as digitsDefaults, loadDigits, train } from "../../examples/digits/src/index.js";
import { GPT_BLOCK_SIZE, Gpt, IGNORE, Mlp, Vocabulary, defaults as namesDefaults, loadNames, splitNames, trainGpt, trainMlp } from "../../examples/names/src/index.js";

const cli = fileURLToPath(new URL("./cli.mjs", import.meta.url));
const STEPS = 3;

interface Exported {
  name: string;
  key: string;
  steps: number;
  files: { init: string; batches: string };
  losses: number[];
}

let dir = "";
let exported: Record<string, Exported> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "twins-test-"));
  const result = spawnSync(process.execPath, [cli, "--out", dir, "--steps", String(STEPS), "--train"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`bench/twins/cli.mjs failed (is the build current? run pnpm build):\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as { twins: Exported[] };
  exported = Object.fromEntries(report.twins.map((t) => [t.key, t]));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = loadNames();
const vocabulary = new Vocabulary(names);
const splits = splitNames(names, namesDefaults.seed);
const o = namesDefaults;
const mlpConfig = { vocabularySize: vocabulary.size, blockSize: o.context, embeddingDim: o.embedding, hiddenSize: o.hidden };
const gptConfig = { vocabularySize: vocabulary.size, blockSize: GPT_BLOCK_SIZE, embedDim: o.width, numHeads: o.heads, numLayers: o.layers, dropout: 0 };

/** Same names, shapes and bits as the module's state dict. */
function expectStateDict(file: string, model: Module): void {
  const written = loadSafetensors(file);
  const expected = model.stateDict();
  expect(Object.keys(written).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, t] of Object.entries(expected)) {
    expect(written[key]!.shape, key).toEqual(t.shape);
    expect(Array.from(written[key]!.toFloat64Array()), key).toEqual(Array.from(t.toFloat64Array()));
  }
}

const values = (t: Tensor) => Array.from(t.toFloat64Array());

describe("training twins: the digits convnet", () => {
  it("writes the cnn preset's initial weights under its state-dict names", () => {
    manualSeed(digitsDefaults.seed);
    expectStateDict(exported["digits-cnn"]!.files.init, buildModel("cnn"));
  });

  it("writes the batches the example trains on: training on the file gives the example's own losses, step for step", () => {
    const batches = loadSafetensors(exported["digits-cnn"]!.files.batches);
    expect(batches.x!.shape).toEqual([STEPS, 32, 1, 28, 28]);
    expect(batches.y!.shape).toEqual([STEPS, 32]);
    expect(values(batches.y!).every((v) => Number.isInteger(v) && v >= 0 && v <= 9)).toBe(true);
    expect(values(batches.x!).every((v) => v >= 0 && v <= 1)).toBe(true);
    const losses: number[] = [];
    train({ ...digitsDefaults, epochs: 1, trainSamples: STEPS * 32 }, { onStep: (_epoch, _step, _steps, loss) => losses.push(loss) }, loadDigits());
    expect(exported["digits-cnn"]!.losses).toEqual(losses);
  });
});

describe("training twins: the names MLP", () => {
  it("writes the MLP's initial weights (BatchNorm buffers included) under its state-dict names", () => {
    manualSeed(o.seed);
    expectStateDict(exported["names-mlp"]!.files.init, new Mlp(mlpConfig));
  });

  it("writes trainMlp's batches: training on the file gives trainMlp's losses, step for step", () => {
    const batches = loadSafetensors(exported["names-mlp"]!.files.batches);
    expect(batches.x!.shape).toEqual([STEPS, o.mlpBatchSize, o.context]);
    expect(batches.y!.shape).toEqual([STEPS, o.mlpBatchSize]);
    expect([...values(batches.x!), ...values(batches.y!)].every((v) => Number.isInteger(v) && v >= 0 && v < vocabulary.size)).toBe(true);
    manualSeed(o.seed);
    // evalEvery 1: each record's training loss is the mean of one step, its loss.
    const { history } = trainMlp(mlpConfig, { steps: STEPS, batchSize: o.mlpBatchSize, lr: o.mlpLr, evalEvery: 1, seed: o.seed }, splits, vocabulary);
    expect(exported["names-mlp"]!.losses).toEqual(history.trainLoss);
  });
});

describe("training twins: the names GPT", () => {
  it("writes the GPT's initial weights under its state-dict names", () => {
    manualSeed(o.seed);
    expectStateDict(exported["names-gpt"]!.files.init, new Gpt(gptConfig));
  });

  it("writes trainGpt's batches (padded rows, each step's length): training on the file gives trainGpt's losses at dropout 0", () => {
    const batches = loadSafetensors(exported["names-gpt"]!.files.batches);
    expect(batches.x!.shape).toEqual([STEPS, o.gptBatchSize, GPT_BLOCK_SIZE]);
    expect(batches.y!.shape).toEqual([STEPS, o.gptBatchSize, GPT_BLOCK_SIZE]);
    const lengths = values(batches.length!);
    const targets = values(batches.y!);
    lengths.forEach((L, step) => {
      // Each step's length is its longest row: some row has a real target at L − 1, none past it.
      const row = (i: number) => targets.slice((step * o.gptBatchSize + i) * GPT_BLOCK_SIZE, (step * o.gptBatchSize + i + 1) * GPT_BLOCK_SIZE);
      const rows = Array.from({ length: o.gptBatchSize }, (_, i) => row(i));
      expect(rows.some((r) => r[L - 1] !== IGNORE)).toBe(true);
      expect(rows.every((r) => r.slice(L).every((v) => v === IGNORE))).toBe(true);
    });
    manualSeed(o.seed);
    const { history } = trainGpt(gptConfig, { steps: STEPS, batchSize: o.gptBatchSize, lr: o.gptLr, weightDecay: o.weightDecay, clip: o.clip, evalEvery: 1, seed: o.seed }, splits, vocabulary);
    expect(exported["names-gpt"]!.losses).toEqual(history.trainLoss);
  });
});

describe("bench/twins/cli.mjs", () => {
  it("refuses bad flags with a message naming the flag, exit code 1", () => {
    for (const [args, message] of [
      [["--out", dir, "--steps", "0"], /--steps must be a positive integer, got "0"/],
      [["--out", dir, "--stpes", "3"], /unknown argument "--stpes"/],
      [["--steps", "3"], /--out DIR is required/],
      [["--out", dir, "--only", "nothing"], /no twin's name contains "nothing"/],
    ] as const) {
      const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
    }
  });

  it("keeps its metadata readable: the files name their twin", () => {
    const header = (file: string) => {
      const bytes = readFileSync(file);
      const length = Number(bytes.readBigUInt64LE(0));
      return JSON.parse(bytes.subarray(8, 8 + length).toString("utf8")) as { __metadata__: Record<string, string> };
    };
    for (const t of Object.values(exported)) for (const file of Object.values(t.files)) expect(header(file).__metadata__.twin).toBe(t.key);
  });
});
