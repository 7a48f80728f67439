export { explain, tutorialNetwork, type Explanation, type ExplainOptions, type LayerCheck } from "./explain.js";
