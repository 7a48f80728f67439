export { explain, tutorialNetwork, type Explanation, type ExplainOptions, type LayerCheck } from "./explain.js";
export { explainDigits, type DigitsExplainOptions } from "./digits.js";
export { explainNames, type NamesExplainOptions } from "./names.js";
export { checkRow, crossEntropyLogitsGradient, type FormulaCheck, type ModelExplanation } from "./checks.js";
export { conv2dBackwardByHand, maxPool2dBackwardByHand, type ConvGradients } from "./conv-by-hand.js";
export { models, modelNames, checkSamples, type ExplainModel, type ModelInfo } from "./models.js";
export { parseExplainArgs, helpText, type ExplainRun, type ParsedExplainArgs } from "./args.js";
