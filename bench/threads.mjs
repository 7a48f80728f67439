// What tapegrad's helper threads gain, measured apart from the peers: the same case with
// the default thread count and with one, in alternating rounds of one process and no peer
// process in between (a peer's run just before a round measurably slows the helper's first
// wake-ups on the shared machine, so the cases' own rows understate the gain).

/**
 * Times each case's step with `threads` and with one thread, round after round, and
 * returns { case, threads, ms: { many, one }, speedup } rows (speedup = one-thread time ÷
 * default time, the median of per-round ratios).
 */
export function runThreadRounds({ cases, makeStep, medianMs, getNumThreads, setNumThreads, rounds, log }) {
  const threads = getNumThreads();
  if (threads < 2) return [];
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [];
  for (const c of cases) {
    const step = makeStep(c);
    const per = Math.max(3, Math.round(c.repeats / rounds));
    const many = [];
    const one = [];
    for (let round = 0; round < rounds; round++) {
      for (const [count, into] of [[threads, many], [1, one]]) {
        setNumThreads(count);
        into.push(medianMs(step, per, round === 0 ? c.warmup : 2));
      }
    }
    setNumThreads(threads);
    const speedup = median(one.map((t, i) => t / many[i]));
    rows.push({ case: c.name, threads, ms: { many: median(many), one: median(one) }, speedup });
    log(`${c.name}: ${threads} threads ${median(many).toFixed(3)} ms, one thread ${median(one).toFixed(3)} ms`);
  }
  return rows;
}

/** Prints the rows of runThreadRounds. */
export function printThreadRounds(rows, printTable) {
  if (rows.length === 0) return;
  console.log(`\nhelper threads: the same case on ${rows[0].threads} threads and on one, alternating rounds with no peer in between\n`);
  printTable(
    ["case", `${rows[0].threads} threads`, "one thread", "speedup"],
    rows.map((r) => [r.case, r.ms.many.toFixed(3), r.ms.one.toFixed(3), `${r.speedup.toFixed(2)}×`]),
  );
}
