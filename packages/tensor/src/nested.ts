import { DataError, ShapeError, formatShape } from "./errors.js";
import { MAX_ELEMENTS, describe } from "./layout.js";

/** A number or arbitrarily nested arrays of numbers, as `toArray()` returns them. */
export type NestedArray = number | NestedArray[];

/**
 * Reads the shape of nested number arrays and flattens them in row-major order.
 * @throws DataError on ragged nesting or a non-number leaf, naming the position.
 */
export function flattenNested(data: unknown, op: string): { shape: number[]; values: Float64Array } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  let size = 1;
  for (const d of shape) size *= d;
  if (size > MAX_ELEMENTS) throw new ShapeError(`${op}: nested data of shape ${formatShape(shape)} is too large`);
  const values = new Float64Array(size);
  let next = 0;
  const walk = (node: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof node !== "number") {
        throw new DataError(`${op}: expected a number at [${path.join("][")}], got ${describe(node)}`);
      }
      values[next++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      const got = Array.isArray(node) ? `length ${node.length}` : describe(node);
      throw new DataError(
        `${op}: ragged nested array: expected length ${shape[depth]} at ${path.length ? `[${path.join("][")}]` : "the top level"}, got ${got}`,
      );
    }
    for (let i = 0; i < node.length; i++) {
      path.push(i);
      walk(node[i], depth + 1, path);
      path.pop();
    }
  };
  walk(data, 0, []);
  return { shape, values };
}

/** Builds nested arrays from `count` row-major values read through `read`. */
export function buildNested(shape: readonly number[], read: (flatIndex: number) => number): NestedArray {
  let next = 0;
  const build = (depth: number): NestedArray => {
    if (depth === shape.length) return read(next++);
    const out: NestedArray[] = new Array(shape[depth]);
    for (let i = 0; i < shape[depth]!; i++) out[i] = build(depth + 1);
    return out;
  };
  return build(0);
}
