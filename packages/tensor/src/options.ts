import { DataError } from "./errors.js";

/**
 * Checks a keyword-options object against the names an op accepts and returns it as a
 * record. PyTorch users write `weight_decay` out of habit, and JavaScript silently ignores
 * unknown keys, so a typo would train with the default without a word; this turns it into
 * an error that names the key and suggests the intended one.
 * `undefined` stands for "no options" and gives `{}`.
 * @throws DataError when options is not a plain object, or has a key not in `allowed`
 *   (e.g. `Adam: unknown option "weight_decay"; did you mean "weightDecay"?`).
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new DataError(`${op}: options must be an object such as { ${allowed.slice(0, 2).join(", ")} }, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const close = suggestName(key, allowed);
    const hint = close === undefined ? `; expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}` : `; did you mean ${JSON.stringify(close)}?`;
    throw new DataError(`${op}: unknown option ${JSON.stringify(key)}${hint}`);
  }
  return options as Record<string, unknown>;
}

/**
 * The allowed name a mistyped one most likely meant: its camelCase form (`weight_decay` →
 * `weightDecay`), a case-insensitive match, or the nearest name within a small edit
 * distance. Undefined when nothing is close, so that a suggestion is never a wild guess.
 */
export function suggestName(key: string, allowed: readonly string[]): string | undefined {
  const camel = key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  if (allowed.includes(camel)) return camel;
  const lower = camel.toLowerCase();
  const sameCase = allowed.find((a) => a.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of allowed) {
    const d = editDistance(lower, name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  // Two edits for names of six or more letters, one for shorter: close enough to be a typo.
  return best !== undefined && bestDistance <= (best.length >= 6 ? 2 : 1) ? best : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : typeof value;
}

/**
 * Checks that an option is a boolean (or absent, giving `fallback`): JavaScript would
 * take any truthy value, so `{ keepdim: "false" }` would silently keep the dimension.
 * @throws DataError naming the op and the option.
 */
export function checkBoolean(op: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new DataError(`${op}: ${name} must be true or false, got ${describeOption(value)}`);
  return value;
}

/**
 * Checks a numeric option and returns it, or `fallback` when it is undefined: a string
 * such as `"32"` would otherwise flow into arithmetic and give a wrong result silently.
 * `valid` states the range (e.g. `(v) => v > 0`) and `expected` says it in words.
 * @throws DataError naming the op, the option, the value and what was expected.
 */
export function optionalNumber(op: string, name: string, value: unknown, fallback: number, valid: (v: number) => boolean = Number.isFinite, expected = "a finite number"): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || !valid(value)) throw new DataError(`${op}: ${name} must be ${expected}, got ${describeOption(value)}`);
  return value;
}

/** A value as it reads in an error message: strings quoted, so `"32"` stands out from 32. */
function describeOption(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || value === undefined || value === null) return String(value);
  return describeValue(value);
}
