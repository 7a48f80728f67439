// exp without the call into C: ns per element of eˣ on 2¹⁸ values written into an existing
// array (so first-touch of a fresh result is not timed), by a plain loop over Math.exp, a
// plain loop over kernels.expScalar and the exp kernel; and the kernels that compute with
// expScalar. With --against <tree> (a checkout whose packages are built, e.g. one without
// expScalar), each kernel also runs from that tree's build. Rounds alternate in one process
// and each figure is the median of its rounds; "ratio" is the median of the per-round ratios.
//
//   node bench/fdlibm-exp.mjs [--against /path/to/other/tree] [--rounds 30] [--detached]
// (flags and rounds: bench/elementwise-rounds.mjs)
import { N, normal, runRounds, setUp } from "./elementwise-rounds.mjs";

const { rounds, ours, theirs } = await setUp();

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

runRounds({ rounds, ours, theirs, inputs, loops: { "Math.exp loop": mathExpLoop, "expScalar loop": expScalarLoop }, kernelCases });
