import { modeFlag } from "./mode-flag.js";

/**
 * Whether ops check their outputs and gradients for NaN/Inf. Global like grad mode, so
 * `detectAnomaly(fn)` reaches every op inside fn.
 */
const anomalyMode = modeFlag(false);

/** True inside `detectAnomaly` or after `setDetectAnomaly(true)`. */
export function isAnomalyEnabled(): boolean {
  return anomalyMode.get();
}

/** Switches anomaly detection on or off globally. */
export function setDetectAnomaly(on: boolean): void {
  anomalyMode.set(on);
}

/** Runs `fn` with anomaly detection set to `on`, restoring the previous setting afterwards. */
export function withAnomalyMode<T>(on: boolean, fn: () => T): T {
  return anomalyMode.during(on, fn);
}
