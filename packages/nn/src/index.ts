/**
 * @tapegrad/nn: modules, layers, losses, optimizers, data sets, initialisers and state-dict
 * I/O on top of @tapegrad/autograd. No layer writes a backward pass: gradients come from
 * the graph.
 * @packageDocumentation
 */
export { Module, type LoadResult, type RemovableHandle, type BufferOptions, type NamedModulesOptions } from "./module.js";
export { Parameter } from "./parameter.js";
export type { FullBackwardHook } from "./backward-hook.js";
export { ModuleList, ModuleDict, ParameterList } from "./layers/containers.js";
export { Dense, Linear, type DenseOptions } from "./layers/dense.js";
export * from "./layers/activations.js";
export { Sequential } from "./layers/sequential.js";
// The layer families: each file exports its layers and their option types.
export * from "./layers/dropout.js";
// —
export * from "./layers/normalization.js";
// —
export * from "./layers/embedding.js";
// —
export * from "./layers/flatten.js";
// —
export * from "./layers/conv.js";
// —
export * from "./layers/pooling.js";
// —
export * from "./layers/attention.js";
export {
  Loss,
  BCELoss,
  BCEWithLogitsLoss,
  MSELoss,
  CrossEntropyLoss,
  NLLLoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  KLDivLoss,
  type LossOptions,
  type BCELossOptions,
  type BCEWithLogitsLossOptions,
  type CrossEntropyLossOptions,
  type NLLLossOptions,
  type SmoothL1LossOptions,
  type HuberLossOptions,
  type KLDivLossOptions,
} from "./losses.js";
export * as functional from "./functional/index.js";
export type { Reduction } from "./functional/losses.js";
export * as optim from "./optim/index.js";
export * as utils from "./utils/index.js";
export * as data from "./data/index.js";
export * as init from "./init.js";
export {
  saveSafetensors,
  loadSafetensors,
  encodeStateDict,
  decodeStateDict,
  type SafetensorsSaveOptions,
  type SafetensorsWriteDtype,
  type SafetensorsReadDtype,
} from "./io/safetensors.js";
