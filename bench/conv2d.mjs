// Conv2d speed against PyTorch: two convolutions (1→8→16 channels, 3×3, padding 1) on a
// batch of 64 MNIST-sized images (28×28), forward and backward (weights and biases), in
// float64. The PyTorch peer (bench/conv2d_reference.py, one thread) runs the same step.
// The machine is shared and noisy, so the two sides are timed in alternating rounds, each
// the median of several steps, and each round's ratio is tapegrad/PyTorch: the median of
// those ratios is the number to quote. Needs `pnpm build` first (it imports dist/).
//
//   node bench/conv2d.mjs [--rounds 7] [--repeats 10] [--python /usr/bin/python3]
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tensor, manualSeed, randn } from "../packages/autograd/dist/index.js";
import { Conv2d } from "../packages/nn/dist/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const argument = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const rounds = Number(argument("rounds", 7));
const repeats = Number(argument("repeats", 10));
const python = argument("python", "/usr/bin/python3");

manualSeed(0);
const x = randn([64, 1, 28, 28]);
const conv1 = new Conv2d(1, 8, 3, { padding: 1 });
const conv2 = new Conv2d(8, 16, 3, { padding: 1 });
const params = [...conv1.parameters(), ...conv2.parameters()];

function step() {
  for (const p of params) p.grad = null;
  const y = conv2.forward(conv1.forward(x));
  y.sum().backward();
}

function medianMs(count) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    step();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const peer = spawn(python, [join(here, "conv2d_reference.py")], { stdio: ["pipe", "pipe", "inherit"] });
const lines = createInterface({ input: peer.stdout })[Symbol.asyncIterator]();
const answer = async () => {
  const { value, done } = await lines.next();
  if (done) throw new Error("conv2d_reference.py exited early (is torch installed for that python?)");
  return JSON.parse(value);
};

const hello = await answer();
for (let i = 0; i < 3; i++) step();
const rows = [];
for (let r = 0; r < rounds; r++) {
  const ours = medianMs(repeats);
  peer.stdin.write(`${JSON.stringify({ repeats })}\n`);
  const theirs = (await answer()).ms;
  rows.push({ round: r + 1, tapegradMs: ours, torchMs: theirs, ratio: ours / theirs });
}
peer.stdin.end();

console.log(`conv2d forward+backward, 64×1×28×28 → 8 → 16 channels, 3×3, padding 1, float64 (torch ${hello.torch}, ${hello.threads} thread)`);
console.log("| round | tapegrad ms | PyTorch ms | ratio |");
console.log("| ---: | ---: | ---: | ---: |");
for (const row of rows) console.log(`| ${row.round} | ${row.tapegradMs.toFixed(2)} | ${row.torchMs.toFixed(2)} | ${row.ratio.toFixed(2)} |`);
const summary = { tapegradMs: median(rows.map((r) => r.tapegradMs)), torchMs: median(rows.map((r) => r.torchMs)), ratio: median(rows.map((r) => r.ratio)) };
console.log(`median: tapegrad ${summary.tapegradMs.toFixed(2)} ms, PyTorch ${summary.torchMs.toFixed(2)} ms, ratio ${summary.ratio.toFixed(2)}`);
console.log(JSON.stringify({ conv2d: summary }));
