#!/usr/bin/env node
import { parseArgs } from "./args.js";
import { describeNetwork, run } from "./run.js";
import { runnable } from "../../shared/cli-outcome.js";

const parsed = runnable(parseArgs(process.argv.slice(2)), "Run with --help to see the presets and flags.");
if (parsed) {
  const o = parsed.options;
  console.log(
    `tapegrad digits (preset ${parsed.preset}): ${describeNetwork(o)}, Adam ${o.schedule} lr ${o.lr}, batches of ${o.batchSize}, ` +
      `${o.epochs} epoch${o.epochs === 1 ? "" : "s"}, shifts up to ${o.shift} px, seed ${o.seed}`,
  );
  run(o);
}
