#!/usr/bin/env node
import { parseArgs } from "./args.js";
import { describeNetwork, run } from "./run.js";

const parsed = parseArgs(process.argv.slice(2));
if (parsed.kind === "help") {
  console.log(parsed.text);
} else if (parsed.kind === "error") {
  for (const p of parsed.problems) console.error(`error: ${p}`);
  console.error("Run with --help to see the presets and flags.");
  process.exit(1);
} else {
  const o = parsed.options;
  console.log(
    `tapegrad digits (preset ${parsed.preset}): ${describeNetwork(o)}, Adam ${o.schedule} lr ${o.lr}, batches of ${o.batchSize}, ` +
      `${o.epochs} epoch${o.epochs === 1 ? "" : "s"}, shifts up to ${o.shift} px, seed ${o.seed}`,
  );
  run(o);
}
