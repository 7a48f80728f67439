import type { PlaygroundState } from "../src/state.js";

/**
 * One setup per data set and regression problem that the tests train (in Node and in the
 * page), with the bar each must pass: test accuracy above `accuracy`, or test loss (MSE)
 * below `loss`. The regression bars are a small fraction of the targets' variance
 * (plane 0.24, multi-Gaussian about 0.1), so a constant prediction fails them.
 */
export const SETUPS: { name: string; state: Partial<PlaygroundState>; accuracy?: number; loss?: number }[] = [
  { name: "circle", state: { dataset: "circle" }, accuracy: 0.95 },
  { name: "xor", state: { dataset: "xor", hidden: [8], optimizer: "adam", lr: 0.03 }, accuracy: 0.95 },
  { name: "gauss", state: { dataset: "gauss" }, accuracy: 0.95 },
  { name: "spiral", state: { dataset: "spiral", features: ["x1", "x2", "sinx1", "sinx2"], hidden: [8, 8, 8], optimizer: "adam", lr: 0.01 }, accuracy: 0.9 },
  { name: "moons", state: { dataset: "moons", noise: 10, hidden: [8, 8], optimizer: "adam", lr: 0.03 }, accuracy: 0.95 },
  { name: "plane", state: { dataset: "plane", hidden: [] }, loss: 0.01 },
  { name: "multigauss", state: { dataset: "multigauss", hidden: [8, 8], optimizer: "adam", lr: 0.03 }, loss: 0.03 },
];
