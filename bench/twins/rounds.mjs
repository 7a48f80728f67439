// The training twins of `pnpm bench` (issue #15): for the digits convnet and the names MLP
// and GPT, tapegrad trains the example's own model on the example's own batches, and a
// PyTorch twin (float64, on one thread and on its default threads; torch_twins.py) — for
// the convnet also a TF.js twin (wasm, float32; tfjs_twin.mjs) — trains the same network
// from the same initial weights on the same batches with the same optimizer and schedule.
// Training alternates in rounds: tapegrad takes the next steps, then each peer takes the
// same steps, so a slow moment of the shared machine falls on both sides of a ratio. Each
// side times every step (batch built beforehand, off the clock); a round's time is the
// median of its steps (the first `warmup` steps of the first round left out), a side's
// time the median over rounds, and the ratio the median over rounds of tapegrad/peer.
// Both sides' losses are kept step by step: float64 twins agree to rounding, so a final
// loss that differs by more than FLOAT64_AGREEMENT (float32: FLOAT32_AGREEMENT) is
// reported as a mismatch, a bug to find.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { digitsCnnTwin } from "./digits.mjs";
import { namesData, namesGptTwin, namesMlpTwin } from "./names.mjs";

const here = dirname(fileURLToPath(import.meta.url));

/** Largest relative difference of final losses that float64 rounding explains after these steps. */
export const FLOAT64_AGREEMENT = 1e-9;
/** The same for a float32 peer. */
export const FLOAT32_AGREEMENT = 1e-3;

/**
 * The twins: steps as the examples run them (the digits cnn preset cut to one epoch of
 * 150 batches; the names quick preset's 2,000 MLP and 150 GPT steps), fewer with --quick.
 */
export const TWINS = [
  { name: "twin: digits cnn", steps: 150, quickSteps: 60, warmup: 20, make: (o) => digitsCnnTwin(o) },
  { name: "twin: names mlp", steps: 2000, quickSteps: 600, warmup: 50, make: (o) => namesMlpTwin(o) },
  { name: "twin: names gpt (dropout 0)", steps: 150, quickSteps: 60, warmup: 10, make: (o) => namesGptTwin(o) },
];

/** The twins whose name contains `only` (all without it), each with its step count. */
export function selectTwins(only, quick) {
  return TWINS.filter((t) => only === undefined || t.name.includes(only)).map((t) => ({ ...t, steps: quick ? t.quickSteps : t.steps }));
}

/** The tapegrad side of each selected twin, its files written into `dir`; the names data loaded once. */
export function makeTwins(selected, dir) {
  let names;
  return selected.map((t) => {
    const options = { steps: t.steps, dir };
    if (t.name.includes("names")) options.names = names ??= namesData();
    return { ...t, twin: t.make(options) };
  });
}

const median = (xs) => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const relative = (a, b) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/** Runs tapegrad's next `count` steps of `twin` from step `from`, each timed alone. */
function tapegradSteps(twin, from, count) {
  const ms = [];
  const losses = [];
  for (let i = from; i < from + count; i++) {
    const step = twin.prepare(i);
    const start = performance.now();
    losses.push(step());
    ms.push(performance.now() - start);
  }
  return { ms, losses };
}

/**
 * Runs the selected twins in alternating rounds against the peers and returns one row per
 * twin and peer. `startPeer` is run.mjs's: it starts a line-protocol process from a spec.
 */
export async function runTwins({ only, quick, wantedPeers, torchPython, torchEnv, torchEnvDefault, startPeer, log }) {
  const selected = selectTwins(only, quick);
  if (selected.length === 0) return { rows: [], peers: [] };
  const rounds = quick ? 3 : 5;
  const specs = [
    { key: "torch", label: "PyTorch·1", precision: "float64", command: torchPython, args: [join(here, "torch_twins.py")], env: torchEnv, missing: "no python3 with torch (tried python3, /usr/bin/python3; Debian: apt-get install python3-torch)" },
    // PyTorch on its default threads too, since tapegrad splits large products across its own.
    { key: "torchN", family: "torch", label: "PyTorch·N", precision: "float64", command: torchPython, args: [join(here, "torch_twins.py")], env: { ...torchEnvDefault, PEER_THREADS: "default" }, settleMs: 300, missing: "no python3 with torch" },
    { key: "tfjs", label: "TF.js", precision: "float32", command: process.execPath, args: [join(here, "tfjs_twin.mjs")], env: process.env, missing: "" },
  ].filter((s) => wantedPeers.includes(s.family ?? s.key));
  const peers = [];
  for (const spec of specs) {
    const started = await startPeer(spec);
    if (started.error) log(`twins: ${spec.label} unavailable (${started.error})`);
    peers.push({ ...spec, ...started });
  }
  const live = peers.filter((p) => !p.error);
  const info = peers.map((p) => ({ peer: p.label, ...(p.error ? { error: p.error } : p.about) }));
  if (live.length === 0) {
    log("twins: no peer to train against (PyTorch and TF.js unavailable or not asked for with --peers); skipped");
    return { rows: [], peers: info };
  }
  const dir = mkdtempSync(join(tmpdir(), "tapegrad-twins-"));
  const rows = [];
  try {
    for (const entry of makeTwins(selected, dir)) rows.push(...(await runOne(entry, live, rounds, dir, log)));
  } finally {
    for (const p of live) p.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, peers: info };
}

/** One twin: rounds of tapegrad's steps and each peer's, then a row per peer that trained it. */
async function runOne({ name, twin, warmup }, peers, rounds, dir, log) {
  const perRound = Math.ceil(twin.steps / rounds);
  const sides = { tapegrad: { times: [], losses: [] } };
  for (const p of peers) sides[p.key] = { times: [], losses: [], error: null, skipped: false };
  for (let round = 0, from = 0; from < twin.steps; round++, from += perRound) {
    const count = Math.min(perRound, twin.steps - from);
    const skip = round === 0 ? warmup : 0;
    const mine = tapegradSteps(twin, from, count);
    // tapegrad's helper threads spin for a few milliseconds after their last product.
    await new Promise((resolve) => setTimeout(resolve, 20));
    sides.tapegrad.times.push(median(mine.ms.slice(skip)));
    sides.tapegrad.losses.push(...mine.losses);
    for (const p of peers) {
      const side = sides[p.key];
      if (side.error || side.skipped) continue;
      const answer = await p.ask({ twin: twin.key, dir, config: twin.config, steps: count }).catch((error) => ({ error: `the peer exited: ${error.message}` }));
      if (answer.error) side.error = answer.error;
      else if (answer.ms === null) side.skipped = true;
      else {
        side.times.push(median(answer.ms.slice(skip)));
        side.losses.push(...answer.losses);
      }
      if (p.settleMs) await new Promise((resolve) => setTimeout(resolve, p.settleMs));
    }
  }
  const rows = [];
  const tapegrad = sides.tapegrad;
  for (const p of peers) {
    const side = sides[p.key];
    if (side.skipped) continue;
    const row = { twin: name, description: twin.description, peer: p.label, precision: p.precision, steps: twin.steps, rounds: { tapegrad: tapegrad.times, peer: side.times } };
    if (side.error) {
      log(`${name}, ${p.label}: ${side.error}`);
      rows.push({ ...row, error: side.error });
      continue;
    }
    const ratios = tapegrad.times.map((t, i) => t / side.times[i]);
    const diffs = tapegrad.losses.map((l, i) => relative(l, side.losses[i]));
    const bound = p.precision === "float64" ? FLOAT64_AGREEMENT : FLOAT32_AGREEMENT;
    const last = twin.steps - 1;
    const result = {
      ...row,
      ms: { tapegrad: median(tapegrad.times), peer: median(side.times) },
      ratio: median(ratios),
      loss: { tapegrad: { first: tapegrad.losses[0], final: tapegrad.losses[last] }, peer: { first: side.losses[0], final: side.losses[last] } },
      relativeDifference: { first: diffs[0], final: diffs[last], largest: Math.max(...diffs) },
      agreement: bound,
      agrees: diffs[last] <= bound,
    };
    if (!result.agrees) log(`${name}, ${p.label}: MISMATCH: final losses ${result.loss.tapegrad.final} and ${result.loss.peer.final} differ by ${diffs[last].toExponential(2)} (more than the ${bound} ${p.precision} rounding explains): an architecture or optimizer detail differs`);
    log(`${name}, ${p.label}: tapegrad ${result.ms.tapegrad.toFixed(3)} ms, ${p.label} ${result.ms.peer.toFixed(3)} ms per step; final losses ${result.loss.tapegrad.final} / ${result.loss.peer.final}`);
    rows.push(result);
  }
  return rows;
}

/** Prints the twins' table with run.mjs's printTable. */
export function printTwins(rows, printTable) {
  if (rows.length === 0) return;
  const fmt = (v, d = 3) => (v === null || v === undefined ? "—" : v.toFixed(d));
  const exp = (v) => (v === null || v === undefined ? "—" : v === 0 ? "0" : v.toExponential(1));
  console.log("\ntraining twins: ms per training step (median over rounds of each side's per-round median), ratio = tapegrad/peer; final losses after the same steps from the same weights\n");
  printTable(
    ["twin", "steps", "peer", "tapegrad", "peer ms", "ratio", "tapegrad final loss", "peer final loss", "rel. diff", "rel. diff step 1"],
    rows.map((r) =>
      r.error
        ? [r.twin, String(r.steps), r.peer, "—", "—", "—", "—", "—", `error: ${r.error}`, "—"]
        : [r.twin, String(r.steps), `${r.peer} ${r.precision}`, fmt(r.ms.tapegrad), fmt(r.ms.peer), fmt(r.ratio, 2), r.loss.tapegrad.final.toPrecision(12), r.loss.peer.final.toPrecision(12), `${exp(r.relativeDifference.final)}${r.agrees ? "" : " MISMATCH"}`, exp(r.relativeDifference.first)],
    ),
  );
  for (const description of new Set(rows.map((r) => `${r.twin}: ${r.description}`))) console.log(description);
}
