// What bench/fdlibm-exp.mjs and bench/fdlibm-tanh.mjs share: their flags, the two builds
// they load, and the rounds that time plain loops and kernels on 2¹⁸ values written into an
// existing array (so first-touch of a fresh result is not timed). Rounds alternate in one
// process and each figure is the median of its rounds; "ratio" is the median of the
// per-round ratios.
//
// Flags: --against <tree> (a checkout whose packages are built: each kernel also runs from
// that tree's build), --rounds N (default 30), --detached (detach an ArrayBuffer first, as
// in any process where one has been: from then on V8 checks on every typed-array read that
// its buffer is still attached).
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Values per case. */
export const N = 1 << 18;

/** A standard normal draw from two uniform draws of `next` (Box–Muller). */
export const normal = (next) => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());

/**
 * Reads the flags and loads this tree's tensor package (`ours`) and, with --against, the
 * other tree's (`theirs`); exits with code 1 and a message on a bad flag or a tree that
 * does not load.
 */
export async function setUp() {
  const argument = (flag) => {
    const at = process.argv.indexOf(flag);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const rounds = Number(argument("--rounds") ?? 30);
  if (!Number.isInteger(rounds) || rounds < 4) {
    console.error(`--rounds must be an integer of at least 4, got ${argument("--rounds")}`);
    process.exit(1);
  }
  const against = argument("--against");
  if (process.argv.includes("--against") && !against) {
    console.error("--against needs the path of another tree whose packages are built");
    process.exit(1);
  }
  if (process.argv.includes("--detached")) {
    const buffer = new ArrayBuffer(8);
    structuredClone(buffer, { transfer: [buffer] });
  }
  const ours = await import(join(here, "../packages/tensor/dist/index.js"));
  let theirs;
  if (against) {
    try {
      theirs = await import(join(against, "packages/tensor/dist/index.js"));
    } catch (error) {
      console.error(`--against ${against}: cannot load packages/tensor/dist/index.js there (${error.message}); build that tree first`);
      process.exit(1);
    }
  }
  return { rounds, ours, theirs };
}

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];

/**
 * For each named input: times `loops(out, values)` (name → plain loop writing into out)
 * on our build, and `kernelCases(build, values)` (name → kernel call) on ours and, when
 * given, theirs; prints ns per element and the ratios.
 */
export function runRounds({ rounds, ours, theirs, inputs, loops, kernelCases }) {
  for (const [name, values] of Object.entries(inputs)) {
    const out = new Float64Array(N);
    const cases = {};
    for (const [key, loop] of Object.entries(loops)) cases[key] = { ours: () => loop(out, values) };
    const mine = kernelCases(ours, values);
    const other = theirs ? kernelCases(theirs, values) : {};
    for (const key of Object.keys(mine)) cases[key] = theirs ? { ours: mine[key], theirs: other[key] } : { ours: mine[key] };
    const times = {};
    for (let round = 0; round < rounds; round++) {
      for (const [key, sides] of Object.entries(cases)) {
        const order = round % 2 ? Object.keys(sides) : Object.keys(sides).reverse();
        for (const side of order) {
          const start = process.hrtime.bigint();
          sides[side]();
          const ns = Number(process.hrtime.bigint() - start) / N;
          if (round >= 3) ((times[key] ??= {})[side] ??= []).push(ns);
        }
      }
    }
    console.log(`\n${name}, ${N} values, ns per element (median of ${rounds - 3} rounds)`);
    for (const [key, sides] of Object.entries(times)) {
      const line = `  ${key.padEnd(24)} ${median(sides.ours).toFixed(2).padStart(6)}`;
      if (!sides.theirs) console.log(line);
      else console.log(`${line}   against ${median(sides.theirs).toFixed(2).padStart(6)}   ratio ${median(sides.ours.map((t, i) => t / sides.theirs[i])).toFixed(2)}`);
    }
  }
}
