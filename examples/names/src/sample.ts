import { Generator, Tensor, cat, multinomial, noGrad, zeros } from "@tapegrad/autograd";
import type { Module } from "@tapegrad/nn";
import type { Vocabulary } from "./data.js";
import type { NextToken } from "./models.js";

/** Options of the sampler. */
export interface SampleOptions {
  /** Where the draws come from (a seeded Generator makes the names reproducible). */
  generator: Generator;
  /** Longest name drawn; a row still open after this many characters is cut (default 30). */
  maxLength?: number;
}

/**
 * Draws `count` names from a model, all at once: every row starts as `.`, and each step
 * appends one token drawn with `multinomial` from the model's next-token probabilities,
 * until every row has drawn `.` again. Returns each row's tokens after the start, ending
 * with 0 (`.`) unless the row was cut at maxLength. The model is put in eval mode.
 */
export function sampleTokens(model: Module & NextToken, count: number, options: SampleOptions): number[][] {
  const maxLength = options.maxLength ?? 30;
  model.eval();
  const rows: number[][] = Array.from({ length: count }, () => []);
  const open = new Set(rows.keys());
  let history: Tensor = zeros([count, 1]);
  noGrad(() => {
    for (let step = 0; step <= maxLength && open.size > 0; step++) {
      const next = multinomial(model.nextProbabilities(history), 1, { generator: options.generator });
      const drawn = next.toFloat64Array();
      for (const row of [...open]) {
        rows[row]!.push(drawn[row]!);
        if (drawn[row] === 0 || rows[row]!.length > maxLength) open.delete(row);
      }
      history = cat([history, next], 1);
    }
  });
  // A row cut at maxLength keeps maxLength characters and no end token.
  return rows.map((r) => (r[r.length - 1] === 0 ? r : r.slice(0, maxLength)));
}

/** `count` names drawn from a model (see sampleTokens), as strings without the `.`. */
export function sampleNames(model: Module & NextToken, vocabulary: Vocabulary, count: number, options: SampleOptions): string[] {
  return sampleTokens(model, count, options).map((tokens) => vocabulary.decode(tokens.filter((t) => t !== 0)));
}
