/**
 * A global on/off switch that can be set for the duration of a function and is restored
 * afterwards even if the function throws. Grad mode and anomaly mode are two of these.
 */
export interface ModeFlag {
  get(): boolean;
  set(on: boolean): void;
  /** Runs `fn` with the flag set to `on`, then restores the previous value. */
  during<T>(on: boolean, fn: () => T): T;
}

/** A new flag starting at `initial`. */
export function modeFlag(initial: boolean): ModeFlag {
  let value = initial;
  return {
    get: () => value,
    set: (on) => {
      value = on;
    },
    during: (on, fn) => {
      const previous = value;
      value = on;
      try {
        return fn();
      } finally {
        value = previous;
      }
    },
  };
}
