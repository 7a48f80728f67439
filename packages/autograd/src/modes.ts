import { formatShape, type NDArray } from "@tapegrad/tensor";
import { AnomalyError, AutogradError } from "./errors.js";

// Two global switches, grad mode and anomaly mode. Global because they must reach every op
// called inside `noGrad(fn)` or `detectAnomaly(fn)` without being threaded through their
// arguments; each is set for the duration of a function and restored even if it throws.

let gradEnabled = true;
let anomalyEnabled = false;

function during<T>(set: (on: boolean) => boolean, on: boolean, fn: () => T, name: string): T {
  if (typeof fn !== "function") throw new AutogradError(`${name}: expected a function, got ${typeof fn}`);
  const previous = set(on);
  let result: T;
  try {
    result = fn();
  } finally {
    set(previous);
  }
  refusePromise(result, name);
  return result;
}

/**
 * The modes are restored when fn returns, which for an async fn is at its first await:
 * everything after it would run in the wrong mode, silently. So a promise is refused.
 */
function refusePromise(result: unknown, name: string): void {
  if (typeof (result as { then?: unknown } | null)?.then !== "function") return;
  // The orphaned promise must not crash the process with an unhandled rejection as well.
  (result as Promise<unknown>).then(undefined, () => undefined);
  throw new AutogradError(
    `${name}: fn returned a Promise, but the mode only holds until fn's first await, so the rest would run unrecorded or recorded by mistake. ` +
      `Await outside and keep fn synchronous: const batch = await load(); const y = ${name}(() => model.forward(batch));`,
  );
}

const swapGrad = (on: boolean): boolean => {
  const previous = gradEnabled;
  gradEnabled = on;
  return previous;
};
const swapAnomaly = (on: boolean): boolean => {
  const previous = anomalyEnabled;
  anomalyEnabled = on;
  return previous;
};

/** True when ops record nodes for backward (the default). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` with recording switched to `on`, restoring the previous mode afterwards even
 * if `fn` throws.
 */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  return during(swapGrad, on, fn, "withGradMode");
}

/**
 * Runs `fn` without recording anything on the tape and returns its result, as
 * `torch.no_grad()`. Use it for evaluation and for parameter updates.
 * @throws AutogradError when fn returns a Promise: the mode would end at its first await.
 */
export function noGrad<T>(fn: () => T): T {
  return during(swapGrad, false, fn, "noGrad");
}

/** Runs `fn` with recording switched on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return during(swapGrad, true, fn, "enableGrad");
}

/** Switches recording on or off globally; prefer `noGrad(fn)`, which restores the mode. */
export function setGradEnabled(on: boolean): void {
  gradEnabled = on;
}

/** True inside `detectAnomaly` or after `setDetectAnomaly(true)`. */
export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/** Switches anomaly detection on or off globally. */
export function setDetectAnomaly(on: boolean): void {
  anomalyEnabled = on;
}

/** Runs `fn` with anomaly detection set to `on`, restoring the previous setting afterwards. */
export function withAnomalyMode<T>(on: boolean, fn: () => T): T {
  return during(swapAnomaly, on, fn, "detectAnomaly");
}

/**
 * Runs `fn` with anomaly detection: every op checks its forward output and, during any
 * backward inside fn, its gradients for NaN/±Infinity, and throws an AnomalyError naming
 * the op, its input shapes and (for backward) where the op was created. Returns fn's result.
 */
export function detectAnomaly<T>(fn: () => T): T {
  return withAnomalyMode(true, fn);
}

/**
 * Throws an AnomalyError when `array` holds NaN or ±Infinity.
 * @param what names the op and shapes, computed only when needed.
 */
export function checkFinite(array: NDArray, what: () => string, phase: "forward" | "backward", stack?: string): void {
  const values = array.values();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      const where = stack ? `\nThe op was created at:\n${stack}` : "";
      throw new AnomalyError(`${what()}: ${phase} produced ${v} at flat index ${i} of shape ${formatShape(array.shape)}${where}`);
    }
  }
}
