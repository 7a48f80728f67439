import { parseArgs } from "node:util";
import { suggestName } from "@tapegrad/tensor";
import { modelNames, models, type ExplainModel } from "./models.js";

/** What a run of `pnpm explain` does. */
export interface ExplainRun {
  model: ExplainModel;
  samples: number;
  seed: number;
  /** As traceBackward's `values`: false, true (12 elements in full) or a count. */
  values: boolean | number;
  /** Folder for graph.svg and trace.json. */
  out: string;
}

/** The result of reading the command line: a run, help to print, or every problem found. */
export type ParsedExplainArgs = { kind: "run"; options: ExplainRun } | { kind: "help"; text: string } | { kind: "error"; problems: string[] };

/** The --help text, with the networks --model takes. */
export function helpText(): string {
  const width = Math.max(...modelNames.map((name) => name.length));
  return [
    "usage: pnpm explain [out-dir] [--model NAME] [--values[=N]] [--samples N] [--seed N]",
    "",
    "Runs one backward pass of a network, prints every VJP in the order backward ran them",
    "(parameters by their names in the model), recomputes the gradients with hand-written",
    "formulas (the numpy tutorials' for moons, conv and pooling loops for digits, makemore's",
    "manual backprop for names) and prints max |graph − formula|, and writes graph.svg and",
    "trace.json.",
    "",
    "  --model     the network (default moons):",
    ...modelNames.map((name) => `                ${name.padEnd(width)}  ${models[name].description}`),
    `  out-dir     where graph.svg and trace.json go (default ${models.moons.out} for moons,`,
    "              out/explain-backprop/<model> for the others)",
    "  --values    print g and every input gradient under each step: tensors of up to N",
    "              elements in full (default 12), larger ones as min, mean and max;",
    "              trace.json then holds every value",
    "  --samples   the batch:",
    ...modelNames.map((name) => {
      const { samplesAre, defaultSamples, minSamples, maxSamples } = models[name];
      return `                ${name.padEnd(width)}  ${samplesAre}, ${minSamples} to ${maxSamples} (default ${defaultSamples})`;
    }),
    "  --seed      seed of the data and the weights (default 0)",
    "  --help      show this text",
  ].join("\n");
}

const flags = ["model", "samples", "seed", "values", "help"];

/** Reads argv (without node and the script) into a run, or help, or a list of problems. */
export function parseExplainArgs(argv: readonly string[]): ParsedExplainArgs {
  // --values takes an optional number (--values, --values 50, --values=50): parseArgs has no
  // optional values, so it is rewritten first.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== "--values") args.push(argv[i]!);
    else if (/^\d+$/.test(argv[i + 1] ?? "")) args.push(`--values=${argv[++i]}`);
    else args.push("--values=true");
  }
  const { tokens } = parseArgs({
    args,
    options: { model: { type: "string" }, samples: { type: "string" }, seed: { type: "string" }, values: { type: "string" }, help: { type: "boolean", short: "h" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const problems: string[] = [];
  const given = new Map<string, string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    if (token.name === "help") return { kind: "help", text: helpText() };
    if (!flags.includes(token.name)) {
      const close = suggestName(token.name, flags);
      problems.push(`unknown flag ${token.rawName}${close ? ` (did you mean --${close}?)` : ""}`);
    }
    // `--model --samples 3` would otherwise read "--samples" as the model.
    else if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) problems.push(`${token.rawName} needs a value`);
    else given.set(token.name, token.value);
  }
  if (positionals.length > 1) problems.push(`expected at most one out-dir, got ${positionals.map((p) => JSON.stringify(p)).join(" ")}`);

  const modelText = given.get("model") ?? "moons";
  let model: ExplainModel = "moons";
  if ((modelNames as string[]).includes(modelText)) model = modelText as ExplainModel;
  else {
    const close = suggestName(modelText, modelNames);
    problems.push(`unknown model ${JSON.stringify(modelText)}${close ? ` (did you mean ${close}?)` : ""}; --model takes ${modelNames.join(", ")}`);
  }
  const integer = (name: string, text: string | undefined, fallback: number, low: number, high: number, meaning: string): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === "" || !Number.isInteger(n) || n < low || n > high) problems.push(`--${name} must be ${meaning}, got ${JSON.stringify(text)}`);
    return n;
  };
  const info = models[model];
  const samples = integer("samples", given.get("samples"), info.defaultSamples, info.minSamples, info.maxSamples, `an integer from ${info.minSamples} to ${info.maxSamples} for --model ${model} (${info.samplesAre} in the batch)`);
  const seed = integer("seed", given.get("seed"), 0, 0, Number.MAX_SAFE_INTEGER, "a non-negative integer");
  const valuesText = given.get("values");
  const values = valuesText === undefined ? false : valuesText === "true" ? true : integer("values", valuesText, 12, 0, Number.MAX_SAFE_INTEGER, "a non-negative integer count of elements to print in full");
  if (problems.length > 0) return { kind: "error", problems };
  return { kind: "run", options: { model, samples, seed, values, out: positionals[0] ?? info.out } };
}
