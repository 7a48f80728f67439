#!/usr/bin/env node
import { parseArgs } from "./args.js";
import { run } from "./run.js";
import { runnable } from "../../shared/cli-outcome.js";

const parsed = runnable(parseArgs(process.argv.slice(2)), "Run with --help to see the flags.");
if (parsed) {
  const o = parsed.options;
  const batch = o.batchSize === 0 ? "full batch" : `batches of ${o.batchSize}`;
  console.log(
    `tapegrad ${o.dataset} (preset ${parsed.preset}): ${o.samples} samples, noise ${o.noise}, 2-${o.hidden.join("-")}-1 ${o.activation}→sigmoid, ` +
      `${o.optimizer} lr ${o.lr}, ${batch}, ${o.epochs} epochs, seed ${o.seed}`,
  );
  run(o);
}
