export { defaults, presets, validate, type TrainOptions } from "./options.js";
export { parseArgs, helpText, type Parsed } from "./args.js";
export { train, buildModel, accuracy, type History, type TrainResult } from "./train.js";
export { decisionBoundarySvg, lossCurvesSvg, marchingSquares, colorFor, type LabelledPoint, type ProbabilityFn } from "./svg.js";
export { run, type Outputs } from "./run.js";
export { Progress } from "./progress.js";
