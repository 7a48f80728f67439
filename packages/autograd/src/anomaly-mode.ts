/**
 * Whether ops check their outputs and gradients for NaN/Inf. Global like grad mode, so
 * `detectAnomaly(fn)` reaches every op inside fn.
 */
let enabled = false;

/** True inside `detectAnomaly` or after `setDetectAnomaly(true)`. */
export function isAnomalyEnabled(): boolean {
  return enabled;
}

/** Switches anomaly detection on or off globally. */
export function setDetectAnomaly(on: boolean): void {
  enabled = on;
}

/** Runs `fn` with anomaly detection set to `on`, restoring the previous setting afterwards. */
export function withAnomalyMode<T>(on: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
