import { readFlags, readNumber } from "../../shared/cli-flags.js";
import { defaults, presets, validate, type TrainOptions } from "./options.js";

/** The result of reading the command line: options to run with, help to print, or problems. */
export type Parsed = { kind: "run"; options: TrainOptions; preset: string } | { kind: "help"; text: string } | { kind: "error"; problems: string[] };

/** The --help text. */
export function helpText(): string {
  const presetLines = Object.entries(presets).map(([name, p]) => `  ${name.padEnd(10)} ${p.description}`);
  return [
    "Usage: pnpm moons [--preset NAME] [flags]",
    "",
    "Trains a ReLU…ReLU→sigmoid network with binary cross-entropy on two moons (or circles),",
    "prints progress, and writes decision-boundary.svg, loss.svg and model.safetensors.",
    "",
    "Presets:",
    ...presetLines,
    "",
    "Flags (override the preset):",
    "  --dataset moons|circles      data set (default moons)",
    "  --samples N                  number of points (default 1000)",
    "  --noise X                    standard deviation of the Gaussian noise (default 0.2)",
    "  --factor X                   inner radius of circles, in (0, 1) (default 0.5)",
    "  --test-fraction X            share of points held out for testing (default 0.1)",
    "  --hidden 25,50,50,25         hidden layer sizes",
    "  --activation relu|tanh       hidden activation (default relu)",
    "  --optimizer sgd|adam|adamw   optimizer (default adam)",
    "  --lr X                       learning rate (default 0.01)",
    "  --epochs N                   passes over the training set (default 60)",
    "  --batch-size N               rows per step; 0 = full batch (default 64)",
    "  --init torch|tutorial        U(±1/√in) as PyTorch, or N(0, 0.1²) as the tutorials",
    "  --seed N                     seed of data, split, weights and shuffling (default 2)",
    "  --out DIR                    folder for the outputs (default out/moons)",
    "  --help                       show this text",
  ].join("\n");
}

const numberFlags: Record<string, keyof TrainOptions> = {
  samples: "samples",
  noise: "noise",
  factor: "factor",
  "test-fraction": "testFraction",
  lr: "lr",
  epochs: "epochs",
  "batch-size": "batchSize",
  seed: "seed",
};
const stringFlags: Record<string, keyof TrainOptions> = {
  dataset: "dataset",
  activation: "activation",
  optimizer: "optimizer",
  init: "init",
  out: "out",
};
const flagNames = [...Object.keys(numberFlags), ...Object.keys(stringFlags), "hidden", "preset"];

/** Reads argv (without node and the script) into options, or help, or a list of problems. */
export function parseArgs(argv: readonly string[]): Parsed {
  const read = readFlags(argv, flagNames);
  if (read.kind === "help") return { kind: "help", text: helpText() };
  const { given, problems } = read;
  const preset = given.filter(([name]) => name === "preset").pop()?.[1] ?? "default";
  if (!(preset in presets)) return { kind: "error", problems: [`unknown preset ${JSON.stringify(preset)} (use ${Object.keys(presets).join(", ")})`] };
  const options: TrainOptions = { ...defaults, ...presets[preset]!.options };
  const record = options as unknown as Record<string, unknown>;
  for (const [name, value] of given) {
    if (name === "preset") continue;
    if (name === "hidden") options.hidden = value.split(",").map((s) => (s.trim() === "" ? Number.NaN : Number(s)));
    else if (name in numberFlags) {
      const n = readNumber(name, value, problems);
      if (n !== undefined) record[numberFlags[name]!] = n;
    } else record[stringFlags[name]!] = value;
  }
  problems.push(...validate(options));
  return problems.length > 0 ? { kind: "error", problems } : { kind: "run", options, preset };
}
