#!/usr/bin/env node
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { explain } from "./explain.js";

const usage = `usage: pnpm explain [out-dir] [--values[=N]] [--samples N] [--seed N]
  out-dir     where graph.svg and trace.json go (default out/explain-backprop)
  --values    print g and every input gradient under each step: tensors of up to N
              elements in full (default 12), larger ones as min, mean and max;
              trace.json then holds every value
  --samples   moons points in the batch (default 4)
  --seed      seed of the data and the weights (default 0)`;

function fail(message: string): never {
  console.error(`error: ${message}\n${usage}`);
  process.exit(1);
}

const count = (flag: string, text: string | undefined, fallback: number, least: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < least) fail(`--${flag} must be an integer ≥ ${least}, got ${JSON.stringify(text)}`);
  return n;
};

// --values takes an optional number (--values, --values 50, --values=50): parseArgs has no
// optional values, so it is read by hand first.
const raw = process.argv.slice(2);
const argv: string[] = [];
for (let i = 0; i < raw.length; i++) {
  if (raw[i] !== "--values") argv.push(raw[i]!);
  else if (/^\d+$/.test(raw[i + 1] ?? "")) argv.push(`--values=${raw[++i]}`);
  else argv.push("--values=true");
}
let parsed;
try {
  parsed = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { values: { type: "string" }, samples: { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
} catch (error) {
  fail((error as Error).message);
}
if (parsed.values.help) {
  console.log(usage);
  process.exit(0);
}
if (parsed.positionals.length > 1) fail(`expected at most one out-dir, got ${parsed.positionals.join(" ")}`);
const values = parsed.values.values === undefined ? false : parsed.values.values === "true" ? true : count("values", parsed.values.values, 12, 0);
const samples = count("samples", parsed.values.samples, 4, 1);
const seed = count("seed", parsed.values.seed, 0, 0);
const out = parsed.positionals[0] ?? "out/explain-backprop";

const { trace, layers, loss, svg } = explain({ samples, seed, values });
console.log(`One backward pass of the 2-25-50-50-25-1 moons network on ${samples} samples (BCE loss ${loss.toFixed(6)}).`);
console.log("Each row is one VJP, in the order backward ran them; g is the gradient arriving from above.\n");
console.log(String(trace));
console.log("\nThe numpy tutorials' hand-written formulas, layer by layer, against the graph's gradients:\n");
for (const l of layers) {
  console.log(`layer ${l.layer}: ${l.formulas.join(";  ")}`);
  console.log(`         max |graph − formula| over dW and db = ${l.maxDifference.toExponential(2)}`);
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "graph.svg"), svg);
writeFileSync(join(out, "trace.json"), JSON.stringify(trace, null, 2));
console.log(`\nwrote ${join(out, "graph.svg")} and ${join(out, "trace.json")}`);
