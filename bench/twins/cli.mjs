// The twins' files without the bench: `node bench/twins/cli.mjs --out DIR` writes each
// twin's initial weights and batches into DIR (for running a peer by hand, or for the
// tests); with --train, tapegrad then trains each twin on what it wrote and the losses of
// every step are printed as JSON: {"twins": [{name, key, steps, files, config, losses}]}.
//
// Flags: --out DIR (required), --steps N (every twin's steps; default: the bench's),
// --only TEXT (twins whose name contains TEXT), --train, --quick (the bench's quick steps).
import v8 from "node:v8";

// The GEMM kernel of pnpm bench and of the tests: relaxed SIMD (FMA), behind a flag on Node 20.
if (Number(process.versions.node.split(".")[0]) < 22) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");

const usage = "usage: node bench/twins/cli.mjs --out DIR [--steps N] [--only TEXT] [--train] [--quick]";
function fail(message) {
  process.stderr.write(`twins: ${message}\n${usage}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const flags = { out: undefined, steps: undefined, only: undefined, train: false, quick: false };
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === "--train" || arg === "--quick") flags[arg.slice(2)] = true;
  else if (arg === "--out" || arg === "--steps" || arg === "--only") {
    const value = args[++i];
    if (value === undefined || value.startsWith("--")) fail(`${arg} needs a value`);
    flags[arg.slice(2)] = value;
  } else fail(`unknown argument ${JSON.stringify(arg)}`);
}
if (flags.out === undefined) fail("--out DIR is required: the folder the twins' files go to");
let steps;
if (flags.steps !== undefined) {
  steps = Number(flags.steps);
  if (!Number.isInteger(steps) || steps < 1) fail(`--steps must be a positive integer, got ${JSON.stringify(flags.steps)}`);
}

const { mkdirSync } = await import("node:fs");
const { selectTwins, makeTwins } = await import("./rounds.mjs");
const selected = selectTwins(flags.only, flags.quick).map((t) => (steps === undefined ? t : { ...t, steps }));
if (selected.length === 0) fail(`no twin's name contains ${JSON.stringify(flags.only)}`);
mkdirSync(flags.out, { recursive: true });
let twins;
try {
  twins = makeTwins(selected, flags.out);
} catch (error) {
  fail(error.message);
}
const report = twins.map(({ name, twin }) => {
  const entry = { name, key: twin.key, steps: twin.steps, files: twin.files, config: twin.config };
  if (flags.train) entry.losses = Array.from({ length: twin.steps }, (_, i) => twin.prepare(i)());
  return entry;
});
console.log(JSON.stringify({ twins: report }));
