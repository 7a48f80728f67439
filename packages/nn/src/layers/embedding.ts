import { DataError, ShapeError, Tensor, noGrad, randn } from "@tapegrad/autograd";
import { formatShape, pickGenerator, type Generator, type Seed } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkBoolean, checkOptions, optionalNumber } from "../options.js";
import { normalizePaddingIdx, positiveInteger, tensorArgument } from "../layer-checks.js";
import { embedding, type EmbeddingOptions as LookupOptions } from "../functional/embedding.js";

/**
 * Options of Embedding, as torch.nn.Embedding's keyword arguments: the lookup's options
 * (paddingIdx, whose row is also zeroed at initialisation; maxNorm, normType,
 * scaleGradByFreq, sparse) and where the initial weights come from.
 */
export interface EmbeddingOptions extends LookupOptions {
  /** Seed for the initial weights; the default generator (manualSeed) is used otherwise. */
  seed?: Seed;
  /** Generator for the initial weights. */
  generator?: Generator;
}

/** Options of `Embedding.fromPretrained`, as torch.nn.Embedding.from_pretrained's. */
export interface FromPretrainedOptions {
  /** Keep the table fixed: its `requiresGrad` is false (default true). */
  freeze?: boolean;
  /** As Embedding's; the row is not zeroed (the given values are used as they are). */
  paddingIdx?: number | null;
  /** As Embedding's. */
  maxNorm?: number | null;
  /** As Embedding's. */
  normType?: number;
  /** As Embedding's. */
  scaleGradByFreq?: boolean;
  /** As Embedding's. */
  sparse?: boolean;
}

/** A table handed from fromPretrained to the constructor, so that it draws no random numbers. */
let pretrainedWeight: Tensor | null = null;

/**
 * A lookup table of learned vectors, as torch.nn.Embedding(num_embeddings, embedding_dim,
 * padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False): integer
 * indices of any shape `[*]` (float64 tensors of integers) give `[*, embeddingDim]`.
 * `weight` is `[numEmbeddings, embeddingDim]`, initialised from N(0, 1) as PyTorch does,
 * with the `paddingIdx` row zeroed; lookups of `paddingIdx` give that row no gradient.
 */
export class Embedding extends Module {
  /** The table, `[numEmbeddings, embeddingDim]`. */
  weight: Parameter;
  /** The padding row in [0, numEmbeddings) (a negative one is counted from the end), or null. */
  readonly paddingIdx: number | null;
  /** The largest norm of a looked-up row, or null. */
  readonly maxNorm: number | null;
  /** The p of the norm for maxNorm. */
  readonly normType: number;
  /** Whether lookup gradients are divided by their index's frequency in the batch. */
  readonly scaleGradByFreq: boolean;

  /**
   * @throws DataError when a size is not a positive integer, paddingIdx is not an integer in
   *   [−numEmbeddings, numEmbeddings), on an invalid or unknown option, or `sparse: true`.
   */
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {},
  ) {
    super();
    const op = "Embedding";
    positiveInteger(op, "numEmbeddings", numEmbeddings);
    positiveInteger(op, "embeddingDim", embeddingDim);
    const o = checkOptions(op, options, ["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse", "seed", "generator"]) as EmbeddingOptions;
    if (checkBoolean(op, "sparse", o.sparse, false)) throw new DataError(`${op}: sparse gradients are not supported; drop the option or pass false`);
    this.paddingIdx = normalizePaddingIdx(op, o.paddingIdx, numEmbeddings);
    this.maxNorm = o.maxNorm === undefined || o.maxNorm === null ? null : optionalNumber(op, "maxNorm", o.maxNorm, 0, (v) => v >= 0 && v !== Infinity, "a finite number ≥ 0");
    this.normType = optionalNumber(op, "normType", o.normType, 2, (v) => v > 0, "a number > 0");
    this.scaleGradByFreq = checkBoolean(op, "scaleGradByFreq", o.scaleGradByFreq, false);
    const generator = pickGenerator(o, op);
    const given = pretrainedWeight;
    pretrainedWeight = null;
    if (given !== null) {
      this.weight = new Parameter(given);
      return;
    }
    this.weight = new Parameter(randn([numEmbeddings, embeddingDim], { generator }));
    const padding = this.paddingIdx;
    if (padding !== null) noGrad(() => this.weight.select(0, padding).zero_());
  }

  /**
   * An Embedding whose table is `embeddings` `[numEmbeddings, embeddingDim]` (shared, not
   * copied), as torch.nn.Embedding.from_pretrained: frozen unless `freeze` is false, and
   * the paddingIdx row is left as given.
   * @throws ShapeError when embeddings is not 2-D; DataError as the constructor's.
   */
  static fromPretrained(embeddings: Tensor, options: FromPretrainedOptions = {}): Embedding {
    const op = "Embedding.fromPretrained";
    const table = tensorArgument(op, embeddings, "embeddings");
    if (table.ndim !== 2) throw new ShapeError(`${op}: embeddings must be 2-D [numEmbeddings, embeddingDim], got ${formatShape(table.shape)}`);
    const { freeze, ...rest } = checkOptions(op, options, ["freeze", "paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse"]) as FromPretrainedOptions;
    const frozen = checkBoolean(op, "freeze", freeze, true);
    pretrainedWeight = table;
    let layer: Embedding;
    try {
      layer = new Embedding(table.shape[0]!, table.shape[1]!, rest);
    } finally {
      pretrainedWeight = null;
    }
    layer.weight.requiresGrad_(!frozen);
    return layer;
  }

  /**
   * The rows the indices pick, `[*] → [*, embeddingDim]`.
   * @throws DataError when an index is not an integer in [0, numEmbeddings).
   */
  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
    });
  }

  /** `27, 10, paddingIdx=0`, for `toString()` (settings shown only when not the default, as PyTorch). */
  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, paddingIdx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, maxNorm=${this.maxNorm}`;
    if (this.normType !== 2) s += `, normType=${this.normType}`;
    if (this.scaleGradByFreq) s += `, scaleGradByFreq=true`;
    return s;
  }
}
