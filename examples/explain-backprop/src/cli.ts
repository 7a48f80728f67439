#!/usr/bin/env node
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { explain } from "./explain.js";

const out = process.argv[2] ?? "out/explain-backprop";
const { trace, layers, loss, svg } = explain();
console.log(`One backward pass of the 2-25-50-50-25-1 moons network on 4 samples (BCE loss ${loss.toFixed(6)}).`);
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
