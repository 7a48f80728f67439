// pnpm bench: tapegrad against its peers on the same computations, in one command.
// Peers: numpy written the tutorials' way (seed 000's formulation, weights [in, out]), with
// one BLAS thread and with the default; PyTorch float64 on one thread and on its default
// (every core); TF.js on its
// WebAssembly backend (training steps only). Each peer is a long-lived process answering
// timing requests, so every case alternates rounds of tapegrad and each peer: a slow moment
// of a shared machine then hits both sides of a ratio rather than one. Each side warms up,
// then reports the median of its repeats; a ratio is the median over rounds of
// tapegrad ms / peer ms (below 1 means tapegrad is faster). Results are printed and saved
// to bench/results/latest.json.
//
// Then the training twins (bench/twins/rounds.mjs): the digits convnet and the names MLP and
// GPT trained by tapegrad and by PyTorch (and TF.js for the convnet) from the same weights
// on the same batches, alternating rounds of steps; ms per step, ratios and final losses
// (saved under `twins` in latest.json).
//
// Flags: --quick (fewer repeats and steps), --only TEXT (cases and twins whose name contains
// TEXT; --only twin runs the twins alone), --no-twins (the cases alone), --no-threads (skip
// the helper threads' rounds, bench/threads.mjs), --peers numpy,torch,tfjs (a subset of the
// peers), --no-fma (leave relaxed SIMD off on Node 20).
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";

// Relaxed SIMD (the FMA GEMM) is on by default from Node 22; Node 20 has it behind a flag,
// which V8 still accepts before any WebAssembly is compiled. Set here rather than on the
// command line, where newer Node versions reject flags of features they have shipped.
if (Number(process.versions.node.split(".")[0]) < 22 && !process.argv.includes("--no-fma")) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
const { kernels, Generator, getNumThreads, setNumThreads, wasmGemmAvailable } = await import("../packages/tensor/dist/index.js");
const { Tensor, linearRelu, manualSeed, noGrad } = await import("../packages/autograd/dist/index.js");
const { BCELoss, Conv2d, CrossEntropyLoss, Dense, ReLU, Sequential, Sigmoid, Tanh, optim } = await import("../packages/nn/dist/index.js");

const here = dirname(fileURLToPath(import.meta.url));
const argument = (flag) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? (process.argv[at + 1] ?? "") : undefined;
};
const quick = process.argv.includes("--quick");
const scale = quick ? 0.2 : 1;
const wantedPeers = (argument("--peers") ?? "numpy,torch,tfjs").split(",");
if (wantedPeers.includes("numpy")) wantedPeers.push("numpy-malloc");

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

// ---- tapegrad's side ----------------------------------------------------------------

const generator = new Generator(0);
const randn = (shape) => generator.normalArray(shape);

/** Dense layers whose hidden ones run as linearRelu (one op each): the fused path a custom module can take. */
function fusedModel(sizes) {
  const dense = sizes.slice(1).map((out, i) => new Dense(sizes[i], out));
  return {
    parameters: () => dense.flatMap((d) => d.parameters()),
    forward: (x) => dense.reduce((h, d, i) => (i + 1 < dense.length ? linearRelu(h, d.weight, d.bias) : d.forward(h).sigmoid()), x),
  };
}

function mlpStep({ sizes, n, activation, fused }) {
  manualSeed(0);
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Dense(sizes[i], sizes[i + 1]));
    layers.push(i + 2 < sizes.length ? (activation === "relu" ? new ReLU() : new Tanh()) : new Sigmoid());
  }
  manualSeed(0);
  const model = fused ? fusedModel(sizes) : new Sequential(...layers);
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
  return () => noGrad(() => kernels.matmul(a, b));
}

function elementwiseCase({ op, shape, otherShape }) {
  const x = randn(shape);
  const y = randn(otherShape ?? shape);
  const out = randn(shape);
  const fn = {
    add: () => kernels.add(x, y),
    addOut: () => kernels.add(x, y, out),
    mul: () => kernels.mul(x, y),
    exp: () => kernels.exp(x),
    sum0: () => kernels.sum(x, 0),
    sum1: () => kernels.sum(x, 1),
  }[op];
  return () => noGrad(fn);
}

/** Two convolutions (1→8→16 channels, 3×3, padding 1) on 64 MNIST-sized images, forward and backward. */
function convStep() {
  manualSeed(0);
  const x = new Tensor(randn([64, 1, 28, 28]));
  const conv1 = new Conv2d(1, 8, 3, { padding: 1 });
  const conv2 = new Conv2d(8, 16, 3, { padding: 1 });
  const params = [...conv1.parameters(), ...conv2.parameters()];
  return () => {
    for (const p of params) p.grad = null;
    conv2.forward(conv1.forward(x)).sum().backward();
  };
}

/** Runs `fn` with the GEMM kernel (`gemm: "simd"`) and thread count (`threads: 1`) a case asks for, else as configured. */
function withKernel(c, fn) {
  if (c.gemm === undefined && c.threads === undefined) return fn;
  return () => {
    const previous = c.gemm === undefined ? undefined : kernels.setGemmKernel(c.gemm);
    const threads = getNumThreads();
    if (c.threads !== undefined) setNumThreads(c.threads);
    try {
      fn();
    } finally {
      if (previous !== undefined) kernels.setGemmKernel(previous);
      setNumThreads(threads);
    }
  };
}

const makers = { mlp: mlpStep, softmax: softmaxStep, matmul: matmulCase, elementwise: elementwiseCase, conv: convStep };

const r = (n) => Math.max(3, Math.round(n * scale));
const MOONS = "moons step 2-25-50-50-25-1 @900";
const MLP = "MLP 784-256-128-10 @128 softmax CE";
const MATMUL = "matmul 256x256x256";
const CONV = "conv2d 64×1×28×28 → 8 → 16, 3×3, fwd+bwd";
const kernel = kernels.gemmKernel();
const cases = [
  { name: MOONS, kind: "mlp", sizes: [2, 25, 50, 50, 25, 1], n: 900, activation: "relu", repeats: r(300), warmup: 50 },
  { name: "moons step 2-16-1 @1000 (tanh)", kind: "mlp", sizes: [2, 16, 1], n: 1000, activation: "tanh", repeats: r(300), warmup: 30 },
  { name: "circles step 2-10-5-1 @1000", kind: "mlp", sizes: [2, 10, 5, 1], n: 1000, activation: "relu", repeats: r(300), warmup: 30 },
  { name: MLP, kind: "softmax", repeats: r(100), warmup: 10 },
  // Convolutions: PyTorch is the peer (the numpy tutorials stop before convnets).
  { name: CONV, kind: "conv", repeats: r(40), warmup: 3, peers: ["torch"] },
  { name: "matmul 64x64x64", kind: "matmul", m: 64, k: 64, n: 64, repeats: r(400), warmup: 50 },
  { name: MATMUL, kind: "matmul", m: 256, k: 256, n: 256, repeats: r(60), warmup: 5 },
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
  // Side lines, never the headline: numpy under glibc's default allocator thresholds, which
  // unmap and map its 360 KB arrays again every step; tapegrad with the fused linearRelu op
  // (one graph node per hidden layer); and tapegrad on the kernel without FMA.
  { name: `${MOONS}, numpy with glibc's default malloc`, kind: "mlp", sizes: [2, 25, 50, 50, 25, 1], n: 900, activation: "relu", repeats: r(200), warmup: 30, peers: ["numpy-malloc"] },
  { name: `${MOONS}, tapegrad with linearRelu layers`, kind: "mlp", sizes: [2, 25, 50, 50, 25, 1], n: 900, activation: "relu", fused: true, repeats: r(200), warmup: 30, peers: ["numpy"] },
  // tapegrad splits large products across its threads (setNumThreads), as the default
  // peers do; these lines hold tapegrad to one thread, beside the one-thread peers.
  ...(getNumThreads() > 1
    ? [
        { name: `${MLP}, tapegrad on one thread`, kind: "softmax", threads: 1, repeats: r(60), warmup: 10, peers: ["numpy", "torch"] },
        { name: `${MATMUL}, tapegrad on one thread`, kind: "matmul", m: 256, k: 256, n: 256, threads: 1, repeats: r(60), warmup: 5, peers: ["numpy", "torch"] },
      ]
    : []),
  // Where the native kernels run, what tapegrad does without them (browsers, other CPUs):
  // the WebAssembly FMA build, the same bits.
  ...(kernel === "native" && wasmGemmAvailable("fma")
    ? [
        { name: `${MOONS}, tapegrad on WebAssembly`, kind: "mlp", sizes: [2, 25, 50, 50, 25, 1], n: 900, activation: "relu", gemm: "fma", repeats: r(200), warmup: 30, peers: ["numpy", "torch"] },
        { name: `${MLP}, tapegrad on WebAssembly`, kind: "softmax", gemm: "fma", repeats: r(60), warmup: 10, peers: ["numpy", "torch"] },
      ]
    : []),
  ...(kernel === "fma"
    ? [{ name: `${MOONS}, tapegrad without FMA`, kind: "mlp", sizes: [2, 25, 50, 50, 25, 1], n: 900, activation: "relu", gemm: "simd", repeats: r(200), warmup: 30, peers: ["numpy"] }]
    : []),
];

const only = argument("--only");
if (only !== undefined) cases.splice(0, cases.length, ...cases.filter((c) => c.name.includes(only)));

// ---- the peers ----------------------------------------------------------------------

/** The first Python that imports `module`, or null. Debian's python3-torch lives in /usr/bin/python3, not always the python3 on PATH. */
function findPython(module) {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(candidate, ["-c", `import ${module}`], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  return null;
}

// The OpenBLAS overrides some machines set (they pin an older, slower kernel) are removed
// for every peer; one-thread peers get every thread count set to 1, the default peer none.
const baseEnv = { ...process.env };
for (const name of ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]) delete baseEnv[name];
const oneThread = { ...baseEnv, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
// With glibc's default thresholds, numpy's step frees its 360 KB arrays back to the system
// and faults fresh pages in every step, doubling its time here (2.9 against 1.25 ms on the
// moons step); raising them is what a long-running numpy process behaves like, so the
// numpy peers run with them raised and the default shows on a side line.
const steadyMalloc = { MALLOC_MMAP_THRESHOLD_: "1000000000", MALLOC_TRIM_THRESHOLD_: "1000000000" };

const numpyPython = wantedPeers.includes("numpy") ? findPython("numpy") : null;
const torchPython = wantedPeers.includes("torch") ? findPython("torch") : null;
const peerSpecs = [
  { key: "numpy1", family: "numpy", label: "numpy·1", command: numpyPython, args: [join(here, "peers", "numpy_peer.py")], env: { ...oneThread, ...steadyMalloc }, missing: "no python3 with numpy (tried python3, /usr/bin/python3)" },
  // OpenBLAS's worker threads spin for a while after each call (about 0.1 s): settleMs lets
  // them go to sleep before anyone else is timed, or they would steal the other side's core.
  { key: "numpyN", family: "numpy", label: "numpy·N", command: numpyPython, args: [join(here, "peers", "numpy_peer.py")], env: { ...baseEnv, ...steadyMalloc }, settleMs: 300, missing: "no python3 with numpy" },
  { key: "numpyMalloc", family: "numpy-malloc", label: "numpy·1, default malloc", command: numpyPython, args: [join(here, "peers", "numpy_peer.py")], env: oneThread, sideLineOnly: true, missing: "no python3 with numpy" },
  { key: "torch", family: "torch", label: "PyTorch·1", command: torchPython, args: [join(here, "peers", "torch_peer.py")], env: oneThread, missing: "no python3 with torch (tried python3, /usr/bin/python3; Debian: apt-get install python3-torch)" },
  // PyTorch as it runs by default, on every core, now that tapegrad splits products across
  // its helper threads too; its OpenMP threads spin after each call, so it settles as well.
  { key: "torchN", family: "torch", label: "PyTorch·N", command: torchPython, args: [join(here, "peers", "torch_peer.py")], env: { ...baseEnv, PEER_THREADS: "default" }, settleMs: 300, missing: "no python3 with torch" },
  { key: "tfjs", family: "tfjs", label: "TF.js", command: process.execPath, args: [join(here, "peers", "tfjs_peer.mjs")], env: baseEnv, missing: "" },
].filter((p) => wantedPeers.includes(p.family));

/** Starts a peer process; resolves to { about, ask } or { error }. */
async function startPeer(spec) {
  if (spec.command === null) return { error: spec.missing };
  const child = spawn(spec.command, spec.args, { env: spec.env, stdio: ["pipe", "pipe", "pipe"] });
  const pending = [];
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("{")) pending.shift()?.resolve(JSON.parse(line));
  });
  const failed = new Promise((_, reject) => {
    child.on("error", reject);
    child.on("exit", () => reject(new Error(stderr.trim().split("\n").pop() || `${spec.label} exited`)));
  });
  failed.catch(() => {});
  const ask = (message) => {
    const answer = new Promise((resolve) => {
      pending.push({ resolve });
      if (message !== null) child.stdin.write(`${JSON.stringify(message)}\n`);
    });
    return Promise.race([answer, failed]);
  };
  try {
    const about = await ask(null);
    return { about, ask, close: () => child.stdin.end() };
  } catch (error) {
    return { error: error.message };
  }
}

const peers = [];
for (const spec of cases.length > 0 ? peerSpecs : []) {
  const started = await startPeer(spec);
  if (started.error) process.stderr.write(`${spec.label}: unavailable (${started.error}); its columns stay empty\n`);
  peers.push({ ...spec, ...started });
}
const live = peers.filter((p) => !p.error);

// ---- rounds -------------------------------------------------------------------------

const median = (xs) => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);
const rounds = quick ? 3 : 5;
const results = [];
for (const c of cases) {
  const fn = withKernel(c, makers[c.kind](c));
  const per = Math.max(3, Math.round(c.repeats / rounds));
  const times = { tapegrad: [] };
  const asked = live.filter((p) => (c.peers === undefined ? !p.sideLineOnly : c.peers.includes(p.family)));
  for (const p of asked) times[p.key] = [];
  for (let round = 0; round < rounds; round++) {
    const warmup = round === 0 ? c.warmup : 2;
    times.tapegrad.push(medianMs(fn, per, warmup));
    // tapegrad's helpers spin for a few milliseconds after their last product.
    if (getNumThreads() > 1) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const p of asked) {
      const { ms } = await p.ask({ case: c, repeats: per, warmup });
      if (ms !== null) times[p.key].push(ms);
      if (p.settleMs) await new Promise((resolve) => setTimeout(resolve, p.settleMs));
    }
  }
  for (const key of Object.keys(times)) if (times[key].length === 0) delete times[key];
  results.push({ c, times });
  const said = Object.entries(times).map(([key, ts]) => `${key} ${median(ts).toFixed(3)}`);
  process.stderr.write(`${c.name}: ${said.join(", ")} ms\n`);
}
for (const p of live) p.close();

// The helper threads' gain on the cases large enough to split, without peers in between.
const { printThreadRounds, runThreadRounds } = await import("./threads.mjs");
const threadRows = process.argv.includes("--no-threads")
  ? []
  : runThreadRounds({
      cases: cases.filter((c) => (c.name === MLP || c.name === MATMUL || c.name === "matmul 512x512x512") && c.threads === undefined),
      makeStep: (c) => makers[c.kind](c),
      medianMs,
      getNumThreads,
      setNumThreads,
      rounds,
      log: (line) => process.stderr.write(`${line}\n`),
    });

// The training twins, after the cases (their peers are processes of their own).
const twins = process.argv.includes("--no-twins")
  ? { rows: [], peers: [] }
  : await (await import("./twins/rounds.mjs")).runTwins({
      only,
      quick,
      wantedPeers,
      torchPython,
      torchEnv: oneThread,
      torchEnvDefault: baseEnv,
      startPeer,
      log: (line) => process.stderr.write(`${line}\n`),
    });

// Ratios per round, then their median. numpy's and PyTorch's time in a round is the
// faster of each one's two thread settings; "peer/tapegrad" ratios say how many times faster tapegrad is.
function perRound(times, peerTime, invert = false) {
  const mine = times.tapegrad;
  const ratios = [];
  for (let i = 0; i < mine.length; i++) {
    const theirs = peerTime(i);
    if (theirs !== undefined && theirs !== null) ratios.push(invert ? theirs / mine[i] : mine[i] / theirs);
  }
  return median(ratios);
}
/** The fastest of the `keys` peers' times in round i (a peer's thread settings), or undefined. */
const fastest = (times, keys) => (i) => {
  const options = keys.map((key) => times[key]?.[i]).filter((t) => t !== undefined);
  return options.length ? Math.min(...options) : undefined;
};
const numpyAt = (times) => fastest(times, ["numpy1", "numpyN", "numpyMalloc"]);

const rows = results.map(({ c, times }) => {
  const flops = c.kind === "matmul" ? 2 * c.m * c.k * c.n : null;
  const ms = Object.fromEntries(Object.entries(times).map(([key, ts]) => [key, median(ts)]));
  return {
    case: c.name,
    ms,
    rounds: times,
    vsNumpy: perRound(times, numpyAt(times)),
    vsTorch: times.torch || times.torchN ? perRound(times, fastest(times, ["torch", "torchN"])) : null,
    vsTfjs: times.tfjs ? perRound(times, (i) => times.tfjs[i]) : null,
    gflops: flops ? Object.fromEntries(Object.entries(ms).map(([key, t]) => [key, flops / (t * 1e6)])) : null,
  };
});

// ---- report -------------------------------------------------------------------------

const fmt = (v, d = 3) => (v === null || v === undefined ? "—" : v.toFixed(d));
function printTable(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of body) console.log(line(row));
}

if (rows.length) {
  console.log("\nms per call (median of each side's per-round medians); ratio = tapegrad/peer, lower is better\n");
  printTable(
    ["case", "tapegrad", "numpy·1", "numpy·N", "÷numpy", "PyTorch·1", "PyTorch·N", "÷torch", "TF.js", "÷TF.js"],
    rows.map((row) => [row.case, fmt(row.ms.tapegrad), fmt(row.ms.numpy1 ?? row.ms.numpyMalloc), fmt(row.ms.numpyN), fmt(row.vsNumpy, 2), fmt(row.ms.torch), fmt(row.ms.torchN), fmt(row.vsTorch, 2), fmt(row.ms.tfjs), fmt(row.vsTfjs, 2)]),
  );
}
const matmuls = rows.filter((row) => row.gflops);
if (matmuls.length) {
  console.log("\nGFLOP/s of the matrix products\n");
  printTable(
    ["case", "tapegrad", "numpy·1", "numpy·N", "PyTorch·1", "PyTorch·N", "tapegrad/numpy·1"],
    matmuls.map((row) => [row.case, fmt(row.gflops.tapegrad, 1), fmt(row.gflops.numpy1, 1), fmt(row.gflops.numpyN, 1), fmt(row.gflops.torch, 1), fmt(row.gflops.torchN, 1), fmt(row.rounds.numpy1 ? perRound(row.rounds, (i) => row.rounds.numpy1[i], true) : null, 2)]),
  );
}

const find = (name) => rows.find((row) => row.case === name);
const targets = [];
const moons = find(MOONS);
const mlp = find(MLP);
const matmul = find(MATMUL);
const verdict = (v, ok) => (v === null || v === undefined ? "not measured" : `${v.toFixed(2)}× ${ok(v) ? "(met)" : "(missed)"}`);
if (moons) {
  targets.push([`${MOONS}: tapegrad/numpy (target ≤ 1.5×)`, verdict(moons.vsNumpy, (v) => v <= 1.5)]);
  targets.push([`${MOONS}: tapegrad/PyTorch (target ≤ 1.3×)`, verdict(moons.vsTorch, (v) => v <= 1.3)]);
  targets.push([`${MOONS}: TF.js/tapegrad (target ≥ 3×)`, verdict(moons.rounds.tfjs ? perRound(moons.rounds, (i) => moons.rounds.tfjs[i], true) : null, (v) => v >= 3)]);
}
if (mlp) targets.push([`${MLP}: tapegrad/numpy (target ≤ 1.5×)`, verdict(mlp.vsNumpy, (v) => v <= 1.5)]);
if (matmul) {
  const gflopsRatio = matmul.rounds.numpy1 ? perRound(matmul.rounds, (i) => matmul.rounds.numpy1[i], true) : null;
  targets.push([`${MATMUL}: GFLOP/s, tapegrad/numpy one thread (target ≥ 0.5×)`, verdict(gflopsRatio, (v) => v >= 0.5)]);
}
if (targets.length) {
  console.log("\ntargets (issue #16), each the median over rounds of per-round ratios\n");
  const width = Math.max(...targets.map(([t]) => t.length));
  for (const [t, v] of targets) console.log(`${t.padEnd(width)}  ${v}`);
}

printThreadRounds(threadRows, printTable);
if (twins.rows.length) (await import("./twins/rounds.mjs")).printTwins(twins.rows, printTable);

const kernelNames = { native: "native (N-API addon: AVX-512 or AVX2 fused multiply-adds, pthreads)", fma: "WebAssembly relaxed SIMD with fused multiply-add", simd: "WebAssembly SIMD (no FMA: relaxed SIMD unavailable; Node 20 needs --experimental-wasm-relaxed-simd)", scalar: "scalar JavaScript (no WebAssembly SIMD)" };
const splitRule = kernel === "native" ? "products of 2M multiply-adds and more" : "products of 8M multiply-adds and more (from 512K while a helper is awake)";
console.log(`\ntapegrad: node ${process.version}, GEMM kernel ${kernelNames[kernel] ?? kernel}, ${getNumThreads()} thread(s) for ${splitRule}${quick ? ", quick mode" : ""}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}; ${rounds} alternating rounds per case`);
for (const p of peers) console.log(`${p.label}: ${p.error ? `unavailable (${p.error})` : `${p.about.version} via ${p.command === process.execPath ? "node" : p.command}; ${p.about.blas}`}`);
for (const p of twins.peers) console.log(`twins' ${p.peer}: ${p.error ? `unavailable (${p.error})` : `${p.version}; ${p.blas}`}`);

mkdirSync(join(here, "results"), { recursive: true });
const file = join(here, "results", "latest.json");
const peerInfo = peers.map((p) => ({ peer: p.label, ...(p.error ? { error: p.error } : p.about) }));
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, gemmKernel: kernel, cpu: cpus()[0]?.model, peers: peerInfo, rows, targets, threads: threadRows, twins }, null, 2));
console.log(`saved ${file}`);
