/**
 * @tapegrad/autograd: Tensor, the tape that records each op, one vector-Jacobian product
 * per op, `backward()`, functional transforms and gradcheck.
 * @packageDocumentation
 */
export { Tensor, type TensorOptions } from "./tensor.js";
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  uniform,
  type TensorDataOptions,
  type RandomTensorOptions,
  type ShapeAndOptions,
} from "./creation.js";
export { cat, stack } from "./ops/join.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./grad-mode.js";
export { isAnomalyEnabled, setDetectAnomaly } from "./anomaly-mode.js";
export { detectAnomaly } from "./anomaly.js";
export { grad, valueAndGrad, vjp, gradients, type Gradients, type ValueAndGrad, type VjpResult } from "./functional.js";
export { gradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckEntry } from "./gradcheck.js";
export { traceBackward, type BackwardTrace, type TraceStep } from "./trace.js";
export { toDot } from "./dot.js";
export { toSvg, toHtml, type GraphPictureOptions } from "./graph-svg.js";
export { defineOp, fusedUnlessRecording, Node, type Op, type OpSpec, type OpContext, type Edge, type VjpInfo } from "./node.js";
export { runBackward, topologicalOrder, type BackwardOptions, type RunOptions, type VjpStep } from "./engine.js";
export { AutogradError, GradcheckError, AnomalyError } from "./errors.js";
export { ShapeError, DataError, TapegradError, manualSeed, Generator, NDArray } from "@tapegrad/tensor";

import { Tensor } from "./tensor.js";
import { where as whereOp } from "./ops/arithmetic.js";
import { toTensor, type Operand } from "./ops/operand.js";

/** Elementwise choice: a where condition ≠ 0, else b; all three broadcast. */
export function where(condition: Operand, a: Operand, b: Operand): Tensor {
  return whereOp([toTensor(condition, "where"), toTensor(a, "where"), toTensor(b, "where")], undefined);
}
export type { Operand };

import { linearOp } from "./ops/matmul.js";

/**
 * A dense layer's forward, y = x·Wᵀ + b, as one op (torch.nn.functional.linear):
 * `[…, in]`, weight `[out, in]`, bias `[out]` → `[…, out]`.
 * @throws ShapeError when the sizes do not fit.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inputs = [toTensor(x, "linear"), toTensor(weight, "linear")];
  if (bias !== undefined && bias !== null) inputs.push(toTensor(bias, "linear"));
  return linearOp(inputs, undefined);
}
