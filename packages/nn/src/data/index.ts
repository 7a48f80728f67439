export { makeMoons, makeCircles, trainTestSplit, type Dataset, type MoonsOptions, type CirclesOptions, type SplitOptions, type SplitDataset } from "./datasets.js";
export { DataLoader, TensorDataset, type DataLoaderOptions } from "./loader.js";
export { gatherRows } from "./rows.js";
export { makeMoonsArrays, makeCirclesArrays, trainTestSplitArrays, type SyntheticOptions, type CirclesArraysOptions, type SplitArraysOptions } from "./synthetic.js";
