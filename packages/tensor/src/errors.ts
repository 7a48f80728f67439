/**
 * Base class of every error tapegrad throws on purpose, so callers can tell a rejected
 * input from a bug with one `instanceof` check.
 */
export class TapegradError extends Error {
  constructor(message: string) {
    super(message);
    // `new.target.name` keeps subclass names in stack traces and `String(error)`.
    this.name = new.target.name;
  }
}

/**
 * Thrown when shapes do not fit an op: broadcasting failures, bad dimensions, reshape
 * sizes that differ. The message names the op and the shapes, e.g.
 * `add: cannot broadcast [3,4] with [5]`.
 */
export class ShapeError extends TapegradError {}

/**
 * Thrown when data or an argument has the wrong type or value: ragged or non-numeric
 * nested arrays, a data length that does not match the shape, NaN where a count is needed.
 */
export class DataError extends TapegradError {}

/** Renders a shape the way error messages show it: `[3,4]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
