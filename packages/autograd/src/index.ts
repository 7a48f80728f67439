/**
 * @tapegrad/autograd: Tensor, the tape that records each op, one vector-Jacobian product
 * per op, `backward()`, functional transforms and gradcheck.
 * @packageDocumentation
 */
// Order matters: tensor.ts (with the engine and defineOp it reaches) evaluates first, then
// the op families install their methods on Tensor.prototype.
export { Tensor, type TensorOptions } from "./tensor.js";
import "./ops/index.js";
export type { ArithmeticMethods } from "./ops/arithmetic.js";
export type { UnaryMethods } from "./ops/unary.js";
export type { MatmulMethods } from "./ops/matmul.js";
export type { ReduceMethods, KeepdimArg } from "./ops/reduce.js";
export type { CompareMethods } from "./ops/compare.js";
export type { ShapeMethods } from "./ops/shape.js";
export type { InPlaceMethods } from "./ops/inplace.js";
export type { IndexingMethods } from "./ops/indexing.js";
export type { SortingMethods } from "./ops/sorting.js";
export type { StatisticsMethods } from "./ops/statistics.js";
export type { ActivationMethods } from "./ops/activations.js";
export type { SplitMethods } from "./ops/split.js";
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
  randLike,
  randnLike,
  fullLike,
  randint,
  randperm,
  multinomial,
  type TensorDataOptions,
  type RandomTensorOptions,
  type RandomIndexOptions,
  type MultinomialOptions,
  type ShapeAndOptions,
  type FullArgs,
  type UniformArgs,
} from "./creation.js";
export { cat, stack } from "./ops/join.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./modes.js";
export { isAnomalyEnabled, setDetectAnomaly } from "./modes.js";
export { detectAnomaly } from "./modes.js";
export { grad, valueAndGrad, vjp, gradients, type Gradients, type ValueAndGrad, type VjpResult } from "./functional.js";
export { gradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckEntry } from "./study/gradcheck.js";
export { traceBackward, type BackwardTrace, type TraceStep, type TraceOptions, type TracedGradient } from "./study/trace.js";
export { toDot, type DotOptions } from "./study/dot.js";
export { toSvg, toHtml, type GraphPictureOptions } from "./study/graph-svg.js";
export type { TensorNames, NamedTensorSource } from "./study/names.js";
export { compareGradients, type CompareGradientsOptions, type GradientComparison, type GradientReport } from "./study/compare.js";
export { defineOp, registeredOps, type Op, type OpSpec, type Saves, type ForwardContext } from "./op.js";
export { Node, type VjpContext, type VjpContext as OpContext, type Edge, type VjpInfo, type GradHook } from "./node.js";
export { runBackward, topologicalOrder, type BackwardOptions, type RunOptions, type VjpStep } from "./engine.js";
export { AutogradError, GradcheckError, AnomalyError } from "./errors.js";
export { ShapeError, DataError, TapegradError, manualSeed, Generator, NDArray, getNumThreads, setNumThreads } from "@tapegrad/tensor";
export { where } from "./ops/where.js";
export { linear, linearRelu } from "./ops/matmul.js";
export { binaryCrossEntropy, binaryCrossEntropyWithLogits, binaryCrossEntropyBackward } from "./ops/loss.js";
export { reluBackward, sigmoidBackward, tanhBackward } from "./ops/unary.js";
export { backwardHook, type BackwardHookParams } from "./ops/hook.js";
export type { Operand } from "./ops/operand.js";
// Free functions (torch.gather, torch.sin, …), one module per op family.
export * from "./functions/indexing.js";
// (indexing above, reductions below: each family adds exports only in its own module)
export * from "./functions/reductions.js";
// —
export * from "./functions/elementwise.js";
// —
export * from "./functions/shape.js";
// —
export * from "./functions/creation.js";
export * from "./functions/conv.js";
// —
export * from "./functions/pooling.js";
// —
export * from "./functions/normalization.js";
// —
