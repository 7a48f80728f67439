#!/usr/bin/env node
import { parseArgs } from "./args.js";
import { run } from "./run.js";
import { runnable } from "../../shared/cli-outcome.js";

const parsed = runnable(parseArgs(process.argv.slice(2)), "Run with --help to see the flags.");
if (parsed) {
  const o = parsed.options;
  const parts = [`tapegrad names (preset ${parsed.preset}): model ${o.model}, seed ${o.seed}`];
  if (o.model === "all" || o.model === "mlp") parts.push(`MLP context ${o.context}, embedding ${o.embedding}, ${o.hidden} hidden, ${o.mlpSteps} SGD steps of ${o.mlpBatchSize} at lr ${o.mlpLr}`);
  if (o.model === "all" || o.model === "gpt") parts.push(`GPT ${o.layers} blocks, ${o.heads} heads, width ${o.width}, dropout ${o.dropout}, ${o.gptSteps} AdamW steps of ${o.gptBatchSize} names at lr ${o.gptLr}`);
  console.log(parts.join("; "));
  const started = performance.now();
  run(o);
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
