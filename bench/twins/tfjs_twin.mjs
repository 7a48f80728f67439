// TF.js side of the digits training twin (bench/twins/rounds.mjs), on the WebAssembly
// backend in float32, its ordinary configuration: the cnn preset's network as a TF.js user
// writes it (NHWC images, conv filters [h, w, in, out], dense kernels [in, out]), the same
// initial weights rearranged into those layouts, the same batches, and PyTorch's Adam and
// OneCycleLR written out (TF.js has no one-cycle schedule, and tf.train.adam corrects its
// bias by the product of past β₁s, not by β₁ᵗ of the current one, which the cycled β₁ makes
// differ). Line protocol as torch_twins.py; other twins get {"ms": null}.
// Where its time goes (measured alone, batch 32): the backend's own Conv2DBackpropInput
// (conv2's input gradient, ~6 ms) and MaxPoolGrad (~5 ms for both pools) are plain loops,
// while the forward convolutions run on XNNPACK (~1 ms for both).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";

await tf.setBackend("wasm");
await tf.ready();

// The wasm backend (4.22) cannot train a conv2d: it has no Conv2DBackpropFilter kernel (the
// filter's gradient). Registered here from the backend's own kernels, the way its fast
// path would do it: for stride 1 and no padding, ∂W[r, s, i, o] = Σ_{b,y,x} X[b, y+r, x+s, i]·∂Y[b, y, x, o]
// is itself a valid convolution of X read as [in, H, W, batch] with ∂Y read as a filter
// [outH, outW, batch, out], which runs on XNNPACK like the forward conv2d. (The backend's
// Conv3DBackpropFilterV2 on a depth-1 volume computes the same but took 18 of a 59 ms step:
// a slow peer for an accidental reason.)
if (tf.getKernel("Conv2DBackpropFilter", "wasm") === undefined) {
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs: { x, dy }, backend, attrs }) => {
      const { strides, pad, dataFormat } = attrs;
      const one = (v) => v === 1 || (Array.isArray(v) && v.every((e) => e === 1));
      if (dataFormat !== "NHWC" || pad !== "valid" || !one(strides)) throw new Error("tfjs_twin: the Conv2DBackpropFilter stand-in takes NHWC data, stride 1 and 'valid' padding only");
      const run = (name, inputs, kernelAttrs) => tf.getKernel(name, "wasm").kernelFunc({ inputs, backend, attrs: kernelAttrs });
      const images = run("Transpose", { x }, { perm: [3, 1, 2, 0] });
      const filter = run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
      const grad = run("Conv2D", { x: images, filter }, { strides: 1, pad: "valid", dataFormat: "NHWC", dilations: 1, dimRoundingMode: undefined });
      const dw = run("Transpose", { x: grad }, { perm: [1, 2, 0, 3] });
      for (const t of [images, filter, grad]) backend.disposeData(t.dataId);
      return dw;
    },
  });
}

/** Float64 tensors by name from a safetensors file: { shape, data }. */
function readSafetensors(path) {
  const bytes = readFileSync(path);
  const length = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + length).toString("utf8"));
  const out = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (info.dtype !== "F64") throw new Error(`${path}: ${name} is ${info.dtype}; the twins write F64 only`);
    const [start, end] = info.data_offsets;
    const raw = bytes.subarray(8 + length + start, 8 + length + end);
    // Copied into an aligned buffer: the file's data need not start on an 8-byte boundary.
    const data = new Float64Array(new Uint8Array(raw).buffer);
    out[name] = { shape: info.shape, data };
  }
  return out;
}

/** [out, in, h, w] (PyTorch) → [h, w, in, out] (TF.js conv2d filters). */
function convFilter({ shape: [out, inC, h, w], data }) {
  const f = new Float32Array(data.length);
  for (let o = 0; o < out; o++) for (let i = 0; i < inC; i++) for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) f[((r * w + c) * inC + i) * out + o] = data[((o * inC + i) * h + r) * w + c];
  return tf.variable(tf.tensor4d(f, [h, w, inC, out]));
}

/**
 * [out, in] (PyTorch, y = x Wᵀ) → [in, out]. `nchw` = [C, H, W] when the input is a flattened
 * feature map: PyTorch flattened it channel-first (c·HW + h·W + w), TF.js flattens NHWC
 * (h·W·C + w·C + c), so the kernel's rows are put in TF.js's order.
 */
function denseKernel({ shape: [out, inF], data }, nchw) {
  const k = new Float32Array(data.length);
  const row = (j) => {
    if (!nchw) return j;
    const [C, H, W] = nchw;
    const c = j % C;
    const w = Math.floor(j / C) % W;
    const h = Math.floor(j / (C * W));
    return (c * H + h) * W + w;
  };
  for (let j = 0; j < inF; j++) for (let o = 0; o < out; o++) k[j * out + o] = data[o * inF + row(j)];
  return tf.variable(tf.tensor2d(k, [inF, out]));
}

const bias = ({ data }) => tf.variable(tf.tensor1d(Float32Array.from(data)));

/** torch.optim.lr_scheduler.OneCycleLR's two-phase cosine schedule (its defaults): lr and β₁ for step index i. */
function oneCycle(maxLr, totalSteps) {
  const initialLr = maxLr / 25;
  const minLr = initialLr / 1e4;
  const [baseMomentum, maxMomentum] = [0.85, 0.95];
  const cos = (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  const phases = [
    { end: 0.3 * totalSteps - 1, lr: [initialLr, maxLr], beta1: [maxMomentum, baseMomentum] },
    { end: totalSteps - 1, lr: [maxLr, minLr], beta1: [baseMomentum, maxMomentum] },
  ];
  return (i) => {
    let start = 0;
    for (let p = 0; p < phases.length; p++) {
      const phase = phases[p];
      if (i <= phase.end || p === phases.length - 1) {
        const pct = (i - start) / (phase.end - start);
        return { lr: cos(...phase.lr, pct), beta1: cos(...phase.beta1, pct) };
      }
      start = phase.end;
    }
  };
}

function digitsTwin(dir, config) {
  const weights = readSafetensors(join(dir, "digits-cnn.init.safetensors"));
  const batches = readSafetensors(join(dir, "digits-cnn.batches.safetensors"));
  const params = {
    conv1: convFilter(weights["0.weight"]),
    conv1Bias: bias(weights["0.bias"]),
    conv2: convFilter(weights["3.weight"]),
    conv2Bias: bias(weights["3.bias"]),
    dense1: denseKernel(weights["7.weight"], [16, 4, 4]),
    dense1Bias: bias(weights["7.bias"]),
    dense2: denseKernel(weights["9.weight"]),
    dense2Bias: bias(weights["9.bias"]),
    dense3: denseKernel(weights["11.weight"]),
    dense3Bias: bias(weights["11.bias"]),
  };
  const variables = Object.values(params);
  const moments = variables.map((v) => ({ m: tf.variable(tf.zerosLike(v)), v: tf.variable(tf.zerosLike(v)) }));
  const p = params;
  const forward = (x) => {
    let h = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, p.conv1, 1, "valid"), p.conv1Bias)), 2, 2, "valid");
    h = tf.maxPool(tf.relu(tf.add(tf.conv2d(h, p.conv2, 1, "valid"), p.conv2Bias)), 2, 2, "valid");
    h = tf.reshape(h, [h.shape[0], -1]);
    h = tf.relu(tf.add(tf.matMul(h, p.dense1), p.dense1Bias));
    h = tf.relu(tf.add(tf.matMul(h, p.dense2), p.dense2Bias));
    return tf.add(tf.matMul(h, p.dense3), p.dense3Bias);
  };
  const schedule = oneCycle(config.lr, config.steps);
  const [beta2, eps] = [0.999, 1e-8];
  const { x, y } = batches;
  const B = config.batchSize;
  const pixels = 28 * 28;
  let t = 0;
  return (i) => {
    // One channel: NCHW and NHWC hold the same numbers in the same order.
    const images = tf.tensor4d(Float32Array.from(x.data.subarray(i * B * pixels, (i + 1) * B * pixels)), [B, 28, 28, 1]);
    const labels = tf.oneHot(tf.tensor1d(Int32Array.from(y.data.subarray(i * B, (i + 1) * B)), "int32"), 10).toFloat();
    return () => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, forward(images)), variables);
      // torch.optim.Adam: m ← lerp(m, g, 1 − β₁), v ← β₂v + (1 − β₂)g², p ← p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
      t++;
      const { lr, beta1 } = schedule(t - 1);
      const stepSize = lr / (1 - beta1 ** t);
      const correction2Sqrt = Math.sqrt(1 - beta2 ** t);
      tf.tidy(() => {
        variables.forEach((param, k) => {
          const g = grads[param.name];
          const { m, v } = moments[k];
          const m1 = tf.add(m, tf.mul(tf.sub(g, m), 1 - beta1));
          const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
          param.assign(tf.sub(param, tf.mul(tf.div(m1, tf.add(tf.div(tf.sqrt(v1), correction2Sqrt), eps)), stepSize)));
          m.assign(m1);
          v.assign(v1);
        });
      });
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads), images, labels]);
      return loss;
    };
  };
}

const twins = { "digits-cnn": digitsTwin };
const running = new Map();
const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT");
console.log(JSON.stringify({ version: `TF.js ${tf.version.tfjs}`, blas: `wasm backend, float32, SIMD ${simd ? "on" : "off"}, ${threads ? "threads" : "one thread"}` }));
for await (const line of createInterface({ input: process.stdin })) {
  const { twin, dir, config, steps } = JSON.parse(line);
  let answer;
  try {
    if (!(twin in twins)) answer = { ms: null };
    else {
      if (!running.has(twin)) running.set(twin, { prepare: twins[twin](dir, config), next: 0 });
      const state = running.get(twin);
      const ms = [];
      const losses = [];
      for (let k = 0; k < steps; k++) {
        const step = state.prepare(state.next++); // the batch, outside the clock
        const start = performance.now();
        losses.push(step());
        ms.push(performance.now() - start);
      }
      answer = { ms, losses };
    }
  } catch (error) {
    process.stderr.write(`${error.stack}\n`);
    answer = { error: String(error.message ?? error) };
  }
  console.log(JSON.stringify(answer));
}
