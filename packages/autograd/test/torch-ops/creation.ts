import { arange, eye, full, fullLike, linspace, ones, onesLike, tensor, zeros } from "@tapegrad/autograd";
import type { Expressions } from "./expression.js";

/** The creation cases of scripts/torch_op_cases/creation.py, op for op, under the same names. */
export const expressions: Expressions = {};

const LINSPACE: Record<string, [number, number]> = {
  "5_10": [5, 10],
  "10_5": [10, 5],
  m1_1: [-1, 1],
  m3p7_11p2: [-3.7, 11.2],
  small_7p3: [1e-3, 7.3],
  "3_3": [3, 3],
  big: [-1e6, 1e6 + 0.1],
};
const STEPS = [0, 1, 2, 3, 4, 7, 8, 9, 16, 17, 33, 100];
for (const [name, [start, end]] of Object.entries(LINSPACE)) {
  for (const n of STEPS) expressions[`linspace_${name}_${n}`] = () => linspace(start, end, n);
}

const ARANGE: Record<string, [number, number?, number?]> = {
  "5": [5],
  "2p5": [2.5],
  "0": [0],
  "5_0_m1": [5, 0, -1],
  "0_1_0p3": [0, 1, 0.3],
  "0_0p9_0p3": [0, 0.9, 0.3],
  "1_m1_m0p4": [1, -1, -0.4],
  "1_2p5_0p5": [1, 2.5, 0.5],
  m2p5_30_1p3: [-2.5, 30, 1.3],
  "0_100_0p1": [0, 100, 0.1],
  "0_20_0p7": [0, 20, 0.7],
  "3_3": [3, 3],
  "10_m10_m3": [10, -10, -3],
  // (1.3 − 1)/0.1 rounds to 3.0000000000000004: torch's size rule gives 4 values, ending at 1.3.
  "1_1p3_0p1": [1, 1.3, 0.1],
  m1_m1p3_m0p1: [-1, -1.3, -0.1],
};
for (const [name, [start, end, step]] of Object.entries(ARANGE)) expressions[`arange_${name}`] = () => arange(start, end, step);

const EYE: Record<string, [number, number?]> = { "0": [0], "1": [1], "3": [3], "2_3": [2, 3], "4_2": [4, 2], "3_0": [3, 0], "0_2": [0, 2] };
for (const [name, [n, m]] of Object.entries(EYE)) expressions[`eye_${name}`] = () => eye(n, m);

Object.assign(expressions, {
  full_2_3: () => full([2, 3], 7.5),
  full_scalar: () => full([], -2),
  full_empty: () => full([0, 3], 1),
  zeros_0_3: () => zeros(0, 3),
  zeros_scalar: () => zeros([]),
  ones_2_1_3: () => ones(2, 1, 3),
  tensor_empty: () => tensor([]),
  tensor_1_0: () => tensor([[]]),
  tensor_2_0: () => tensor([[], []]),
  tensor_scalar: () => tensor(3.5),
  full_like_2_0: () => fullLike(ones(2, 0), 3),
  ones_like_scalar: () => onesLike(tensor(2)),
} satisfies Expressions);
