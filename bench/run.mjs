// pnpm bench: tapegrad against numpy on the same computations, in one command.
// Each side warms up, then reports the median of many repeats; ratios are tapegrad/numpy
// (below 1 means tapegrad is faster). Results are printed and saved to bench/results/.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NDArray, kernels, Generator } from "../packages/tensor/dist/index.js";
import { Tensor, manualSeed, noGrad } from "../packages/autograd/dist/index.js";
import { BCELoss, CrossEntropyLoss, Dense, ReLU, Sequential, Sigmoid, Tanh, optim } from "../packages/nn/dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const scale = quick ? 0.2 : 1;

function medianMs(fn, repeats, warmup) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const generator = new Generator(0);
const randn = (shape) => generator.normalArray(shape);

function mlpStep({ sizes, n, activation }) {
  manualSeed(0);
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Dense(sizes[i], sizes[i + 1]));
    layers.push(i + 2 < sizes.length ? (activation === "relu" ? new ReLU() : new Tanh()) : new Sigmoid());
  }
  const model = new Sequential(...layers);
  const X = new Tensor(randn([n, sizes[0]]));
  const Y = new Tensor(kernels.gt(generator.uniform([n, 1]), kernels.scalar(0.5)));
  const lossFn = new BCELoss();
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  return () => {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(X), Y);
    loss.backward();
    opt.step();
  };
}

function softmaxStep() {
  manualSeed(0);
  const model = new Sequential(new Dense(784, 256), new ReLU(), new Dense(256, 128), new ReLU(), new Dense(128, 10));
  const X = new Tensor(randn([128, 784]));
  const labels = Array.from({ length: 128 }, (_, i) => (i * 7) % 10);
  const lossFn = new CrossEntropyLoss();
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  return () => {
    opt.zeroGrad();
    lossFn.forward(model.forward(X), labels).backward();
    opt.step();
  };
}

function matmulCase({ m, k, n, transposeA, transposeB }) {
  const a = transposeA ? randn([k, m]).transpose(0, 1) : randn([m, k]);
  const b = transposeB ? randn([n, k]).transpose(0, 1) : randn([k, n]);
  return () => kernels.matmul(a, b);
}

function elementwiseCase({ op, shape, otherShape }) {
  const x = randn(shape);
  const y = randn(otherShape ?? shape);
  const out = randn(shape);
  return {
    add: () => kernels.add(x, y),
    addOut: () => kernels.add(x, y, out),
    mul: () => kernels.mul(x, y),
    exp: () => kernels.exp(x),
    sum0: () => kernels.sum(x, 0),
    sum1: () => kernels.sum(x, 1),
  }[op];
}

const r = (n) => Math.max(3, Math.round(n * scale));
const cases = [
  { name: "moons step 2-25-50-50-25-1 @900", kind: "mlp", sizes: [2, 25, 50, 50, 25, 1], n: 900, activation: "relu", repeats: r(200), warmup: 30 },
  { name: "moons step 2-16-1 @1000 (tanh)", kind: "mlp", sizes: [2, 16, 1], n: 1000, activation: "tanh", repeats: r(300), warmup: 30 },
  { name: "circles step 2-10-5-1 @1000", kind: "mlp", sizes: [2, 10, 5, 1], n: 1000, activation: "relu", repeats: r(300), warmup: 30 },
  { name: "MLP 784-256-128-10 @128 softmax CE", kind: "softmax", repeats: r(60), warmup: 10 },
  { name: "matmul 64x64x64", kind: "matmul", m: 64, k: 64, n: 64, repeats: r(400), warmup: 50 },
  { name: "matmul 256x256x256", kind: "matmul", m: 256, k: 256, n: 256, repeats: r(40), warmup: 5 },
  { name: "matmul 512x512x512", kind: "matmul", m: 512, k: 512, n: 512, repeats: r(10), warmup: 2 },
  { name: "matmul 900x50 @ 50x50", kind: "matmul", m: 900, k: 50, n: 50, repeats: r(300), warmup: 30 },
  { name: "matmul 256² with Aᵀ", kind: "matmul", m: 256, k: 256, n: 256, transposeA: true, repeats: r(40), warmup: 5 },
  { name: "matmul 900x50 @ (50x50)ᵀ", kind: "matmul", m: 900, k: 50, n: 50, transposeB: true, repeats: r(300), warmup: 30 },
  { name: "add 1e6", kind: "elementwise", op: "add", shape: [1000, 1000], repeats: r(50), warmup: 5 },
  { name: "mul 1e6", kind: "elementwise", op: "mul", shape: [1000, 1000], repeats: r(50), warmup: 5 },
  { name: "exp 1e6", kind: "elementwise", op: "exp", shape: [1000, 1000], repeats: r(50), warmup: 5 },
  { name: "add 1e6 into an existing array (out=)", kind: "elementwise", op: "addOut", shape: [1000, 1000], repeats: r(50), warmup: 5 },
  { name: "broadcast add [1000,1000]+[1000]", kind: "elementwise", op: "add", shape: [1000, 1000], otherShape: [1000], repeats: r(50), warmup: 5 },
  { name: "sum over axis 0 of [1000,1000]", kind: "elementwise", op: "sum0", shape: [1000, 1000], repeats: r(50), warmup: 5 },
  { name: "sum over axis 1 of [1000,1000]", kind: "elementwise", op: "sum1", shape: [1000, 1000], repeats: r(50), warmup: 5 },
];

// --only TEXT keeps the cases whose name contains TEXT, for quick comparisons.
const onlyAt = process.argv.indexOf("--only");
if (onlyAt >= 0) cases.splice(0, cases.length, ...cases.filter((c) => c.name.includes(process.argv[onlyAt + 1] ?? "")));

const makers = { mlp: mlpStep, softmax: softmaxStep, matmul: matmulCase, elementwise: elementwiseCase };

function noGradIf(c, fn) {
  return c.kind === "matmul" || c.kind === "elementwise" ? () => noGrad(fn) : fn;
}

// numpy, single-threaded, with the OpenBLAS overrides of this machine removed for this
// command alone (they pin an older, slower kernel). One long-lived process answers timing
// requests, so each case alternates rounds of tapegrad and numpy: a slow moment of this
// shared machine then hits both sides of a ratio rather than one.
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
delete env.OPENBLAS_CORETYPE;
delete env.OPENBLAS_L2_SIZE;
const peer = spawn("python3", [join(here, "numpy_reference.py")], { env, stdio: ["pipe", "pipe", "pipe"] });
const answers = createInterface({ input: peer.stdout });
const pending = [];
answers.on("line", (line) => pending.shift()?.resolve(JSON.parse(line)));
let peerError = "";
peer.stderr.on("data", (d) => (peerError += d));
const ask = (message) =>
  new Promise((resolve, reject) => {
    pending.push({ resolve });
    if (message !== null) peer.stdin.write(`${JSON.stringify(message)}\n`);
    setTimeout(() => reject(new Error("numpy reference did not answer")), 120_000).unref();
  });
let numpy = null;
try {
  numpy = await Promise.race([
    ask(null),
    new Promise((_, reject) => peer.on("error", reject).on("exit", () => reject(new Error(peerError.trim().split("\n").pop() || "python3 exited")))),
  ]);
} catch (error) {
  process.stderr.write(`numpy reference unavailable (${error.message}); reporting tapegrad only\n`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounds = quick ? 3 : 5;
const ours = {};
const theirs = {};
const ratios = {};
for (const c of cases) {
  const fn = noGradIf(c, makers[c.kind](c));
  const per = Math.max(3, Math.round(c.repeats / rounds));
  const mine = [];
  const peerTimes = [];
  for (let r = 0; r < rounds; r++) {
    mine.push(medianMs(fn, per, r === 0 ? c.warmup : 2));
    if (numpy) peerTimes.push((await ask({ case: c, repeats: per, warmup: r === 0 ? c.warmup : 2 })).ms);
  }
  ours[c.name] = median(mine);
  if (numpy) {
    theirs[c.name] = median(peerTimes);
    ratios[c.name] = median(mine.map((t, i) => t / peerTimes[i]));
  }
  process.stderr.write(`${c.name}: tapegrad ${ours[c.name].toFixed(3)} ms${numpy ? `, numpy ${theirs[c.name].toFixed(3)} ms` : ""}\n`);
}
peer.stdin.end();

const rows = cases.map((c) => {
  const t = ours[c.name];
  const n = theirs[c.name];
  const flops = c.kind === "matmul" ? 2 * c.m * c.k * c.n : null;
  return {
    case: c.name,
    tapegradMs: t,
    numpyMs: n ?? null,
    ratio: ratios[c.name] ?? null,
    tapegradGflops: flops ? flops / (t * 1e6) : null,
    numpyGflops: flops && n ? flops / (n * 1e6) : null,
  };
});

const fmt = (v, d = 3) => (v === null || v === undefined ? "—" : v.toFixed(d));
const header = ["case", "tapegrad ms", "numpy ms", "ratio", "tapegrad GFLOP/s", "numpy GFLOP/s"];
const table = rows.map((r) => [r.case, fmt(r.tapegradMs), fmt(r.numpyMs), fmt(r.ratio, 2), fmt(r.tapegradGflops, 2), fmt(r.numpyGflops, 2)]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of table) console.log(line(row));
console.log(`\nratio = median over ${rounds} alternating rounds of tapegrad ms / numpy ms (lower is better); numpy ${numpy?.numpy ?? "absent"} (${numpy?.blas ?? ""}), node ${process.version}${quick ? ", quick mode" : ""}`);

mkdirSync(join(here, "results"), { recursive: true });
const file = join(here, "results", "latest.json");
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, numpy: numpy?.numpy ?? null, blas: numpy?.blas ?? null, rows }, null, 2));
console.log(`saved ${file}`);
