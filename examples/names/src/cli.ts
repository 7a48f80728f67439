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
  const parts = [`tapegrad names (preset ${parsed.preset}): model ${o.model}, seed ${o.seed}`];
  if (o.model === "all" || o.model === "mlp") parts.push(`MLP context ${o.context}, embedding ${o.embedding}, ${o.hidden} hidden, ${o.mlpSteps} SGD steps of ${o.mlpBatchSize} at lr ${o.mlpLr}`);
  if (o.model === "all" || o.model === "gpt") parts.push(`GPT ${o.layers} blocks, ${o.heads} heads, width ${o.width}, dropout ${o.dropout}, ${o.gptSteps} AdamW steps of ${o.gptBatchSize} names at lr ${o.gptLr}`);
  console.log(parts.join("; "));
  const started = performance.now();
  run(o);
  console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
