// torch.nn.functional: the attention functions.
import { DataError, ShapeError, Tensor } from "@tapegrad/autograd";
import { broadcastShapes, formatShape, pickGenerator, sameShape, type Generator, type Seed } from "@tapegrad/tensor";
import { checkBoolean, checkOptions, optionalNumber } from "../options.js";
import { additiveMask, causalMask, readMaskKind, type MaskKind } from "./attention-core.js";
import { dropout } from "./dropout.js";

export type { MaskKind } from "./attention-core.js";

/** Options of `scaledDotProductAttention`, as torch 2.x's F.scaled_dot_product_attention keywords. */
export interface ScaledDotProductAttentionOptions {
  /**
   * A mask broadcasting to the scores `[..., L, S]`: with `maskKind: "float"` (or no kind)
   * added to the scores; with `maskKind: "bool"` a 0/1 mask where 1 means "takes part" (as
   * a boolean attn_mask in PyTorch's SDPA; MultiheadAttention's boolean masks mean the
   * opposite).
   */
  attnMask?: Tensor | null;
  /** How attnMask is read: "float" (added, the default) or "bool" (1 = may attend). A 0/1 mask without a kind is refused as ambiguous. */
  maskKind?: MaskKind;
  /** Dropout probability on the attention weights, applied whenever > 0 (as PyTorch's functional form; default 0). */
  dropoutP?: number;
  /** Query i attends keys j ≤ i only (the lower-triangular L×S mask; default false). Not together with attnMask. */
  isCausal?: boolean;
  /** Factor of the scores; default 1/√E with E the query's last size. */
  scale?: number | null;
  /** Seed of the dropout mask (the default generator otherwise). */
  seed?: Seed;
  /** Generator of the dropout mask. */
  generator?: Generator;
}

/**
 * Scaled dot-product attention, softmax(q·kᵀ·scale + mask)·v, as torch 2.x's
 * F.scaled_dot_product_attention (its reference math, dropout included): query
 * `[..., L, E]`, key `[..., S, E]`, value `[..., S, Ev]` → `[..., L, Ev]`, the leading
 * dimensions broadcast (e.g. `[N, heads, L, E]`). `isCausal` lets query i see keys j ≤ i.
 * A boolean mask (`maskKind: "bool"`) keeps the positions where it is 1, as PyTorch's
 * boolean attn_mask (True = take part); a float mask is added. A query that may attend no
 * key gets NaN, as in PyTorch. Composed from matmul, softmax and masks, so every input
 * (a float mask too) gets its gradient from the graph.
 * @throws ShapeError when an input has fewer than 2 dimensions, the sizes E or S differ,
 *   the leading dimensions or the mask do not broadcast; DataError on an unknown option, a
 *   dropoutP outside [0, 1], isCausal with attnMask, a boolean mask with values other than
 *   0 and 1, or a 0/1 mask without maskKind.
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const op = "scaledDotProductAttention";
  const o = checkOptions(op, options, ["attnMask", "maskKind", "dropoutP", "isCausal", "scale", "seed", "generator"]);
  const kind = readMaskKind(op, o.maskKind);
  const dropoutP = optionalNumber(op, "dropoutP", o.dropoutP, 0, (v) => v >= 0 && v <= 1, "a number in [0, 1]");
  const isCausal = checkBoolean(op, "isCausal", o.isCausal, false);
  const generator = pickGenerator(o, op);
  for (const [name, t] of [["query", query], ["key", key], ["value", value]] as const) {
    if (!(t instanceof Tensor)) throw new DataError(`${op}: ${name} must be a Tensor, got ${t === null ? "null" : typeof t}`);
    if (t.ndim < 2) throw new ShapeError(`${op}: ${name} must be [..., length, features], got ${formatShape(t.shape)}`);
  }
  const [L, E] = query.shape.slice(-2) as [number, number];
  const [S, keyE] = key.shape.slice(-2) as [number, number];
  const scale = o.scale === null ? 1 / Math.sqrt(E) : optionalNumber(op, "scale", o.scale, 1 / Math.sqrt(E));
  const shapes = `query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)}`;
  if (keyE !== E) throw new ShapeError(`${op}: query and key must end in the same size E: ${shapes}`);
  if (value.shape[value.ndim - 2] !== S) throw new ShapeError(`${op}: key and value must hold the same number of positions S: ${shapes}`);
  let batch: number[];
  try {
    batch = broadcastShapes(broadcastShapes(query.shape.slice(0, -2), key.shape.slice(0, -2)), value.shape.slice(0, -2));
  } catch {
    throw new ShapeError(`${op}: the leading dimensions do not broadcast: ${shapes}`);
  }
  const scoresShape = [...batch, L, S];
  let bias: Tensor | null = null;
  if (o.attnMask !== undefined && o.attnMask !== null) {
    if (isCausal) throw new DataError(`${op}: give either attnMask or isCausal, not both (as PyTorch)`);
    bias = additiveMask(op, "attnMask", o.attnMask as Tensor, kind, "attend");
    let fits = false;
    try {
      fits = sameShape(broadcastShapes(bias.shape, scoresShape), scoresShape);
    } catch {
      fits = false;
    }
    if (!fits) throw new ShapeError(`${op}: attnMask ${formatShape(bias.shape)} does not broadcast to the scores ${formatShape(scoresShape)} ([..., L, S])`);
  } else if (isCausal) {
    bias = causalMask(L, S);
  }
  let scores = query.matmul(key.transpose(-2, -1)).mul(scale);
  if (bias !== null) scores = scores.add(bias);
  const weights = dropout(scores.softmax(-1), dropoutP, true, { generator });
  return weights.matmul(value);
}
