export { makeMoons, makeCircles, trainTestSplit, type Dataset, type MoonsOptions, type CirclesOptions, type SplitOptions, type SplitDataset } from "./datasets.js";
export { DataLoader, TensorDataset, gatherRows, type DataLoaderOptions } from "./loader.js";
export { makeMoonsArrays, makeCirclesArrays, trainTestSplitArrays } from "./synthetic.js";
