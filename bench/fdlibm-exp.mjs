// exp without the call into C: ns per element of eˣ on 2¹⁸ values written into an existing
// array (so first-touch of a fresh result is not timed), by a plain loop over Math.exp, a
// plain loop over kernels.expScalar and the exp kernel; and the kernels that compute with
// expScalar. With --against <tree> (a checkout whose packages are built, e.g. one without
// expScalar), each kernel also runs from that tree's build. Rounds alternate in one process
// and each figure is the median of its rounds; "ratio" is the median of the per-round ratios.
//
//   node bench/fdlibm-exp.mjs [--against /path/to/other/tree] [--rounds 30]
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
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

const N = 1 << 18;
const normal = (next) => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const random = new ours.Generator(7);
const next = () => random.random();
const inputs = {
  "uniform in [−10, 10]": Float64Array.from({ length: N }, () => -10 + 20 * next()),
  "−x²/2, x normal (GELU's density)": Float64Array.from({ length: N }, () => -0.5 * normal(next) ** 2),
};

const expScalar = ours.kernels.expScalar;
function mathExpLoop(out, values) {
  for (let i = 0; i < values.length; i++) out[i] = Math.exp(values[i]);
}
function expScalarLoop(out, values) {
  for (let i = 0; i < values.length; i++) out[i] = expScalar(values[i]);
}

/** The kernel cases of one build, on copies of `values`. */
function kernelCases(T, values) {
  const x = new T.NDArray(values.slice(), [N]);
  const out = new T.NDArray(new Float64Array(N), [N]);
  const g = new T.NDArray(Float64Array.from(values, (_, i) => (i % 7) - 3), [N]);
  const rows = new T.NDArray(values.slice(), [N / 64, 64]);
  const cdf = new T.NDArray(new Float64Array(N), [N]);
  T.kernels.gelu(x, "none", cdf);
  return {
    "exp kernel (out=)": () => T.kernels.exp(x, out),
    "sigmoid (out=)": () => T.kernels.sigmoid(x, out),
    "softmax, rows of 64": () => T.kernels.softmax(rows, 1),
    "logsumexp, rows of 64": () => T.kernels.logsumexp(rows, 1),
    "GELU backward, Φ kept": () => T.kernels.geluBackward(g, x, "none", undefined, cdf),
    "SiLU backward": () => T.kernels.siluBackward(g, x),
  };
}

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
for (const [name, values] of Object.entries(inputs)) {
  const out = new Float64Array(N);
  const cases = { "Math.exp loop": { ours: () => mathExpLoop(out, values) }, "expScalar loop": { ours: () => expScalarLoop(out, values) } };
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
