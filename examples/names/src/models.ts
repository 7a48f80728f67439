import { Tensor, arange, cat, noGrad, ones, zeros } from "@tapegrad/autograd";
import { BatchNorm1d, Dropout, Embedding, GELU, LayerNorm, Linear, Module, ModuleList, MultiheadAttention, Sequential, Tanh } from "@tapegrad/nn";

/**
 * What every names model offers the sampler and the evaluation: the probabilities of the
 * next token after each row of tokens seen so far.
 */
export interface NextToken {
  /** Rows of equal length `[B, t]` (each starting with `.`) → probabilities `[B, vocabulary]` of the token that follows. */
  nextProbabilities(history: Tensor): Tensor;
}

/**
 * The baseline, makemore's first model: count every (previous, next) character pair of
 * the training names, add `smoothing` to each count, and normalise the rows into
 * P(next | previous). Not trained by gradient descent; its table is a buffer.
 */
export class Bigram extends Module implements NextToken {
  declare counts: Tensor;

  constructor(
    readonly vocabularySize: number,
    readonly smoothing = 1,
  ) {
    super();
    this.registerBuffer("counts", zeros([vocabularySize, vocabularySize]));
  }

  /** Adds the pairs `previous[i] → next[i]` (token ids `[n]`) to the table. */
  count(previous: Tensor, next: Tensor): void {
    const V = this.vocabularySize;
    noGrad(() => {
      const flat = this.counts.reshape(V * V);
      this.counts = flat.scatterAdd(0, previous.mul(V).add(next), ones([previous.size])).reshape(V, V);
    });
  }

  /** P(next | previous), `[V, V]`: the smoothed counts, each row normalised. */
  probabilities(): Tensor {
    const smoothed = this.counts.add(this.smoothing);
    return smoothed.div(smoothed.sum(1, true));
  }

  /** Log-probabilities of the next token: `[n]` previous token ids → `[n, V]`. */
  forward(previous: Tensor): Tensor {
    return this.probabilities().log().indexSelect(0, previous);
  }

  /** The row of P for each history's last token. */
  nextProbabilities(history: Tensor): Tensor {
    return this.probabilities().indexSelect(0, history.select(1, history.shape[1]! - 1));
  }
}

/** Sizes of the MLP. */
export interface MlpConfig {
  vocabularySize: number;
  /** Characters of context (makemore: 3). */
  blockSize: number;
  /** Size of each character's embedding (makemore part 3: 10). */
  embeddingDim: number;
  /** Hidden units (makemore part 3: 200). */
  hiddenSize: number;
}

/**
 * The MLP of Karpathy's makemore part 3 (after Bengio et al. 2003): embed the last
 * `blockSize` characters, concatenate, a Linear without bias, BatchNorm1d, tanh, and a
 * Linear to the logits. Contexts `[N, blockSize]` → logits `[N, V]`.
 */
export class Mlp extends Module implements NextToken {
  embedding: Embedding;
  hidden: Linear;
  norm: BatchNorm1d;
  activation = new Tanh();
  output: Linear;

  constructor(readonly config: MlpConfig) {
    super();
    const { vocabularySize, blockSize, embeddingDim, hiddenSize } = config;
    this.embedding = new Embedding(vocabularySize, embeddingDim);
    // No bias before batch norm: its mean subtraction would cancel it.
    this.hidden = new Linear(blockSize * embeddingDim, hiddenSize, { bias: false });
    this.norm = new BatchNorm1d(hiddenSize);
    this.output = new Linear(hiddenSize, vocabularySize);
    // makemore part 3: a small last layer, so that the first logits are near uniform
    // (loss ≈ ln V) instead of confidently wrong.
    noGrad(() => this.output.weight.mul_(0.1));
  }

  /** Contexts `[N, blockSize]` of token ids → logits `[N, V]`. */
  forward(contexts: Tensor): Tensor {
    const e = this.embedding.forward(contexts); // [N, blockSize, embeddingDim]
    const h = this.activation.forward(this.norm.forward(this.hidden.forward(e.reshape(e.shape[0]!, -1))));
    return this.output.forward(h);
  }

  /** softmax of the logits for each history's last blockSize tokens. */
  nextProbabilities(history: Tensor): Tensor {
    return this.forward(lastTokens(history, this.config.blockSize)).softmax(-1);
  }
}

/**
 * The last `blockSize` tokens of each row `[B, t]`, padded on the left with `.` (id 0)
 * when t < blockSize, as makemore's contexts start with `...`.
 */
export function lastTokens(history: Tensor, blockSize: number): Tensor {
  const t = history.shape[1]!;
  if (t >= blockSize) return history.slice(1, t - blockSize, t);
  return cat([zeros([history.shape[0]!, blockSize - t]), history], 1);
}

/** Sizes and regularisation of the GPT. */
export interface GptConfig {
  vocabularySize: number;
  /** Longest sequence, `.` plus the name (positions learned: 16). */
  blockSize: number;
  /** Width of the residual stream (64). */
  embedDim: number;
  /** Attention heads per block (4). */
  numHeads: number;
  /** Transformer blocks (2). */
  numLayers: number;
  /** Dropout on embeddings, attention weights and residual branches in training (0.1). */
  dropout: number;
}

/** One pre-LayerNorm block as in GPT-2 and makemore: x + attn(ln1(x)), then x + mlp(ln2(x)). */
export class Block extends Module {
  ln1: LayerNorm;
  attention: MultiheadAttention;
  attentionOutputDropout: Dropout;
  ln2: LayerNorm;
  mlp: Sequential;

  constructor(config: GptConfig) {
    super();
    const E = config.embedDim;
    this.ln1 = new LayerNorm(E);
    this.attention = new MultiheadAttention(E, config.numHeads, { batchFirst: true, dropout: config.dropout });
    this.attentionOutputDropout = new Dropout(config.dropout);
    this.ln2 = new LayerNorm(E);
    this.mlp = new Sequential(new Linear(E, 4 * E), new GELU(), new Linear(4 * E, E), new Dropout(config.dropout));
  }

  /** `[N, L, E]` → `[N, L, E]`; position i attends positions ≤ i only. */
  forward(x: Tensor): Tensor {
    const h = this.ln1.forward(x);
    const attended = this.attention.forward(h, h, h, { isCausal: true, needWeights: false }).output;
    x = x.add(this.attentionOutputDropout.forward(attended));
    return x.add(this.mlp.forward(this.ln2.forward(x)));
  }
}

/**
 * A small GPT (decoder-only transformer) over characters: token and learned position
 * embeddings, `numLayers` pre-LN blocks of causal multi-head attention and a GELU MLP, a
 * final LayerNorm and a Linear to the logits. Tokens `[N, L]` (L ≤ blockSize) → logits
 * `[N, L, V]`, the logits at position i predicting token i + 1.
 */
export class Gpt extends Module implements NextToken {
  tokenEmbedding: Embedding;
  positionEmbedding: Embedding;
  embeddingDropout: Dropout;
  blocks: ModuleList<Block>;
  lnF: LayerNorm;
  head: Linear;

  constructor(readonly config: GptConfig) {
    super();
    const { vocabularySize, blockSize, embedDim, numLayers, dropout } = config;
    this.tokenEmbedding = new Embedding(vocabularySize, embedDim);
    this.positionEmbedding = new Embedding(blockSize, embedDim);
    this.embeddingDropout = new Dropout(dropout);
    this.blocks = new ModuleList(Array.from({ length: numLayers }, () => new Block(config)));
    this.lnF = new LayerNorm(embedDim);
    this.head = new Linear(embedDim, vocabularySize);
  }

  /** Tokens `[N, L]` → logits `[N, L, V]`; throws when L exceeds the block. */
  forward(tokens: Tensor): Tensor {
    const length = tokens.shape[1]!;
    if (length > this.config.blockSize) throw new Error(`Gpt: ${length} tokens, but the block holds ${this.config.blockSize}`);
    let x = this.tokenEmbedding.forward(tokens).add(this.positionEmbedding.forward(arange(0, length)));
    x = this.embeddingDropout.forward(x);
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.lnF.forward(x));
  }

  /** As makemore, a history longer than the block is cropped to its last blockSize tokens. */
  nextProbabilities(history: Tensor): Tensor {
    const t = history.shape[1]!;
    const tokens = t > this.config.blockSize ? history.slice(1, t - this.config.blockSize, t) : history;
    const logits = this.forward(tokens);
    return logits.select(1, tokens.shape[1]! - 1).softmax(-1);
  }
}
