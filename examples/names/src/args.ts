import { readFlags, readNumber } from "../../shared/cli-flags.js";
import { defaults, presets, validate, type NamesOptions } from "./options.js";

/** The result of reading the command line: options to run with, help to print, or problems. */
export type Parsed = { kind: "run"; options: NamesOptions; preset: string } | { kind: "help"; text: string } | { kind: "error"; problems: string[] };

/** The --help text. */
export function helpText(): string {
  const presetLines = Object.entries(presets).map(([name, p]) => `  ${name.padEnd(13)} ${p.description}`);
  const d = defaults;
  return [
    "Usage: pnpm names [--preset NAME] [flags]",
    "",
    "Learns to make up first names, character by character, from 8,849 English names (the",
    "@stdlib first-name lists), with makemore's models in order: bigram counts, an MLP with",
    "embeddings and batch norm, and a small GPT. Prints each model's train/validation loss",
    "and names sampled from it, and writes the weights (safetensors) and loss curves.",
    "",
    "Presets:",
    ...presetLines,
    "",
    "Flags (override the preset):",
    `  --model bigram|mlp|gpt|all   which models to train (default ${d.model})`,
    `  --seed N                     seed of the split, weights, batches and samples (default ${d.seed})`,
    `  --steps N                    training steps of both the MLP and the GPT`,
    `  --batch-size N               rows per step of both (MLP: windows; GPT: names)`,
    `  --samples N                  names to draw from each model (default ${d.samples})`,
    `  --out DIR                    folder for the outputs (default ${d.out})`,
    "  bigram:",
    `  --smoothing X                added to every pair count (default ${d.smoothing})`,
    "  MLP (SGD, lr cut tenfold after 75% of the steps):",
    `  --context N                  characters of context (default ${d.context})`,
    `  --embedding N                size of a character's embedding (default ${d.embedding})`,
    `  --hidden N                   hidden units (default ${d.hidden})`,
    `  --mlp-steps N                steps (default ${d.mlpSteps})`,
    `  --mlp-batch-size N           windows per step (default ${d.mlpBatchSize})`,
    `  --mlp-lr X                   learning rate (default ${d.mlpLr})`,
    "  GPT (AdamW, cosine schedule, gradient clipping; block of 16 tokens):",
    `  --layers N                   transformer blocks (default ${d.layers})`,
    `  --heads N                    attention heads (default ${d.heads})`,
    `  --width N                    embedding width, divisible by heads (default ${d.width})`,
    `  --dropout X                  dropout in training, in [0, 1) (default ${d.dropout})`,
    `  --gpt-steps N                steps (default ${d.gptSteps})`,
    `  --gpt-batch-size N           names per step (default ${d.gptBatchSize})`,
    `  --gpt-lr X                   peak learning rate (default ${d.gptLr})`,
    `  --weight-decay X             AdamW weight decay of the matrices (default ${d.weightDecay})`,
    `  --clip X                     largest gradient norm (default ${d.clip})`,
    "  --help                       show this text",
  ].join("\n");
}

const numberFlags: Record<string, (keyof NamesOptions)[]> = {
  seed: ["seed"],
  steps: ["mlpSteps", "gptSteps"],
  "batch-size": ["mlpBatchSize", "gptBatchSize"],
  samples: ["samples"],
  smoothing: ["smoothing"],
  context: ["context"],
  embedding: ["embedding"],
  hidden: ["hidden"],
  "mlp-steps": ["mlpSteps"],
  "mlp-batch-size": ["mlpBatchSize"],
  "mlp-lr": ["mlpLr"],
  layers: ["layers"],
  heads: ["heads"],
  width: ["width"],
  dropout: ["dropout"],
  "gpt-steps": ["gptSteps"],
  "gpt-batch-size": ["gptBatchSize"],
  "gpt-lr": ["gptLr"],
  "weight-decay": ["weightDecay"],
  clip: ["clip"],
};
const stringFlags: Record<string, keyof NamesOptions> = { model: "model", out: "out" };
// Flags that set both models go first, so that `--gpt-steps 50 --steps 500` keeps the 50.
const shared = new Set(["steps", "batch-size"]);
const flagNames = [...Object.keys(numberFlags), ...Object.keys(stringFlags), "preset"];

/** Reads argv (without node and the script) into options, or help, or a list of problems. */
export function parseArgs(argv: readonly string[]): Parsed {
  const read = readFlags(argv, flagNames);
  if (read.kind === "help") return { kind: "help", text: helpText() };
  const { given, problems } = read;
  const preset = given.filter(([name]) => name === "preset").pop()?.[1] ?? "default";
  if (!(preset in presets)) return { kind: "error", problems: [`unknown preset ${JSON.stringify(preset)} (use ${Object.keys(presets).join(", ")})`] };
  const options: NamesOptions = { ...defaults, ...presets[preset]!.options };
  const record = options as unknown as Record<string, unknown>;
  const ordered = [...given.filter(([name]) => shared.has(name)), ...given.filter(([name]) => !shared.has(name))];
  for (const [name, value] of ordered) {
    if (name === "preset") continue;
    if (name in numberFlags) {
      const n = readNumber(name, value, problems);
      if (n !== undefined) for (const key of numberFlags[name]!) record[key] = n;
    } else record[stringFlags[name]!] = value;
  }
  problems.push(...validate(options));
  return problems.length > 0 ? { kind: "error", problems } : { kind: "run", options, preset };
}
