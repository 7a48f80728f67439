// Internal to the attention family (not re-exported by functional/index.ts): masks as
// additive biases and the causal mask. Shared by
// functional.scaledDotProductAttention and MultiheadAttention.
import { DataError, Tensor, tensor } from "@tapegrad/autograd";
import { formatShape, kernels } from "@tapegrad/tensor";

/**
 * How an attention mask is read. tapegrad has no boolean dtype, so a mask says its kind:
 * - `"float"`: added to the attention scores as it is (PyTorch's float masks: 0 keeps a
 *   position, −∞ removes it, other values bias it);
 * - `"bool"`: a 0/1 mask read as PyTorch reads a boolean mask of the same function:
 *   in `scaledDotProductAttention` 1 (True) means "takes part", in `MultiheadAttention`
 *   1 (True) means "masked out". The two conventions are PyTorch's, and opposite.
 */
export type MaskKind = "float" | "bool";

/** What a boolean mask's 1 means: "attend" (scaled_dot_product_attention) or "block" (MultiheadAttention). */
export type BoolMeaning = "attend" | "block";

/** @internal The maskKind option, checked. */
export function readMaskKind(op: string, value: unknown): MaskKind | undefined {
  if (value === undefined || value === "float" || value === "bool") return value;
  throw new DataError(`${op}: maskKind must be "bool" or "float", got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
}

const meaningText = (meaning: BoolMeaning) =>
  meaning === "attend" ? "1 = may attend, as a boolean attn_mask of torch's scaled_dot_product_attention" : "1 = masked out, as a boolean mask of torch.nn.MultiheadAttention";

/**
 * @internal A mask as an additive bias: a float mask as it is, a boolean (0/1) mask as
 * −∞ where it blocks and 0 elsewhere. Without a kind the mask is float, as PyTorch reads
 * a float tensor; but a mask of only 0s and 1s (with a 1) is then refused as ambiguous,
 * since tapegrad's 0/1 masks read as booleans elsewhere (maskedFill) and adding 1 to the
 * scores is rarely what is meant.
 * @throws DataError on a boolean mask with values other than 0 and 1, or an ambiguous mask.
 */
export function additiveMask(op: string, name: string, mask: Tensor, kind: MaskKind | undefined, meaning: BoolMeaning): Tensor {
  if (!(mask instanceof Tensor)) throw new DataError(`${op}: ${name} must be a Tensor, got ${mask === null ? "null" : typeof mask}`);
  if (kind === "bool") {
    const values = kernels.readMask(`${op}: ${name}`, mask.array);
    // −∞ where the mask blocks: where it is 0 for "attend" masks, where it is 1 for "block" masks.
    const blocked = meaning === "attend" ? 0 : 1;
    const bias = values.map((v) => (v === blocked ? -Infinity : 0));
    return tensor(bias, { shape: [...mask.shape] });
  }
  if (kind === undefined && mask.size > 0) {
    const values = mask.detach().toFloat64Array();
    if (values.every((v) => v === 0 || v === 1) && values.includes(1)) {
      throw new DataError(
        `${op}: ${name} ${formatShape(mask.shape)} holds only 0s and 1s, which reads two ways: pass maskKind: "bool" ` +
          `(${meaningText(meaning)}) or maskKind: "float" (added to the scores as it is)`,
      );
    }
  }
  return mask;
}

/** @internal The causal mask [L, S] as an additive bias: query i sees keys j ≤ i (−∞ above the diagonal), as torch's tril(ones(L, S)). */
export function causalMask(targetLength: number, sourceLength: number): Tensor {
  const bias = new Float64Array(targetLength * sourceLength);
  for (let i = 0; i < targetLength; i++) for (let j = i + 1; j < sourceLength; j++) bias[i * sourceLength + j] = -Infinity;
  return tensor(bias, { shape: [targetLength, sourceLength] });
}
