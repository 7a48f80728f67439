/** Which models a run trains. */
export type ModelChoice = "bigram" | "mlp" | "gpt" | "all";

/** Everything a run needs; the CLI fills it from a preset and flags. */
export interface NamesOptions {
  model: ModelChoice;
  /** Seed of the split, the weights, the batches, dropout and the sampler. */
  seed: number;
  /** Added to every bigram count (makemore: 1). */
  smoothing: number;
  /** Characters of context of the MLP (makemore: 3). */
  context: number;
  /** Size of the MLP's character embedding (makemore part 3: 10; 2 for a picture). */
  embedding: number;
  /** Hidden units of the MLP (makemore part 3: 200). */
  hidden: number;
  mlpSteps: number;
  mlpBatchSize: number;
  /** SGD learning rate of the MLP, cut tenfold after 75% of the steps. */
  mlpLr: number;
  /** Transformer blocks of the GPT. */
  layers: number;
  /** Attention heads per block. */
  heads: number;
  /** Width of the GPT's residual stream. */
  width: number;
  /** Dropout of the GPT in training (embeddings, attention weights, residual branches). */
  dropout: number;
  gptSteps: number;
  /** Names per GPT step. */
  gptBatchSize: number;
  /** Peak AdamW learning rate of the GPT (cosine to a tenth of it). */
  gptLr: number;
  weightDecay: number;
  /** Largest total gradient norm of the GPT. */
  clip: number;
  /** Names to draw from each model. */
  samples: number;
  /** Folder for the weights and pictures. */
  out: string;
}

/** The GPT's block: `.` plus the longest name (15 characters). */
export const GPT_BLOCK_SIZE = 16;

/** The default run: all three models, in about two to three minutes on two cores. */
export const defaults: NamesOptions = {
  model: "all",
  seed: 42,
  smoothing: 1,
  context: 3,
  embedding: 10,
  hidden: 200,
  mlpSteps: 20_000,
  mlpBatchSize: 32,
  mlpLr: 0.1,
  layers: 2,
  heads: 4,
  width: 64,
  dropout: 0.1,
  gptSteps: 1500,
  gptBatchSize: 32,
  gptLr: 5e-3,
  weightDecay: 0.1,
  clip: 1,
  samples: 20,
  out: "out/names",
};

/** Named sets of options; flags override them. */
export const presets: Record<string, { description: string; options: Partial<NamesOptions> }> = {
  default: { description: "bigram, MLP (20,000 steps of 32) and GPT (1,500 steps of 32 names), a few minutes", options: {} },
  quick: { description: "the same three models, briefly (2,000 MLP and 150 GPT steps), in about half a minute", options: { mlpSteps: 2000, gptSteps: 150 } },
  "embedding-2d": {
    description: "the MLP alone with 2-D character embeddings and 100 hidden units, to draw embedding.svg (makemore part 2)",
    options: { model: "mlp", embedding: 2, hidden: 100, out: "out/names-2d" },
  },
};

/**
 * Checks options and returns a list of problems (empty when all is well), so the CLI can
 * print them all at once.
 */
export function validate(o: NamesOptions): string[] {
  const problems: string[] = [];
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v <= 0) problems.push(`${name} must be a positive integer, got ${v}`);
  };
  if (!["bigram", "mlp", "gpt", "all"].includes(o.model)) problems.push(`unknown model ${JSON.stringify(o.model)} (use bigram, mlp, gpt or all)`);
  if (!Number.isInteger(o.seed)) problems.push(`seed must be an integer, got ${o.seed}`);
  if (!(o.smoothing >= 0) || !Number.isFinite(o.smoothing)) problems.push(`smoothing must be a number ≥ 0, got ${o.smoothing}`);
  for (const [name, v] of [
    ["context", o.context],
    ["embedding", o.embedding],
    ["hidden", o.hidden],
    ["mlp steps", o.mlpSteps],
    ["mlp batch size", o.mlpBatchSize],
    ["layers", o.layers],
    ["heads", o.heads],
    ["width", o.width],
    ["gpt steps", o.gptSteps],
    ["gpt batch size", o.gptBatchSize],
  ] as const) {
    positiveInt(name, v);
  }
  if (!Number.isInteger(o.samples) || o.samples < 0) problems.push(`samples must be a non-negative integer, got ${o.samples}`);
  for (const [name, v] of [
    ["mlp lr", o.mlpLr],
    ["gpt lr", o.gptLr],
    ["clip", o.clip],
  ] as const) {
    if (!(v > 0) || !Number.isFinite(v)) problems.push(`${name} must be a positive number, got ${v}`);
  }
  if (!(o.dropout >= 0 && o.dropout < 1)) problems.push(`dropout must lie in [0, 1), got ${o.dropout}`);
  if (!(o.weightDecay >= 0) || !Number.isFinite(o.weightDecay)) problems.push(`weight decay must be a number ≥ 0, got ${o.weightDecay}`);
  if (Number.isInteger(o.width) && Number.isInteger(o.heads) && o.heads > 0 && o.width % o.heads !== 0) {
    problems.push(`width ${o.width} must be divisible by heads ${o.heads}`);
  }
  if (o.out.trim() === "") problems.push("out must name a folder");
  return problems;
}
