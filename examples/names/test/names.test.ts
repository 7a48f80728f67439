import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { Generator, Tensor, manualSeed, noGrad, tensor } from "@tapegrad/autograd";
import { CrossEntropyLoss, Module, loadSafetensors } from "@tapegrad/nn";
import {
  Gpt,
  IGNORE,
  Mlp,
  Vocabulary,
  bigramLoss,
  contextWindows,
  defaults,
  fitBigram,
  gptLoss,
  loadNames,
  loadRawNames,
  mlpLoss,
  parseArgs,
  projectTo2d,
  run,
  sampleNames,
  sampleTokens,
  sequences,
  splitNames,
  trainGpt,
  trainMlp,
  type NamesOptions,
  type NextToken,
} from "../src/index.js";

const names = loadNames();
const vocabulary = new Vocabulary(names);
const splits = splitNames(names, 42);

describe("names data", () => {
  it("loads the 8,849 names of both stdlib lists offline, lower-cased", () => {
    const raw = loadRawNames();
    expect([raw.female.length, raw.male.length]).toEqual([4951, 3898]);
    expect(names).toHaveLength(8849);
    expect(names.every((n) => n === n.toLowerCase() && n.length > 0)).toBe(true);
    // 427 names are in both lists (as "alex" or "jody").
    expect(new Set(names).size).toBe(8422);
    expect(names).toContain("emma");
  });

  it("builds the vocabulary from the data: `.` first, then `-` (19 hyphenated names) and a–z", () => {
    expect(vocabulary.chars.join("")).toBe(".-abcdefghijklmnopqrstuvwxyz");
    expect(vocabulary.size).toBe(28);
    expect(names.filter((n) => /[^a-z]/.test(n))).toHaveLength(19);
    expect(names.filter((n) => /[^a-z]/.test(n)).every((n) => /^[a-z]+(-[a-z]+)+$/.test(n))).toBe(true);
    expect(vocabulary.encode("anne-marie")).toEqual([2, 15, 15, 6, 1, 14, 2, 19, 10, 6]);
    expect(vocabulary.decode(vocabulary.encode("anne-marie"))).toBe("anne-marie");
    expect(() => vocabulary.encode("zoë")).toThrow(/"ë" in "zoë" is not in the vocabulary/);
    expect(() => new Vocabulary(["a.b"])).toThrow(/start\/end token/);
  });

  it("splits 80/10/10 by distinct name, seeded, disjoint, every name used once", () => {
    const distinct = (list: string[]) => new Set(list);
    const [train, val, test] = [distinct(splits.train), distinct(splits.val), distinct(splits.test)];
    expect([train.size, val.size, test.size]).toEqual([Math.round(0.8 * 8422), Math.round(0.1 * 8422), 8422 - Math.round(0.8 * 8422) - Math.round(0.1 * 8422)]);
    expect(splits.train.length + splits.val.length + splits.test.length).toBe(8849);
    expect([...val].some((n) => train.has(n))).toBe(false);
    expect([...test].some((n) => train.has(n) || val.has(n))).toBe(false);
    // About 80/10/10 of the 8,849 too; a name in both lists keeps its two copies in one part.
    expect(Math.abs(splits.train.length / 8849 - 0.8)).toBeLessThan(0.01);
    expect(splitNames(names, 42)).toEqual(splits);
    expect(splitNames(names, 43).val).not.toEqual(splits.val);
  });

  it("makes makemore's context windows and padded sequences", () => {
    const windows = contextWindows(["emma"], vocabulary, 3);
    const rows = Array.from({ length: windows.count }, (_, i) => `${vocabulary.decode([...windows.contexts.subarray(3 * i, 3 * i + 3)])}→${vocabulary.decode([windows.targets[i]!])}`);
    expect(rows).toEqual(["...→e", "..e→m", ".em→m", "emm→a", "mma→."]);
    const seq = sequences(["emma", "bo"], vocabulary, 6);
    expect(vocabulary.decode([...seq.inputs.subarray(0, 6)])).toBe(".emma.");
    expect([...seq.targets.subarray(0, 6)]).toEqual([...vocabulary.encode("emma"), 0, IGNORE]);
    expect([...seq.targets.subarray(6, 12)]).toEqual([...vocabulary.encode("bo"), 0, IGNORE, IGNORE, IGNORE]);
    expect(() => sequences(["abcdef"], vocabulary, 6)).toThrow(/has 6 characters; a block of 6 holds at most 5/);
    // Every name fits the GPT's block of 16.
    expect(Math.max(...names.map((n) => n.length))).toBe(15);
  });
});

describe("bigram baseline", () => {
  it("matches an independent count of pairs, smoothed, as −mean log P on train and validation", () => {
    const model = fitBigram(splits.train, vocabulary, 1);
    // The reference: a plain table of string pairs.
    const counts = new Map<string, number>();
    const pairs = (list: readonly string[]) => list.flatMap((n) => Array.from(`.${n}`, (c, i) => [c, `${n}.`[i]!] as const));
    for (const [a, b] of pairs(splits.train)) counts.set(a + b, (counts.get(a + b) ?? 0) + 1);
    const chars = [".", ..."-abcdefghijklmnopqrstuvwxyz"];
    const rowTotal = (a: string) => chars.reduce((s, b) => s + (counts.get(a + b) ?? 0) + 1, 0);
    const reference = (list: readonly string[]) => {
      const p = pairs(list);
      return -p.reduce((s, [a, b]) => s + Math.log(((counts.get(a + b) ?? 0) + 1) / rowTotal(a)), 0) / p.length;
    };
    expect(bigramLoss(model, splits.train, vocabulary)).toBeCloseTo(reference(splits.train), 12);
    expect(bigramLoss(model, splits.val, vocabulary)).toBeCloseTo(reference(splits.val), 12);
    expect(model.counts.sum().item()).toBe(pairs(splits.train).length);
    const rows = model.probabilities().sum(1).toFloat64Array();
    for (const r of rows) expect(r).toBeCloseTo(1, 12);
  });
});

describe("models train", () => {
  it("have makemore's sizes: 12,308 parameters in the MLP, 104,732 in the GPT", () => {
    const mlp = new Mlp({ vocabularySize: 28, blockSize: 3, embeddingDim: 10, hiddenSize: 200 });
    // Embedding 28·10, hidden 30·200 (no bias), batch norm 2·200, output 200·28 + 28.
    expect(mlp.numParameters()).toBe(28 * 10 + 30 * 200 + 2 * 200 + (200 * 28 + 28));
    const gpt = new Gpt({ vocabularySize: 28, blockSize: 16, embedDim: 64, numHeads: 4, numLayers: 2, dropout: 0.1 });
    const E = 64;
    // Per block: two LayerNorms, attention (3E² + 3E in, E² + E out), MLP (E·4E + 4E, 4E·E + E).
    const block = 2 * 2 * E + (3 * E * E + 3 * E + E * E + E) + (E * 4 * E + 4 * E + 4 * E * E + E);
    expect(gpt.numParameters()).toBe(28 * E + 16 * E + 2 * block + 2 * E + (E * 28 + 28));
    expect(gpt.numParameters()).toBe(104_732);
  });

  it("the MLP's loss falls in a short run and already beats the bigram's validation loss", () => {
    manualSeed(1);
    const baseline = bigramLoss(fitBigram(splits.train, vocabulary, 1), splits.val, vocabulary);
    const config = { vocabularySize: 28, blockSize: 3, embeddingDim: 10, hiddenSize: 200 };
    const { model, history } = trainMlp(config, { steps: 1000, batchSize: 32, lr: 0.1, evalEvery: 250, seed: 1 }, splits, vocabulary);
    expect(history.step).toEqual([250, 500, 750, 1000]);
    // The small last layer makes the first predictions near uniform: ln 28 ≈ 3.33.
    expect(history.valLoss[0]!).toBeLessThan(Math.log(28));
    expect(history.valLoss[3]!).toBeLessThan(history.valLoss[0]!);
    expect(history.trainLoss[3]!).toBeLessThan(history.trainLoss[0]!);
    expect(history.valLoss[3]!).toBeLessThan(baseline);
    expect(mlpLoss(model, splits.val, vocabulary)).toBe(history.valLoss[3]);
    expect(model.training).toBe(false);
  });

  it("the GPT's loss falls in a short run", () => {
    manualSeed(1);
    const config = { vocabularySize: 28, blockSize: 16, embedDim: 32, numHeads: 4, numLayers: 2, dropout: 0.1 };
    const small = { train: splits.train.slice(0, 1000), val: splits.val.slice(0, 200) };
    const { model, history } = trainGpt(config, { steps: 30, batchSize: 16, lr: 1e-2, weightDecay: 0.1, clip: 1, evalEvery: 10, seed: 1 }, small, vocabulary);
    expect(history.step).toEqual([10, 20, 30]);
    expect(history.valLoss[2]!).toBeLessThan(history.valLoss[0]!);
    expect(history.trainLoss[2]!).toBeLessThan(history.trainLoss[0]!);
    expect(history.valLoss[2]!).toBeLessThan(2.9);
    expect(model.training).toBe(false);
  });

  it("the GPT's loss over batches cut to their longest name equals the loss at the full block", () => {
    manualSeed(2);
    const config = { vocabularySize: 28, blockSize: 16, embedDim: 16, numHeads: 2, numLayers: 1, dropout: 0 };
    const { model } = trainGpt(config, { steps: 1, batchSize: 4, lr: 1e-3, weightDecay: 0, clip: 1, evalEvery: 1, seed: 1 }, { train: ["ann"], val: ["ann"] }, vocabulary);
    const some = splits.val.slice(0, 40);
    // Every name padded to all 16 positions, one batch, summed over the real targets.
    const seq = sequences(some, vocabulary, 16);
    const logits = noGrad(() => model.forward(tensor(seq.inputs, { shape: [some.length, 16] })));
    const total = new CrossEntropyLoss({ reduction: "sum", ignoreIndex: IGNORE }).forward(logits.reshape(-1, 28), tensor(seq.targets)).item();
    const characters = some.reduce((s, n) => s + n.length + 1, 0);
    expect(gptLoss(model, some, vocabulary)).toBeCloseTo(total / characters, 12);
  });
});

/** A model that always predicts token `token`, to see the sampler cut endless names. */
class Always extends Module implements NextToken {
  constructor(private readonly token: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x;
  }
  nextProbabilities(history: Tensor): Tensor {
    const p = new Float64Array(history.shape[0]! * 28);
    for (let row = 0; row < history.shape[0]!; row++) p[row * 28 + this.token] = 1;
    return tensor(p, { shape: [history.shape[0]!, 28] });
  }
}

describe("sampler", () => {
  const bigram = fitBigram(splits.train, vocabulary, 1);

  it("is seeded, emits vocabulary tokens only, and ends every name at `.`", () => {
    const draw = (seed: number) => sampleTokens(bigram, 50, { generator: new Generator(seed) });
    const rows = draw(7);
    expect(draw(7)).toEqual(rows);
    expect(draw(8)).not.toEqual(rows);
    for (const row of rows) {
      expect(row[row.length - 1]).toBe(0);
      expect(row.slice(0, -1).every((t) => Number.isInteger(t) && t >= 1 && t < vocabulary.size)).toBe(true);
    }
    const named = sampleNames(bigram, vocabulary, 50, { generator: new Generator(7) });
    expect(named).toEqual(rows.map((r) => vocabulary.decode(r.slice(0, -1))));
  });

  it("draws from the MLP and the GPT too (eval mode), and cuts a name that never ends at maxLength", () => {
    manualSeed(3);
    const { model: mlp } = trainMlp({ vocabularySize: 28, blockSize: 3, embeddingDim: 4, hiddenSize: 16 }, { steps: 5, batchSize: 8, lr: 0.1, evalEvery: 5, seed: 1 }, { train: splits.train, val: splits.val.slice(0, 10) }, vocabulary);
    const { model: gpt } = trainGpt({ vocabularySize: 28, blockSize: 16, embedDim: 8, numHeads: 2, numLayers: 1, dropout: 0.5 }, { steps: 2, batchSize: 4, lr: 1e-3, weightDecay: 0, clip: 1, evalEvery: 2, seed: 1 }, { train: splits.train, val: splits.val.slice(0, 10) }, vocabulary);
    for (const model of [mlp, gpt]) {
      model.train();
      const rows = sampleTokens(model, 8, { generator: new Generator(1), maxLength: 40 });
      expect(model.training).toBe(false);
      expect(sampleTokens(model, 8, { generator: new Generator(1), maxLength: 40 })).toEqual(rows);
      for (const row of rows) {
        expect(row.every((t) => Number.isInteger(t) && t >= 0 && t < 28)).toBe(true);
        expect(row.indexOf(0) === -1 || row.indexOf(0) === row.length - 1).toBe(true);
      }
    }
    const endless = sampleTokens(new Always(5), 3, { generator: new Generator(1), maxLength: 12 });
    expect(endless).toEqual([0, 1, 2].map(() => new Array(12).fill(5)));
  });
});

describe("names run", () => {
  it("fits the three models briefly, reports them and writes weights that load back bit-exactly", () => {
    const out = mkdtempSync(join(tmpdir(), "names-"));
    // Small models, so that evaluating them on every split stays quick.
    const options: NamesOptions = { ...defaults, embedding: 4, hidden: 20, mlpSteps: 40, width: 16, heads: 2, layers: 1, gptSteps: 4, gptBatchSize: 8, samples: 5, out };
    const lines: string[] = [];
    const result = run(options, (l) => lines.push(l), () => ({ update: () => {} }));
    expect(result.reports.map((r) => r.name)).toEqual(["bigram", "mlp", "gpt"]);
    expect(result.baseline).toBe(result.reports[0]!.valLoss);
    const text = lines.join("\n");
    expect(text).toMatch(/8849 names \(8422 distinct\), 28 tokens/);
    const [, mlp, gpt] = result.reports;
    expect(text).toContain(`mlp     ${mlp!.model.numParameters().toLocaleString("en-US").padStart(10)}      40   ${mlp!.trainLoss.toFixed(4)}   ${mlp!.valLoss.toFixed(4)}`);
    expect(text).toMatch(/^gpt +[\d,]+ +4 +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +[+-]\d\.\d{3} \([+-]\d+\.\d%\)/m);
    expect(text).toMatch(/gpt samples \(\d+ of 5 are training names\)/);
    expect(gpt!.history!.step).toEqual([1, 2, 3, 4]);
    for (const report of result.reports) {
      expect(report.samples).toHaveLength(5);
      const weights = report.files.find((f) => f.endsWith(".safetensors"))!;
      const loaded = loadSafetensors(weights);
      const state = report.model.stateDict();
      expect(Object.keys(loaded).sort()).toEqual(Object.keys(state).sort());
      for (const [key, t] of Object.entries(state)) expect(loaded[key]!.toFloat64Array()).toEqual(t.toFloat64Array());
      for (const svg of report.files.filter((f) => f.endsWith(".svg"))) expect(XMLValidator.validate(readFileSync(svg, "utf8"))).toBe(true);
    }
    const curves = readFileSync(join(out, "loss-gpt.svg"), "utf8");
    expect(curves).toContain('id="val-loss"');
    expect(curves).toContain("bigram validation");
    expect((readFileSync(join(out, "embedding.svg"), "utf8").match(/<circle/g) ?? []).length).toBe(28);
  });

  it("projects embeddings to 2-D: as they are when 2-D, else on the principal axes", () => {
    expect(projectTo2d(Float64Array.from([1, 2, 3, 4]), 2, 2)).toEqual({ points: [[1, 2], [3, 4]], projected: false });
    // Points along (1, 1, 0) with a little spread along (0, 0, 1): the first axis is (1, 1, 0)/√2.
    const rows = [[-2, -2, 0.1], [-1, -1, -0.1], [1, 1, -0.1], [2, 2, 0.1]];
    const { points } = projectTo2d(Float64Array.from(rows.flat()), 4, 3);
    expect(points.map(([x]) => Math.abs(x))).toEqual(rows.map(([a]) => expect.closeTo(Math.abs(a!) * Math.SQRT2, 9)));
    expect(points.map(([, y]) => Math.abs(y))).toEqual(rows.map(() => expect.closeTo(0.1, 9)));
  });
});

describe("names command line", () => {
  it("rejects bad flags with clear messages", () => {
    const cases: [string[], RegExp][] = [
      [["--model", "rnn"], /unknown model "rnn" \(use bigram, mlp, gpt or all\)/],
      [["--steps", "ten"], /--steps must be a number, got "ten"/],
      [["--gpt-lr", "0"], /gpt lr must be a positive number, got 0/],
      [["--dropout", "1"], /dropout must lie in \[0, 1\), got 1/],
      [["--width", "60", "--heads", "7"], /width 60 must be divisible by heads 7/],
      [["--context", "2.5"], /context must be a positive integer, got 2.5/],
      [["--bogus", "1"], /unknown flag --bogus/],
      [["--preset", "huge"], /unknown preset "huge" \(use default, quick, embedding-2d\)/],
      [["--seed", "--model", "gpt"], /--seed needs a value/],
      [["--samples"], /--samples needs a value/],
      [["gpt"], /unexpected argument "gpt"/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseArgs(argv);
      expect(parsed.kind, argv.join(" ")).toBe("error");
      if (parsed.kind === "error") expect(parsed.problems.join("\n")).toMatch(message);
    }
  });

  it("reads presets and overrides; --steps sets both models, a model's own flag wins", () => {
    const parsed = parseArgs(["--gpt-steps", "50", "--steps", "500", "--preset", "quick", "--model=gpt"]);
    expect(parsed.kind).toBe("run");
    if (parsed.kind === "run") expect(parsed.options).toMatchObject({ model: "gpt", mlpSteps: 500, gptSteps: 50, seed: 42 });
    const twoD = parseArgs(["--preset", "embedding-2d"]);
    if (twoD.kind === "run") expect(twoD.options).toMatchObject({ model: "mlp", embedding: 2 });
    const help = parseArgs(["--help"]);
    expect(help.kind).toBe("help");
    if (help.kind === "help") for (const word of ["--model bigram|mlp|gpt|all", "--gpt-steps", "--mlp-lr", "quick", "embedding-2d"]) expect(help.text).toContain(word);
  });

  it("the executable exits 1 with a message for a bad flag", async () => {
    const { spawnSync } = await import("node:child_process");
    const cli = new URL("../dist/cli.js", import.meta.url).pathname;
    const result = spawnSync(process.execPath, [cli, "--model", "lstm"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: unknown model "lstm"/);
  });
});

// The default run, minutes long: TAPEGRAD_SLOW=1 pnpm test examples/names.
describe.runIf(process.env.TAPEGRAD_SLOW === "1")("names default run (slow)", () => {
  it("the MLP and the GPT each beat the bigram's validation loss by at least 0.3 nats", () => {
    const out = mkdtempSync(join(tmpdir(), "names-slow-"));
    const result = run({ ...defaults, out }, () => {}, () => ({ update: () => {} }));
    const [bigram, mlp, gpt] = result.reports;
    console.info(result.reports.map((r) => `${r.name}: train ${r.trainLoss.toFixed(4)}, val ${r.valLoss.toFixed(4)}, ${r.seconds.toFixed(1)} s`).join("\n"));
    expect(bigram!.valLoss).toBeGreaterThan(2.4);
    expect(mlp!.valLoss).toBeLessThan(bigram!.valLoss - 0.3);
    expect(gpt!.valLoss).toBeLessThan(bigram!.valLoss - 0.3);
  }, 900_000);
});
