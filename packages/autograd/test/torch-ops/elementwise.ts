import {
  abs,
  add,
  ceil,
  clamp,
  cos,
  div,
  erf,
  exp,
  expm1,
  floor,
  gradients,
  log,
  log1p,
  matmul,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  reciprocal,
  relu,
  round,
  rsqrt,
  sigmoid,
  sign,
  sin,
  sqrt,
  square,
  sub,
  tanh,
  type Tensor,
} from "@tapegrad/autograd";
import type { Expressions } from "./expression.js";

/** x, v ↦ the VJP of f at x with cotangent v, kept differentiable (scripts' double_backward). */
const doubleBackward = (f: (x: Tensor) => Tensor) => (x: Tensor, v: Tensor) => gradients(f(x), [x], { gradOutputs: [v], createGraph: true })[0]!;

/** The elementwise cases of scripts/torch_op_cases/elementwise.py, op for op, under the same names. */
export const expressions: Expressions = {
  expm1: (x) => x.expm1(),
  expm1_small: (x) => x.expm1(),
  reciprocal_transposed: (x) => x.t().neg().reciprocal(),
  rsqrt: (x) => x.rsqrt().mul(2),
  square_transposed: (x) => x.t().square(),
  erf: (x) => x.mul(3).erf(),
  erf_points: (x) => x.erf(),
  erf_transposed: (x) => x.transpose(0, 1).erf().exp(),
  sign: (x) => x.sign().add(x),
  rounding: (x) => [x.floor(), x.ceil(), x.round()],
  rounding_in_expression: (x) => x.round().mul(x).add(x.floor()),
  // activations
  softplus: (x) => x.mul(8).softplus(),
  softplus_extremes: (x) => x.softplus(),
  softplus_beta_threshold: (x) => x.t().mul(3).softplus({ beta: 2, threshold: 5 }),
  softplus_negative_beta: (x) => x.softplus({ beta: -1.5 }),
  gelu: (x) => x.mul(3).gelu(),
  gelu_extremes: (x) => x.gelu(),
  gelu_tanh: (x) => x.t().mul(3).gelu({ approximate: "tanh" }),
  gelu_tanh_extremes: (x) => x.gelu({ approximate: "tanh" }),
  leaky_relu: (x) => x.leakyRelu(),
  leaky_relu_kinks: (x) => x.leakyRelu(0.2),
  leaky_relu_negative_slope: (x) => x.t().leakyRelu(-0.5),
  elu: (x) => x.mul(2).elu(),
  elu_kinks_alpha: (x) => x.elu(1.5),
  silu: (x) => x.t().mul(3).silu(),
  silu_extremes: (x) => x.silu(),
  logsigmoid: (x) => x.mul(3).logSigmoid(),
  logsigmoid_extremes: (x) => x.logSigmoid(),
  // second derivatives, in x and in the cotangent v
  gelu_double_backward: doubleBackward((x) => x.mul(2).gelu()),
  gelu_tanh_double_backward: doubleBackward((x) => x.mul(2).gelu({ approximate: "tanh" })),
  softplus_double_backward: doubleBackward((x) => x.mul(3).softplus({ beta: 2, threshold: 4 })),
  elu_double_backward: doubleBackward((x) => x.mul(2).elu(0.7)),
  silu_double_backward: doubleBackward((x) => x.mul(2).silu()),
  logsigmoid_double_backward: doubleBackward((x) => x.mul(2).logSigmoid()),
  erf_double_backward: doubleBackward((x) => x.erf()),
  reciprocal_rsqrt_expm1_double_backward: doubleBackward((x) => x.reciprocal().add(x.rsqrt()).add(x.expm1())),
  // free functions
  free_functions: (a, b) => mul(add(maximum(exp(a), sub(b, 1)), matmul(tanh(a), sigmoid(b).t())), div(square(a), 2)),
  free_functions_unary: (x) =>
    mul(log(abs(x).add(1)).add(log1p(sqrt(abs(x)))), neg(sin(x)))
      .add(cos(erf(x)))
      .add(relu(expm1(x)))
      .add(minimum(clamp(x, -0.5, 0.5), pow(x, 3)))
      .add(reciprocal(rsqrt(x.mul(x).add(1))))
      .add(sign(x).mul(floor(x)).mul(ceil(x)).mul(round(x))),
};
