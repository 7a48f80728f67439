// TF.js peer of bench/run.mjs: the training steps on TensorFlow.js's WebAssembly backend
// (float32, its only dtype there), written as a TF.js user writes them (variables, an
// optimizer's minimize). Speaks the same line protocol as the Python peers (serve.py):
// one line about itself, then {"ms": median} per request, {"ms": null} for other cases.
import { createInterface } from "node:readline";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

await tf.setBackend("wasm");
await tf.ready();

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

/** Weights [in, out] from U(−1/√in, 1/√in), biases 0, as variables. */
function parameters(sizes) {
  return sizes.slice(1).map((out, i) => {
    const bound = 1 / Math.sqrt(sizes[i]);
    return { w: tf.variable(tf.randomUniform([sizes[i], out], -bound, bound, "float32", i)), b: tf.variable(tf.zeros([out])) };
  });
}

function forward(x, layers, hidden, last) {
  let a = x;
  layers.forEach(({ w, b }, i) => {
    const z = tf.add(tf.matMul(a, w), b);
    a = i === layers.length - 1 ? last(z) : hidden(z);
  });
  return a;
}

function mlpStep({ sizes, n, activation }) {
  const layers = parameters(sizes);
  const x = tf.randomNormal([n, sizes[0]], 0, 1, "float32", 1);
  const y = tf.cast(tf.greater(tf.randomUniform([n, 1], 0, 1, "float32", 2), 0.5), "float32");
  const hidden = activation === "relu" ? tf.relu : tf.tanh;
  const optimizer = tf.train.sgd(0.01);
  return () => optimizer.minimize(() => tf.losses.logLoss(y, forward(x, layers, hidden, tf.sigmoid)));
}

function softmaxStep() {
  const layers = parameters([784, 256, 128, 10]);
  const x = tf.randomNormal([128, 784], 0, 1, "float32", 1);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, (_, i) => (i * 7) % 10), "int32"), 10);
  const optimizer = tf.train.sgd(0.01);
  return () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, forward(x, layers, tf.relu, (z) => z)));
}

const makers = { mlp: mlpStep, softmax: softmaxStep };
const built = new Map();
const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
console.log(JSON.stringify({ version: `TF.js ${tf.version.tfjs}`, blas: `wasm backend, float32, SIMD ${simd ? "on" : "off"}, ${threads ? "threads" : "one thread"}` }));
for await (const line of createInterface({ input: process.stdin })) {
  const { case: c, repeats, warmup } = JSON.parse(line);
  if (!built.has(c.name)) built.set(c.name, makers[c.kind]?.(c) ?? null);
  const fn = built.get(c.name);
  console.log(JSON.stringify({ ms: fn ? medianMs(fn, repeats, warmup) : null }));
}
