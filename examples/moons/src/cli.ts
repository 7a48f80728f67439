#!/usr/bin/env node
import { parseArgs } from "./args.js";
import { run } from "./run.js";

const parsed = parseArgs(process.argv.slice(2));
if (parsed.kind === "help") {
  console.log(parsed.text);
} else if (parsed.kind === "error") {
  for (const p of parsed.problems) console.error(`error: ${p}`);
  console.error("Run with --help to see the flags.");
  process.exit(1);
} else {
  const o = parsed.options;
  const batch = o.batchSize === 0 ? "full batch" : `batches of ${o.batchSize}`;
  console.log(
    `tapegrad ${o.dataset} (preset ${parsed.preset}): ${o.samples} samples, noise ${o.noise}, 2-${o.hidden.join("-")}-1 ${o.activation}→sigmoid, ` +
      `${o.optimizer} lr ${o.lr}, ${batch}, ${o.epochs} epochs, seed ${o.seed}`,
  );
  run(o);
}
