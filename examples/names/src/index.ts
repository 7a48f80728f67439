export { BOUNDARY, IGNORE, Vocabulary, loadNames, loadRawNames, splitNames, contextWindows, sequences, type Splits } from "./data.js";
export { Bigram, Mlp, Gpt, Block, lastTokens, type NextToken, type MlpConfig, type GptConfig } from "./models.js";
export { fitBigram, bigramLoss, trainMlp, mlpLoss, trainGpt, gptLoss, type History, type OnStep, type MlpTraining, type GptTraining } from "./train.js";
export { sampleTokens, sampleNames, type SampleOptions } from "./sample.js";
export { defaults, presets, validate, GPT_BLOCK_SIZE, type NamesOptions, type ModelChoice } from "./options.js";
export { parseArgs, helpText, type Parsed } from "./args.js";
export { run, summary, type ModelReport, type RunResult, type ProgressFactory } from "./run.js";
export { Progress } from "./progress.js";
export { lossCurvesSvg, embeddingSvg, projectTo2d, niceTicks, type LabelledPoint } from "./svg.js";
