export { defaults, defaultPreset, presets, validate, type TrainOptions, type Architecture } from "./options.js";
export { parseArgs, helpText, type Parsed } from "./args.js";
export { loadDigits, stratifiedSplit, toTensors, shiftImages, SIDE, PIXELS, CLASSES, type Digits, type DigitSet, type Split } from "./data.js";
export { train, buildModel, evaluate, type Evaluation, type History, type TrainResult, type TrainCallbacks } from "./train.js";
export { curvesSvg, confusionMatrix, confusionMatrixSvg, misclassifiedSvg, digitRects, runningMean, type Mistake } from "./svg.js";
export { run, mistakes, describeNetwork, type Outputs } from "./run.js";
export { Progress } from "./progress.js";
