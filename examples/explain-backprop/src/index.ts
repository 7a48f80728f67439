export { explain, tutorialNetwork, type Explanation, type LayerCheck } from "./explain.js";
