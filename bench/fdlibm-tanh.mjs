// tanh and expm1 without the call into C: ns per element on 2¹⁸ values written into an existing
// array (so first-touch of a fresh result is not timed), by plain loops over Math.tanh and
// kernels.tanhScalar (and Math.expm1 and kernels.expm1Scalar), and by the kernels that compute
// with tanhScalar. With --against <tree> (a checkout whose packages are built, e.g. one without
// tanhScalar), each kernel also runs from that tree's build. Rounds alternate in one process
// and each figure is the median of its rounds; "ratio" is the median of the per-round ratios.
// With --detached, an ArrayBuffer is detached first, as in any process where the GEMM kernel's
// WebAssembly memory has grown (training, typically): from then on V8 checks on every
// typed-array read that its buffer is still attached.
//
//   node bench/fdlibm-tanh.mjs [--against /path/to/other/tree] [--rounds 30] [--detached]
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

const N = 1 << 18;
const normal = (next) => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const random = new ours.Generator(7);
const next = () => random.random();
const inputs = {
  "normal (activations)": Float64Array.from({ length: N }, () => normal(next)),
  "uniform in [−5, 5]": Float64Array.from({ length: N }, () => -5 + 10 * next()),
  "uniform in [0, 0.17] (one branch of C's)": Float64Array.from({ length: N }, () => 0.17 * next()),
};

const { tanhScalar, expm1Scalar } = ours.kernels;
function mathTanhLoop(out, values) {
  for (let i = 0; i < values.length; i++) out[i] = Math.tanh(values[i]);
}
function tanhScalarLoop(out, values) {
  for (let i = 0; i < values.length; i++) out[i] = tanhScalar(values[i]);
}
function mathExpm1Loop(out, values) {
  for (let i = 0; i < values.length; i++) out[i] = Math.expm1(values[i]);
}
function expm1ScalarLoop(out, values) {
  for (let i = 0; i < values.length; i++) out[i] = expm1Scalar(values[i]);
}

/** The kernel cases of one build, on copies of `values`. */
function kernelCases(T, values) {
  const x = new T.NDArray(values.slice(), [N]);
  const out = new T.NDArray(new Float64Array(N), [N]);
  const g = new T.NDArray(Float64Array.from(values, (_, i) => (i % 7) - 3), [N]);
  return {
    "tanh kernel (out=)": () => T.kernels.tanh(x, out),
    "GELU backward (tanh)": () => T.kernels.geluBackward(g, x, "tanh", out),
  };
}

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
for (const [name, values] of Object.entries(inputs)) {
  const out = new Float64Array(N);
  const cases = {
    "Math.tanh loop": { ours: () => mathTanhLoop(out, values) },
    "tanhScalar loop": { ours: () => tanhScalarLoop(out, values) },
    "Math.expm1 loop": { ours: () => mathExpm1Loop(out, values) },
    "expm1Scalar loop": { ours: () => expm1ScalarLoop(out, values) },
  };
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
