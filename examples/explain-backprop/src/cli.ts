#!/usr/bin/env node
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseExplainArgs } from "./args.js";
import type { ModelExplanation } from "./checks.js";
import { explainDigits } from "./digits.js";
import { explain } from "./explain.js";
import { explainNames } from "./names.js";
import { runnable } from "../../shared/cli-outcome.js";

const parsed = runnable(parseExplainArgs(process.argv.slice(2)), "Run with --help to see the models and flags.");
if (parsed === null) process.exit(0);
const { model, samples, seed, values, out } = parsed.options;
const rowsAre = "Each row is one VJP, in the order backward ran them; g is the gradient arriving from above.\n";

let trace: ModelExplanation["trace"];
let svg: string;
if (model === "moons") {
  const moons = explain({ samples, seed, values });
  ({ trace, svg } = moons);
  console.log(`One backward pass of the 2-25-50-50-25-1 moons network on ${samples} samples (BCE loss ${moons.loss.toFixed(6)}).`);
  console.log(rowsAre);
  console.log(String(trace));
  console.log("\nThe numpy tutorials' hand-written formulas, layer by layer, against the graph's gradients:\n");
  for (const l of moons.layers) {
    console.log(`layer ${l.layer}: ${l.formulas.join(";  ")}`);
    console.log(`         max |graph − formula| over dW and db = ${l.maxDifference.toExponential(2)}`);
  }
} else {
  const explained = (model === "digits" ? explainDigits : explainNames)({ samples, seed, values });
  ({ trace, svg } = explained);
  console.log(`One backward pass of ${explained.summary}.`);
  console.log(rowsAre);
  console.log(String(trace));
  console.log("\nThe same backward pass from hand-written formulas, a layer at a time from the logits down,");
  console.log("against the graph's gradients:\n");
  const width = Math.max(...explained.checks.map((c) => c.part.length)) + 2;
  const indent = " ".repeat(width);
  for (const check of explained.checks) {
    // Formulas side by side while they fit in 110 columns, then on the next line.
    const lines = [""];
    for (const formula of check.formulas) {
      const last = lines[lines.length - 1]!;
      if (last === "") lines[lines.length - 1] = formula;
      else if (width + last.length + 3 + formula.length <= 110) lines[lines.length - 1] = `${last};  ${formula}`;
      else lines.push(formula);
    }
    lines.forEach((line, i) => console.log(`${i === 0 ? check.part.padEnd(width) : indent}${line}`));
    if (check.maxDifference !== null) console.log(`${indent}max |graph − formula| over ${check.compared.join(", ")} = ${check.maxDifference.toExponential(2)}`);
  }
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "graph.svg"), svg);
writeFileSync(join(out, "trace.json"), JSON.stringify(trace, null, 2));
console.log(`\nwrote ${join(out, "graph.svg")} and ${join(out, "trace.json")}`);
