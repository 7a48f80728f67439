// torch.nn.functional: the embedding functions.
import { DataError, NDArray, ShapeError, Tensor, isGradEnabled, noGrad, where } from "@tapegrad/autograd";
import { formatShape } from "@tapegrad/tensor";
import { checkBoolean, checkOptions, optionalNumber } from "../options.js";
import { normalizePaddingIdx, tensorArgument } from "../layer-checks.js";

/** Options of `embedding`, as torch.nn.functional.embedding's optional arguments. */
export interface EmbeddingOptions {
  /**
   * A row index (negative counts from the end) whose lookups get no gradient: the
   * gradient of that row of the weight stays 0, as PyTorch's padding_idx.
   */
  paddingIdx?: number | null;
  /** Rows looked up whose normType-norm exceeds maxNorm are rescaled in place to maxNorm first (PyTorch's max_norm). */
  maxNorm?: number | null;
  /** The p of the norm for maxNorm (default 2). */
  normType?: number;
  /** Scale each lookup's gradient by 1 / (how often its index occurs in the input), as PyTorch's scale_grad_by_freq (default false). */
  scaleGradByFreq?: boolean;
  /** Sparse gradients: only false is supported. */
  sparse?: boolean;
}

/** The lookup settings, checked. */
function embeddingSettings(op: string, options: unknown, numEmbeddings: number) {
  const o = checkOptions(op, options, ["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse"]) as EmbeddingOptions;
  if (checkBoolean(op, "sparse", o.sparse, false)) throw new DataError(`${op}: sparse gradients are not supported; drop the option or pass false`);
  return {
    paddingIdx: normalizePaddingIdx(op, o.paddingIdx, numEmbeddings),
    maxNorm: o.maxNorm === undefined || o.maxNorm === null ? null : optionalNumber(op, "maxNorm", o.maxNorm, 0, (v) => v >= 0 && v !== Infinity, "a finite number ≥ 0"),
    normType: optionalNumber(op, "normType", o.normType, 2, (v) => v > 0, "a number > 0"),
    scaleGradByFreq: checkBoolean(op, "scaleGradByFreq", o.scaleGradByFreq, false),
  };
}

/**
 * The flattened indices as numbers, checked.
 * @throws DataError naming the position of a non-integer or out-of-range index.
 */
function readIndices(op: string, input: Tensor, numEmbeddings: number): Float64Array {
  const values = input.toFloat64Array();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < numEmbeddings)) {
      const position: number[] = [];
      for (let d = input.ndim - 1, rest = i; d >= 0; d--) {
        position.unshift(rest % input.shape[d]!);
        rest = Math.floor(rest / input.shape[d]!);
      }
      throw new DataError(`${op}: index ${v} at position [${position.join(", ")}] is out of range for ${numEmbeddings} embeddings (expected an integer in [0, ${numEmbeddings - 1}])`);
    }
  }
  return values;
}

/**
 * Rescales, in place and without gradient, the rows the indices pick whose normType-norm
 * exceeds maxNorm, by maxNorm / (norm + 1e-7), as torch.embedding_renorm_.
 */
function renormRows(weight: Tensor, indices: Float64Array, maxNorm: number, normType: number): void {
  const rows = [...new Set(indices)].sort((a, b) => a - b);
  if (rows.length === 0) return;
  noGrad(() => {
    const index = new Tensor(new NDArray(Float64Array.from(rows), [rows.length]));
    const picked = weight.indexSelect(0, index);
    const norms = picked.norm(normType, 1).toFloat64Array();
    const scales = Float64Array.from(norms, (n) => (n > maxNorm ? maxNorm / (n + 1e-7) : 1));
    if (scales.every((s) => s === 1)) return;
    weight.indexCopy_(0, index, picked.mul(new Tensor(new NDArray(scales, [rows.length, 1]))));
  });
}

/**
 * Looks up rows of an embedding table, as torch.nn.functional.embedding(input, weight,
 * padding_idx, max_norm, norm_type, scale_grad_by_freq): integer indices of any shape
 * `[*]` pick rows of `weight` `[numEmbeddings, embeddingDim]`, giving `[*, embeddingDim]`
 * (indexSelect on the flattened indices, then a reshape). The weight's gradient adds up
 * the output gradients of each index's lookups, except that lookups of `paddingIdx` give
 * none. With `maxNorm`, the rows looked up are first renormalised in place.
 * @throws ShapeError when weight is not 2-D; DataError when an index is not an integer in
 *   [0, numEmbeddings) (naming its position), on an invalid option or `sparse: true`.
 */
export function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const op = "embedding";
  const indices = tensorArgument(op, input, "input");
  const table = tensorArgument(op, weight, "weight");
  if (table.ndim !== 2) throw new ShapeError(`${op}: weight must be 2-D [numEmbeddings, embeddingDim], got ${formatShape(table.shape)}`);
  const [numEmbeddings, dim] = table.shape as [number, number];
  const { paddingIdx, maxNorm, normType, scaleGradByFreq } = embeddingSettings(op, options, numEmbeddings);
  const values = readIndices(op, indices, numEmbeddings);
  if (maxNorm !== null) renormRows(table, values, maxNorm, normType);
  const flat = new Tensor(new NDArray(values, [values.length]));
  let rows = table.indexSelect(0, flat);
  // Both adjustments only change gradients: skipped when none flows back.
  const tracking = table.requiresGrad && isGradEnabled();
  if (tracking && scaleGradByFreq) {
    // The value stays rows (r + (r − r)·s = r exactly); the gradient of each lookup is scaled by s = 1/count.
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const scale = new Tensor(new NDArray(Float64Array.from(values, (v) => 1 / counts.get(v)!), [values.length, 1]));
    const fixed = rows.detach();
    rows = fixed.add(rows.sub(fixed).mul(scale));
  }
  if (tracking && paddingIdx !== null && values.includes(paddingIdx)) {
    // Lookups of the padding row take its value but pass no gradient back.
    const padding = new Tensor(new NDArray(Float64Array.from(values, (v) => +(v === paddingIdx)), [values.length, 1]));
    rows = where(padding, rows.detach(), rows);
  }
  return rows.reshape([...indices.shape, dim]);
}
