// The attention layers.
import { DataError, ShapeError, Tensor, linear, zeros } from "@tapegrad/autograd";
import { formatShape, pickGenerator, type Generator, type Seed } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { Dense } from "./dense.js";
import { xavierUniform, zeros as fillZeros } from "../init.js";
import { checkBoolean, checkOptions, optionalNumber } from "../options.js";
import { additiveMask, causalMask, readMaskKind, type MaskKind } from "../functional/attention-core.js";
import { dropout } from "../functional/dropout.js";

/** Options of MultiheadAttention, as torch.nn.MultiheadAttention's keywords. */
export interface MultiheadAttentionOptions {
  /** Biases in the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output are `[N, L, E]` instead of `[L, N, E]` (default false, as PyTorch). */
  batchFirst?: boolean;
  /** Dropout probability on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Feature size of the key (default embedDim); another size gives separate q/k/v projection weights, as PyTorch. */
  kdim?: number;
  /** Feature size of the value (default embedDim). */
  vdim?: number;
  /** Not supported (PyTorch's learned key/value bias row); only false is accepted. */
  addBiasKv?: boolean;
  /** Not supported (PyTorch's zero attention row); only false is accepted. */
  addZeroAttn?: boolean;
  /** Seed for the initial weights; the default generator (manualSeed) is used otherwise. */
  seed?: Seed;
  /** Generator for the initial weights. */
  generator?: Generator;
}

/** Options of `MultiheadAttention.forward`, as the keywords of torch.nn.MultiheadAttention.forward. */
export interface MultiheadAttentionForwardOptions {
  /**
   * `[L, S]` (every batch entry and head) or `[N·numHeads, L, S]` (`[numHeads, L, S]`
   * unbatched): with `maskKind: "bool"` a 0/1 mask where 1 means the query may NOT attend
   * that key (PyTorch's boolean attn_mask; the opposite of scaledDotProductAttention's), else
   * added to the scores.
   */
  attnMask?: Tensor | null;
  /**
   * `[N, S]` (`[S]` unbatched): with `maskKind: "bool"` 1 marks a key as padding, ignored by
   * every query (PyTorch's boolean key_padding_mask), else added to the scores.
   */
  keyPaddingMask?: Tensor | null;
  /** How attnMask and keyPaddingMask are read: "float" (added, the default) or "bool" (1 = masked out). A 0/1 mask without a kind is refused as ambiguous. */
  maskKind?: MaskKind;
  /** Return the attention weights (default true); `weights` is null otherwise. */
  needWeights?: boolean;
  /** Average the returned weights over the heads (default true): `[N, L, S]`, else `[N, numHeads, L, S]`. */
  averageAttnWeights?: boolean;
  /** Adds the causal mask (query i sees keys j ≤ i) to any attnMask given (default false). */
  isCausal?: boolean;
}

/** What `MultiheadAttention.forward` returns. */
export interface MultiheadAttentionOutput {
  /** `[L, N, E]`, `[N, L, E]` with batchFirst, or `[L, E]` unbatched. */
  output: Tensor;
  /** The attention weights (after dropout, as PyTorch returns them), or null when needWeights is false. */
  weights: Tensor | null;
}

/** The arguments of `MultiheadAttention.forward` (what its forward pre-hooks see). */
export type MultiheadAttentionForwardArgs = [query: Tensor, key: Tensor, value: Tensor, options?: MultiheadAttentionForwardOptions];

/**
 * Multi-head attention, as torch.nn.MultiheadAttention (torch 1.13): queries, keys and
 * values are projected by the packed `inProjWeight` `[3E, E]` (rows for q, k, v) and
 * `inProjBias` `[3E]`, split into `numHeads` heads of E/numHeads features, attended with
 * softmax(q·kᵀ/√(E/numHeads) + mask)·v, joined and projected by `outProj` (a Dense). With
 * kdim or vdim other than E the projections are `qProjWeight` `[E, E]`, `kProjWeight`
 * `[E, kdim]` and `vProjWeight` `[E, vdim]` instead of `inProjWeight`, as PyTorch.
 * State-dict keys: `inProjWeight`, `inProjBias`, `outProj.weight`, `outProj.bias`.
 * Initialised as PyTorch: Xavier-uniform projection weights, zero biases, outProj's weight
 * as a Linear's. Inputs `[L, N, E]` (query) and `[S, N, kdim]`, `[S, N, vdim]` (key, value),
 * `[N, L, E]`… with batchFirst, or unbatched `[L, E]`, `[S, kdim]`, `[S, vdim]`.
 */
export class MultiheadAttention extends Module<MultiheadAttentionForwardArgs, MultiheadAttentionOutput> {
  /** `[3E, E]`: the q, k and v projections stacked; null when kdim or vdim differ from E. */
  inProjWeight: Parameter | null;
  /** `[E, E]` when kdim or vdim differ from E, else null. */
  qProjWeight: Parameter | null;
  /** `[E, kdim]` when kdim or vdim differ from E, else null. */
  kProjWeight: Parameter | null;
  /** `[E, vdim]` when kdim or vdim differ from E, else null. */
  vProjWeight: Parameter | null;
  /** `[3E]`: the q, k and v biases; null without bias. */
  inProjBias: Parameter | null;
  /** The output projection, E → E. */
  outProj: Dense;
  /** E / numHeads. */
  readonly headDim: number;
  /** Feature size of the key. */
  readonly kdim: number;
  /** Feature size of the value. */
  readonly vdim: number;
  /** Inputs and outputs are batch-first. */
  readonly batchFirst: boolean;
  /** Dropout probability on the attention weights in training mode. */
  readonly dropout: number;

  /**
   * @throws DataError when embedDim or numHeads is not a positive integer, embedDim is not
   *   divisible by numHeads, on an unknown option, a dropout outside [0, 1], or addBiasKv /
   *   addZeroAttn set (not supported).
   */
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    options: MultiheadAttentionOptions = {},
  ) {
    super();
    const op = "MultiheadAttention";
    for (const [name, v] of [["embedDim", embedDim], ["numHeads", numHeads]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new DataError(`${op}: ${name} must be a positive integer, got ${v}`);
    }
    if (embedDim % numHeads !== 0) throw new DataError(`${op}: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    const o = checkOptions(op, options, ["bias", "batchFirst", "dropout", "kdim", "vdim", "addBiasKv", "addZeroAttn", "seed", "generator"]);
    const bias = checkBoolean(op, "bias", o.bias, true);
    this.batchFirst = checkBoolean(op, "batchFirst", o.batchFirst, false);
    this.dropout = optionalNumber(op, "dropout", o.dropout, 0, (v) => v >= 0 && v <= 1, "a number in [0, 1]");
    const size = (v: number) => Number.isInteger(v) && v > 0;
    this.kdim = optionalNumber(op, "kdim", o.kdim ?? undefined, embedDim, size, "a positive integer");
    this.vdim = optionalNumber(op, "vdim", o.vdim ?? undefined, embedDim, size, "a positive integer");
    for (const name of ["addBiasKv", "addZeroAttn"] as const) {
      if (checkBoolean(op, name, o[name], false)) throw new DataError(`${op}: ${name} is not supported`);
    }
    this.headDim = embedDim / numHeads;
    const random = { generator: pickGenerator(o, op) };
    // Created in PyTorch's order (projection weights, inProjBias, outProj), which is the state dict's order.
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.inProjWeight = new Parameter(zeros([3 * embedDim, embedDim]));
      this.qProjWeight = this.kProjWeight = this.vProjWeight = null;
    } else {
      this.inProjWeight = null;
      this.qProjWeight = new Parameter(zeros([embedDim, embedDim]));
      this.kProjWeight = new Parameter(zeros([embedDim, this.kdim]));
      this.vProjWeight = new Parameter(zeros([embedDim, this.vdim]));
    }
    this.inProjBias = bias ? new Parameter(zeros([3 * embedDim])) : null;
    this.outProj = new Dense(embedDim, embedDim, { bias, ...random });
    // PyTorch's _reset_parameters: Xavier-uniform projections (the packed one as one [3E, E] matrix), zero biases.
    for (const w of [this.inProjWeight, this.qProjWeight, this.kProjWeight, this.vProjWeight]) if (w) xavierUniform(w, random);
    if (this.inProjBias) fillZeros(this.inProjBias);
    if (this.outProj.bias) fillZeros(this.outProj.bias);
  }

  /**
   * Attends the queries to the keys: returns `{ output, weights }` with output
   * `[L, N, E]` (`[N, L, E]` with batchFirst, `[L, E]` unbatched) and weights `[N, L, S]`
   * averaged over the heads (`[N, numHeads, L, S]` with `averageAttnWeights: false`,
   * without N unbatched), or null with `needWeights: false`. Boolean masks
   * (`maskKind: "bool"`) mark with 1 what may NOT be attended, as PyTorch's
   * MultiheadAttention; float masks are added to the scores; `isCausal` adds the causal
   * mask. Dropout on the weights applies in training mode only. A query that may attend no
   * key gets NaN, as in PyTorch.
   * @throws ShapeError when the inputs are not all 3-D or all 2-D, their feature sizes are
   *   not E, kdim and vdim, their lengths or batch sizes disagree, or a mask's shape does
   *   not fit; DataError on an unknown option, a boolean mask with values other than 0 and
   *   1, or a 0/1 mask without maskKind.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): MultiheadAttentionOutput {
    const op = "MultiheadAttention";
    const o = checkOptions(`${op}.forward`, options, ["attnMask", "keyPaddingMask", "maskKind", "needWeights", "averageAttnWeights", "isCausal"]);
    const kind = readMaskKind(`${op}.forward`, o.maskKind);
    const needWeights = checkBoolean(`${op}.forward`, "needWeights", o.needWeights, true);
    const average = checkBoolean(`${op}.forward`, "averageAttnWeights", o.averageAttnWeights, true);
    const isCausal = checkBoolean(`${op}.forward`, "isCausal", o.isCausal, false);
    for (const [name, t] of [["query", query], ["key", key], ["value", value]] as const) {
      if (!(t instanceof Tensor)) throw new DataError(`${op}: ${name} must be a Tensor, got ${t === null ? "null" : typeof t}`);
    }
    const E = this.embedDim;
    const H = this.numHeads;
    const batched = query.ndim === 3;
    const shapes = `query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)}`;
    const layout = !batched ? "[L, E], [S, kdim], [S, vdim]" : this.batchFirst ? "[N, L, E], [N, S, kdim], [N, S, vdim]" : "[L, N, E], [S, N, kdim], [S, N, vdim]";
    if ((query.ndim !== 2 && query.ndim !== 3) || key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new ShapeError(`${op}: expected query, key, value all 3-D (batched) or all 2-D (unbatched), got ${shapes}`);
    }
    // Seq-first views: [L, N, E]; unbatched inputs get N = 1.
    const seqFirst = (t: Tensor) => (!batched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
    let q = seqFirst(query);
    let k = seqFirst(key);
    let v = seqFirst(value);
    const [L, N] = q.shape as [number, number, number];
    const S = k.shape[0]!;
    if (q.shape[2] !== E || k.shape[2] !== this.kdim || v.shape[2] !== this.vdim || k.shape[1] !== N || v.shape[1] !== N || v.shape[0] !== S) {
      throw new ShapeError(`${op}: expected ${layout} with E=${E}, kdim=${this.kdim}, vdim=${this.vdim} and one N and S, got ${shapes}`);
    }
    const bias = this.maskBias(o.attnMask, o.keyPaddingMask, kind, isCausal, { L, S, N, batched });

    // Input projections, as torch's _in_projection_packed: one product for self-attention.
    if (this.inProjWeight !== null) {
      const w = this.inProjWeight;
      const b = this.inProjBias;
      if (query === key && key === value) {
        [q, k, v] = linear(q, w, b).chunk(3, -1) as [Tensor, Tensor, Tensor];
      } else {
        const [wq, wk, wv] = w.chunk(3, 0) as [Tensor, Tensor, Tensor];
        const [bq, bk, bv] = b === null ? [null, null, null] : (b.chunk(3, 0) as [Tensor, Tensor, Tensor]);
        [q, k, v] = [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
      }
    } else {
      const [bq, bk, bv] = this.inProjBias === null ? [null, null, null] : (this.inProjBias.chunk(3, 0) as [Tensor, Tensor, Tensor]);
      [q, k, v] = [linear(q, this.qProjWeight!, bq), linear(k, this.kProjWeight!, bk), linear(v, this.vProjWeight!, bv)];
    }
    // Heads: [L, N, E] → [N·H, L, headDim], batch entry n and head h at n·H + h.
    const heads = (t: Tensor, length: number) => t.reshape(length, N * H, this.headDim).transpose(0, 1);
    // softmax(q/√d · kᵀ + mask) · v, in torch 1.13's order (the query scaled before the product).
    let scores = heads(q, L).div(Math.sqrt(this.headDim)).matmul(heads(k, S).transpose(1, 2));
    if (bias !== null) scores = scores.add(bias);
    const weights = dropout(scores.softmax(-1), this.dropout, this.training);
    const attended = weights.matmul(heads(v, S)).transpose(0, 1).reshape(L * N, E);
    let output = this.outProj.forward(attended).reshape(L, N, E);
    output = !batched ? output.squeeze(1) : this.batchFirst ? output.transpose(0, 1) : output;
    if (!needWeights) return { output, weights: null };
    let w = weights.reshape(N, H, L, S);
    if (average) w = w.sum(1).div(H);
    return { output, weights: batched ? w : w.squeeze(0) };
  }

  /**
   * The masks as one additive bias broadcasting to the scores `[N·H, L, S]`, or null:
   * attnMask `[L, S]` or `[N·H, L, S]`, keyPaddingMask `[N, S]` spread over the heads as
   * `[N·H, 1, S]`, and the causal mask, added (a boolean mask's −∞ where it masks).
   */
  private maskBias(
    attnMask: unknown,
    keyPaddingMask: unknown,
    kind: MaskKind | undefined,
    isCausal: boolean,
    { L, S, N, batched }: { L: number; S: number; N: number; batched: boolean },
  ): Tensor | null {
    const op = "MultiheadAttention";
    const H = this.numHeads;
    let bias: Tensor | null = null;
    if (attnMask !== undefined && attnMask !== null) {
      const mask = additiveMask(op, "attnMask", attnMask as Tensor, kind, "block");
      const perHead = batched ? `[${N * H}, ${L}, ${S}] (N·numHeads, L, S)` : `[${H}, ${L}, ${S}] (numHeads, L, S)`;
      const fits = (mask.ndim === 2 && mask.shape[0] === L && mask.shape[1] === S) || (mask.ndim === 3 && mask.shape[0] === N * H && mask.shape[1] === L && mask.shape[2] === S);
      if (!fits) throw new ShapeError(`${op}: attnMask must be [${L}, ${S}] (L, S) or ${perHead}, got ${formatShape(mask.shape)}`);
      bias = mask;
    }
    if (keyPaddingMask !== undefined && keyPaddingMask !== null) {
      const mask = additiveMask(op, "keyPaddingMask", keyPaddingMask as Tensor, kind, "block");
      const expected = batched ? [N, S] : [S];
      if (mask.ndim !== expected.length || mask.shape.some((s, i) => s !== expected[i])) {
        throw new ShapeError(`${op}: keyPaddingMask must be ${formatShape(expected)} (${batched ? "N, S" : "S"}), got ${formatShape(mask.shape)}`);
      }
      // [N, S] → [N, H, 1, S] → [N·H, 1, S]: every head of a batch entry ignores the same keys.
      const spread = mask.reshape(N, 1, 1, S).expand(N, H, 1, S).reshape(N * H, 1, S);
      bias = bias === null ? spread : bias.add(spread);
    }
    if (isCausal) bias = bias === null ? causalMask(L, S) : bias.add(causalMask(L, S));
    return bias;
  }
}
