export {
  Optimizer,
  type OptimizerStateDict,
  type OptimizerParams,
  type OptimizerSpec,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export * as lrScheduler from "./lr-scheduler.js";
