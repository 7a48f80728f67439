// Reading command-line flags for the examples' CLIs (moons, digits, names): util.parseArgs
// in its non-strict form, so every problem is collected and worded here rather than the
// first one thrown. Each example keeps its own flags, presets and validation.
import { parseArgs } from "node:util";
import { suggestName } from "@tapegrad/tensor";

/** The flags as given (`--name value` or `--name=value`, in order), or a request for help. */
export type FlagReading = { kind: "help" } | { kind: "read"; given: [name: string, value: string][]; problems: string[] };

/**
 * Reads argv into name/value pairs for the known flags (each takes a value) and `--help`/`-h`.
 * Unknown flags (with the nearest known one suggested), flags without a value and stray
 * arguments become problems.
 */
export function readFlags(argv: readonly string[], names: readonly string[]): FlagReading {
  const { tokens } = parseArgs({
    args: [...argv],
    options: { ...Object.fromEntries(names.map((name) => [name, { type: "string" as const }])), help: { type: "boolean", short: "h" } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const problems: string[] = [];
  const given: [string, string][] = [];
  for (const token of tokens) {
    if (token.kind === "positional") problems.push(`unexpected argument ${JSON.stringify(token.value)} (flags take the form --name value)`);
    if (token.kind !== "option") continue;
    if (token.name === "help") return { kind: "help" };
    if (!names.includes(token.name)) {
      const close = suggestName(token.name, names);
      problems.push(`unknown flag ${token.rawName}${close ? ` (did you mean --${close}?)` : ""} (see --help)`);
    }
    // `--lr --epochs 3` would otherwise read "--epochs" as the learning rate.
    else if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) problems.push(`${token.rawName} needs a value`);
    else given.push([token.name, token.value]);
  }
  return { kind: "read", given, problems };
}

/** A flag's value as a finite number, or undefined with the problem recorded. */
export function readNumber(name: string, value: string, problems: string[]): number | undefined {
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n)) return n;
  problems.push(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return undefined;
}
