import { modeFlag } from "./mode-flag.js";

/**
 * Whether ops record themselves on the tape. Global because it must reach every op called
 * inside `noGrad(fn)` without being threaded through their arguments.
 */
const gradMode = modeFlag(true);

/** True when ops record nodes for backward (the default). */
export function isGradEnabled(): boolean {
  return gradMode.get();
}

/**
 * Runs `fn` with recording switched to `on`, restoring the previous mode afterwards even
 * if `fn` throws.
 */
export function withGradMode<T>(on: boolean, fn: () => T): T {
  return gradMode.during(on, fn);
}

/**
 * Runs `fn` without recording anything on the tape and returns its result, as
 * `torch.no_grad()`. Use it for evaluation and for parameter updates.
 */
export function noGrad<T>(fn: () => T): T {
  return gradMode.during(false, fn);
}

/** Runs `fn` with recording switched on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return gradMode.during(true, fn);
}

/** Switches recording on or off globally; prefer `noGrad(fn)`, which restores the mode. */
export function setGradEnabled(on: boolean): void {
  gradMode.set(on);
}
