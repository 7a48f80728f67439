// The messages between the page and the training worker. Every message names the run it
// belongs to, so the page can drop what a worker sends for a run it has already replaced.
import type { Points } from "./datasets.js";
import type { Evaluation, LiveSettings, TracedStep } from "./session.js";
import type { PlaygroundState, Problem } from "./state.js";

/** What the page asks of the worker. */
export type ToWorker =
  /** Start a new run (new data, network and optimizer); answered by "configured" then a frame. */
  | { type: "configure"; run: number; state: PlaygroundState; gridSize: number }
  /** Change learning rate, regularisation, batch size or optimizer of the current run. */
  | { type: "live"; run: number; settings: LiveSettings }
  /** Train `steps` steps (0: for about `budgetMs`), then answer with a frame; with `trace`, the last step is traced. */
  | { type: "frame"; run: number; steps: number; budgetMs: number; trace: boolean }
  /** Set a weight (input ≥ 0) or a bias (input −1), then answer with a frame. */
  | { type: "setWeight"; run: number; layer: number; unit: number; input: number; value: number };

/** What the page draws after each burst of steps. */
export interface FrameData {
  steps: number;
  epoch: number;
  /** Steps this frame ran (the speed test checks it against the chosen speed). */
  ran: number;
  evaluation: Evaluation;
  history: { steps: number[]; train: number[]; test: number[]; interval: number };
  grid: { layers: Float32Array[][]; output: Float32Array; size: number };
  weights: { weight: Float64Array; bias: Float64Array; shape: [number, number] }[];
  trace: TracedStep | null;
}

/** What the worker sends back. */
export type FromWorker =
  | { type: "configured"; run: number; problem: Problem; train: Points; test: Points }
  | { type: "frame"; run: number; frame: FrameData }
  | { type: "error"; run: number; message: string };
