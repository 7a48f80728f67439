/// <reference lib="webworker" />
// Training runs here, off the page's thread, so drawing and the controls stay responsive.
// The page paces it: one "frame" request per animation frame, answered after the steps.
import type { FrameData, FromWorker, ToWorker } from "./protocol.js";
import { TrainingSession } from "./session.js";

let session: TrainingSession | null = null;
let run = -1;
let gridSize = 50;

function send(message: FromWorker): void {
  (self as DedicatedWorkerGlobalScope).postMessage(message);
}

function frame(ran: number, trace: FrameData["trace"]): void {
  const s = session!;
  const grid = s.grid(gridSize);
  const history = s.history;
  const data: FrameData = {
    steps: s.steps,
    epoch: s.epoch,
    ran,
    evaluation: s.evaluate(),
    history: { steps: [...history.steps], train: [...history.train], test: [...history.test], interval: history.interval },
    grid: { ...grid, size: gridSize },
    weights: s.weights(),
    trace,
  };
  // The heat maps are the bulk of a frame: hand their buffers over instead of copying them.
  // Copied, not transferred: a transfer detaches the worker's buffers, and after one
  // detached buffer V8 checks every typed-array access for detachment (the kernels' loops
  // 1.5× slower). A frame's grids are a few hundred KB, a fraction of a millisecond to copy.
  send({ type: "frame", run, frame: data });
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === "configure") {
      run = message.run;
      gridSize = message.gridSize;
      session = new TrainingSession(message.state);
      send({ type: "configured", run, problem: session.problem, train: session.train, test: session.test });
      frame(0, null);
      return;
    }
    // Requests for a run that has been replaced are dropped; the page ignores their answers too.
    if (!session || message.run !== run) return;
    if (message.type === "live") {
      session.setLive(message.settings);
    } else if (message.type === "frame") {
      const before = session.steps;
      let trace: FrameData["trace"] = null;
      if (message.steps > 0) {
        session.step(message.trace ? message.steps - 1 : message.steps);
      } else {
        // As fast as possible: steps until the time budget is spent, then one frame.
        const started = performance.now();
        while (performance.now() - started < message.budgetMs) session.step(1);
      }
      if (message.trace) trace = session.tracedStep();
      frame(session.steps - before, trace);
    } else if (message.type === "setWeight") {
      session.setWeight(message.layer, message.unit, message.input, message.value);
      frame(0, null);
    }
  } catch (error) {
    send({ type: "error", run, message: (error as Error).message });
  }
};
