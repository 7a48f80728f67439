/// <reference lib="webworker" />
import { TrainingSession, type PlaygroundConfig } from "./session.js";

/** Messages from the page. */
export type Command = { type: "reset"; config: PlaygroundConfig } | { type: "start" } | { type: "pause" } | { type: "step" } | { type: "graph" };

let session: TrainingSession | null = null;
let running = false;

function report(trace: boolean): void {
  if (!session) return;
  const started = performance.now();
  const steps = session.step(trace ? 1 : 0, trace);
  postMessage({ type: "snapshot", snapshot: session.snapshot(), trace: steps, ms: performance.now() - started });
}

/** Trains in bursts of about 40 ms, yielding between them so pause and reset get through. */
function loop(): void {
  if (!running || !session) return;
  const started = performance.now();
  let steps = 0;
  while (performance.now() - started < 40) {
    session.step(1);
    steps++;
  }
  const elapsed = performance.now() - started;
  const trace = session.step(1, true);
  postMessage({ type: "snapshot", snapshot: session.snapshot(), trace, stepsPerSecond: ((steps + 1) / Math.max(elapsed, 1)) * 1000 });
  setTimeout(loop, 0);
}

self.onmessage = (event: MessageEvent<Command>) => {
  const command = event.data;
  try {
    if (command.type === "reset") {
      running = false;
      session = new TrainingSession(command.config);
      report(false);
      postMessage({ type: "graph", svg: session.graphSvg() });
    } else if (command.type === "start") {
      if (!running) {
        running = true;
        loop();
      }
    } else if (command.type === "pause") {
      running = false;
    } else if (command.type === "step") {
      running = false;
      report(true);
    } else if (command.type === "graph" && session) {
      postMessage({ type: "graph", svg: session.graphSvg() });
    }
  } catch (error) {
    running = false;
    postMessage({ type: "error", message: (error as Error).message });
  }
};
