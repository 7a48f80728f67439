import { withAnomalyMode } from "./anomaly-mode.js";

/**
 * Runs `fn` with anomaly detection: every op checks its forward output and, during any
 * backward inside fn, its gradients for NaN/±Infinity, and throws an AnomalyError naming
 * the op, its input shapes and (for backward) where the op was created. Returns fn's result.
 */
export function detectAnomaly<T>(fn: () => T): T {
  return withAnomalyMode(true, fn);
}
