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
// (flags and rounds: bench/elementwise-rounds.mjs)
import { N, normal, runRounds, setUp } from "./elementwise-rounds.mjs";

const { rounds, ours, theirs } = await setUp();

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

runRounds({ rounds, ours, theirs, inputs, loops: { "Math.tanh loop": mathTanhLoop, "tanhScalar loop": tanhScalarLoop, "Math.expm1 loop": mathExpm1Loop, "expm1Scalar loop": expm1ScalarLoop }, kernelCases });
