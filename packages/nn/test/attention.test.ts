import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataError, ShapeError, Tensor, gradcheck, gradients, grad, manualSeed, ones, randn, tensor, zeros } from "@tapegrad/autograd";
import { MultiheadAttention, functional } from "../src/index.js";

// scaledDotProductAttention against torch 2.x's reference math written in torch 1.13, and
// MultiheadAttention against torch.nn.MultiheadAttention 1.13 with the same weights
// (scripts/torch_layer_cases/attention.py).
interface Encoded {
  shape: number[];
  /** −∞ (and NaN) as strings. */
  values: (number | string)[];
}
interface SdpaCase {
  query: Encoded;
  key: Encoded;
  value: Encoded;
  output: Encoded;
  cotangent: Encoded;
  grads: Encoded[];
  isCausal: boolean;
  attnMask?: Encoded;
  maskKind?: "bool" | "float";
  maskGrad?: boolean;
  scale?: number;
}
interface MhaCase {
  embedDim: number;
  numHeads: number;
  options: { bias?: boolean; batchFirst?: boolean; dropout?: number; kdim?: number; vdim?: number };
  training: boolean;
  inputs: "self" | "same_kv" | "distinct";
  query: Encoded;
  key: Encoded;
  value: Encoded;
  stateDict: Record<string, Encoded>;
  forward: { needWeights: boolean; averageAttnWeights: boolean };
  attnMask?: Encoded;
  keyPaddingMask?: Encoded;
  maskKind?: "bool" | "float";
  output: Encoded;
  cotangent: Encoded;
  weights?: Encoded;
  weightsCotangent?: Encoded;
  inputGrads: Encoded[];
  paramGrads: Record<string, Encoded>;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-layers-attention.json", import.meta.url), "utf8")) as {
  sdpa: Record<string, SdpaCase>;
  mha: Record<string, MhaCase>;
};
const numbers = (e: Encoded) => Float64Array.from(e.values, Number);
const decode = (e: Encoded) => tensor(numbers(e), { shape: e.shape });
/** PyTorch's snake_case state-dict key in tapegrad's camelCase: in_proj_weight → inProjWeight. */
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Largest |a − b| / max|b| over the tensor: relative to the tensor's largest entry, since
 * attention outputs and gradients are sums of terms of either sign that cancel (an entry
 * near 0 carries the rounding error of the terms it sums, not of itself). Non-finite
 * expected values must match exactly.
 */
function relativeToLargest(actual: Tensor, expected: Encoded): number {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.toFloat64Array();
  const b = numbers(expected);
  const scale = b.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 1e-300);
  let worst = 0;
  b.forEach((v, i) => {
    if (!Number.isFinite(v)) expect(a[i]).toBe(v);
    else worst = Math.max(worst, Math.abs(a[i]! - v) / scale);
  });
  return worst;
}

let worstSdpa = 0;
describe("scaledDotProductAttention agrees with torch 2.x's reference (outputs and gradients of q, k, v and a float mask, 1e-12 of the largest entry)", () => {
  it.each(Object.entries(fixture.sdpa))("%s", (_name, c) => {
    const q = decode(c.query).requiresGrad_(true);
    const k = decode(c.key).requiresGrad_(true);
    const v = decode(c.value).requiresGrad_(true);
    const mask = c.attnMask ? decode(c.attnMask).requiresGrad_(c.maskGrad === true) : undefined;
    const out = functional.scaledDotProductAttention(q, k, v, {
      ...(mask ? { attnMask: mask, maskKind: c.maskKind } : {}),
      isCausal: c.isCausal,
      ...(c.scale !== undefined ? { scale: c.scale } : {}),
    });
    const inputs = mask && c.maskGrad ? [q, k, v, mask] : [q, k, v];
    const grads = gradients(out.mul(decode(c.cotangent)).sum(), inputs);
    const differences = [relativeToLargest(out, c.output), ...grads.map((g, i) => relativeToLargest(g!, c.grads[i]!))];
    worstSdpa = Math.max(worstSdpa, ...differences);
    for (const d of differences) expect(d).toBeLessThanOrEqual(1e-12);
  });
});

let worstMha = 0;
/** The layer of a case, with torch's weights loaded by camelCase key. */
function layerOf(c: MhaCase): MultiheadAttention {
  const layer = new MultiheadAttention(c.embedDim, c.numHeads, c.options);
  layer.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [camel(k), decode(v)])));
  layer.train(c.training);
  return layer;
}

describe("MultiheadAttention agrees with torch.nn.MultiheadAttention 1.13 (outputs, weights, input and parameter gradients, 1e-12 of the largest entry)", () => {
  it.each(Object.entries(fixture.mha))("%s", (_name, c) => {
    const layer = layerOf(c);
    // State-dict keys, their order and shapes are PyTorch's, in camelCase.
    const own = layer.stateDict();
    expect(Object.keys(own)).toEqual(Object.keys(c.stateDict).map(camel));
    for (const [k, v] of Object.entries(c.stateDict)) expect(own[camel(k)]!.shape).toEqual(v.shape);

    const query = decode(c.query).requiresGrad_(true);
    const key = c.inputs === "self" ? query : decode(c.key).requiresGrad_(true);
    const value = c.inputs === "distinct" ? decode(c.value).requiresGrad_(true) : key;
    const { output, weights } = layer.forward(query, key, value, {
      ...c.forward,
      ...(c.attnMask ? { attnMask: decode(c.attnMask) } : {}),
      ...(c.keyPaddingMask ? { keyPaddingMask: decode(c.keyPaddingMask) } : {}),
      ...(c.maskKind ? { maskKind: c.maskKind } : {}),
    });
    let loss = output.mul(decode(c.cotangent)).sum();
    if (c.weights) loss = loss.add(weights!.mul(decode(c.weightsCotangent!)).sum());
    else expect(weights).toBeNull();
    const inputs = c.inputs === "self" ? [query] : c.inputs === "same_kv" ? [query, key] : [query, key, value];
    const names = Object.keys(c.paramGrads);
    const params = Object.fromEntries(layer.namedParameters());
    const grads = gradients(loss, [...inputs, ...names.map((n) => params[camel(n)]!)]);
    const differences = [
      relativeToLargest(output, c.output),
      ...(c.weights ? [relativeToLargest(weights!, c.weights)] : []),
      ...inputs.map((_, i) => relativeToLargest(grads[i]!, c.inputGrads[i]!)),
      ...names.map((n, i) => relativeToLargest(grads[inputs.length + i]!, c.paramGrads[n]!)),
    ];
    worstMha = Math.max(worstMha, ...differences);
    for (const d of differences) expect(d).toBeLessThanOrEqual(1e-12);
  });

  it("covers masks of both kinds, heads averaged and not, batchFirst, unbatched, no bias, kdim/vdim, eval (report of the largest differences)", () => {
    const cases = Object.values(fixture.mha);
    expect(new Set(cases.filter((c) => c.attnMask).map((c) => c.maskKind))).toEqual(new Set(["bool", "float"]));
    expect(new Set(cases.filter((c) => c.keyPaddingMask).map((c) => c.maskKind))).toEqual(new Set(["bool", "float"]));
    expect(cases.some((c) => !c.forward.averageAttnWeights && c.weights)).toBe(true);
    expect(cases.some((c) => c.options.batchFirst)).toBe(true);
    expect(cases.some((c) => c.query.shape.length === 2)).toBe(true);
    expect(cases.some((c) => c.options.bias === false)).toBe(true);
    expect(cases.some((c) => c.options.kdim !== undefined)).toBe(true);
    expect(cases.some((c) => !c.training && (c.options.dropout ?? 0) > 0)).toBe(true);
    console.info(`torch-layers-attention: max difference relative to the largest entry ${worstSdpa.toExponential(2)} (SDPA), ${worstMha.toExponential(2)} (MultiheadAttention)`);
  });
});

describe("the two boolean-mask conventions (as PyTorch's, opposite) and the causal mask", () => {
  const q = randn([2, 3, 4, 8], { seed: 1 });
  const k = randn([2, 3, 5, 8], { seed: 2 });
  const v = randn([2, 3, 5, 6], { seed: 3 });
  it("SDPA: a bool mask keeps where it is 1, the same as a float mask of 0 / −∞", () => {
    const keep = tensor([[1, 0, 1, 1, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 1], [1, 1, 1, 1, 1]]);
    const additive = tensor(keep.toFloat64Array().map((x) => (x === 1 ? 0 : -Infinity)), { shape: [4, 5] });
    const a = functional.scaledDotProductAttention(q, k, v, { attnMask: keep, maskKind: "bool" });
    const b = functional.scaledDotProductAttention(q, k, v, { attnMask: additive });
    expect(a.toArray()).toEqual(b.toArray());
    // Independent: the third query attends only key 4, so it returns value row 4.
    expect(a.select(2, 2).toArray()).toEqual(v.select(2, 4).toArray());
  });
  it("SDPA: isCausal equals a lower-triangular bool mask; a query with no key gets NaN, as PyTorch", () => {
    const tril = tensor([[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0]]);
    const a = functional.scaledDotProductAttention(q, k, v, { isCausal: true });
    const b = functional.scaledDotProductAttention(q, k, v, { attnMask: tril, maskKind: "bool" });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.select(2, 0).toArray()).toEqual(v.select(2, 0).toArray()); // the first query sees the first key only
    const none = tensor([[0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]);
    const nan = functional.scaledDotProductAttention(q, k, v, { attnMask: none, maskKind: "bool" });
    expect(nan.select(2, 0).toFloat64Array().every(Number.isNaN)).toBe(true);
  });
  it("MultiheadAttention: a bool mask blocks where it is 1, so the SDPA mask is its complement", () => {
    manualSeed(4);
    const layer = new MultiheadAttention(8, 2);
    const x = randn([4, 2, 8], { seed: 5 });
    const block = tensor([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]]);
    const a = layer.forward(x, x, x, { attnMask: block, maskKind: "bool" });
    const b = layer.forward(x, x, x, { isCausal: true });
    expect(a.output.toArray()).toEqual(b.output.toArray());
    expect(a.weights!.toArray()).toEqual(b.weights!.toArray());
    // Weights above the diagonal are 0 and rows sum to 1.
    const w = a.weights!.toArray() as number[][][];
    for (const row of w[0]!.entries()) {
      const [i, values] = row;
      values.forEach((value, j) => (j > i ? expect(value).toBe(0) : expect(value).toBeGreaterThan(0)));
      expect(values.reduce((s, y) => s + y)).toBeCloseTo(1, 14);
    }
    // isCausal adds to a given mask: with a padding mask too, and combining is idempotent with a causal attnMask.
    const pad = tensor([[0, 0, 0, 1], [0, 0, 0, 0]]);
    const both = layer.forward(x, x, x, { attnMask: block, keyPaddingMask: pad, maskKind: "bool" });
    const again = layer.forward(x, x, x, { attnMask: block, keyPaddingMask: pad, maskKind: "bool", isCausal: true });
    expect(again.output.toArray()).toEqual(both.output.toArray());
    expect((both.weights!.toArray() as number[][][])[0]!.map((row) => row[3])).toEqual([0, 0, 0, 0]);
  });
  it("a 0/1 mask without maskKind is refused as ambiguous; maskKind 'float' adds it as it is", () => {
    const mask = tensor([[1, 0, 1, 1, 0], [1, 1, 0, 0, 0], [0, 0, 0, 0, 1], [1, 1, 1, 1, 1]]);
    expect(() => functional.scaledDotProductAttention(q, k, v, { attnMask: mask })).toThrow(
      'scaledDotProductAttention: attnMask [4,5] holds only 0s and 1s, which reads two ways: pass maskKind: "bool" (1 = may attend',
    );
    const layer = new MultiheadAttention(8, 2, { seed: 1 });
    const x = randn([4, 2, 8], { seed: 5 });
    expect(() => layer.forward(x, x, x, { keyPaddingMask: zeros([2, 4]).add(tensor([0, 0, 0, 1])) })).toThrow(/keyPaddingMask \[2,4\] holds only 0s and 1s.*1 = masked out/);
    const added = functional.scaledDotProductAttention(q, k, v, { attnMask: mask, maskKind: "float" });
    const byHand = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(8)).add(mask).softmax(-1).matmul(v);
    expect(relativeToLargest(added, { shape: byHand.shape as number[], values: Array.from(byHand.toFloat64Array()) })).toBeLessThan(1e-15);
    // An all-zero mask is no bias at all, and not ambiguous.
    const zero = functional.scaledDotProductAttention(q, k, v, { attnMask: zeros([4, 5]) });
    expect(zero.toArray()).toEqual(functional.scaledDotProductAttention(q, k, v).toArray());
  });
});

describe("scaledDotProductAttention options", () => {
  const q = randn([3, 4], { seed: 1 });
  const k = randn([5, 4], { seed: 2 });
  const v = randn([5, 2], { seed: 3 });
  it("is softmax(q·kᵀ/√E)·v, by hand for one query", () => {
    const out = functional.scaledDotProductAttention(q.slice(0, 0, 1), k, v).toFloat64Array();
    const qa = q.toFloat64Array();
    const ka = k.toFloat64Array();
    const va = v.toFloat64Array();
    const scores = [0, 1, 2, 3, 4].map((j) => [0, 1, 2, 3].reduce((s, e) => s + qa[e]! * ka[j * 4 + e]!, 0) / 2);
    const top = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - top));
    const total = exps.reduce((a, b) => a + b);
    [0, 1].forEach((f) => expect(out[f]).toBeCloseTo(exps.reduce((s, e, j) => s + (e / total) * va[j * 2 + f]!, 0), 14));
  });
  it("passes gradcheck in q, k, v and a float mask, to first and second order", () => {
    const inputs = [q, k, v, randn([3, 5], { seed: 4 })].map((t) => t.detach().requiresGrad_(true));
    const f = (a: Tensor, b: Tensor, c: Tensor, m: Tensor) => functional.scaledDotProductAttention(a, b, c, { attnMask: m }).tanh().sum();
    expect(gradcheck(f, inputs).passed).toBe(true);
    // Second order: the gradient in q, itself differentiated.
    const dq = (a: Tensor, b: Tensor, c: Tensor, m: Tensor) => grad((x: Tensor) => f(x, b, c, m))(a).square().sum();
    expect(gradcheck(dq, inputs).passed).toBe(true);
  });
  it("dropoutP drops attention weights with a seed, reproducibly; 1 drops everything", () => {
    const a = functional.scaledDotProductAttention(q, k, v, { dropoutP: 0.5, seed: 7 });
    const b = functional.scaledDotProductAttention(q, k, v, { dropoutP: 0.5, seed: 7 });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.toArray()).not.toEqual(functional.scaledDotProductAttention(q, k, v).toArray());
    expect(functional.scaledDotProductAttention(q, k, v, { dropoutP: 1 }).toArray()).toEqual(zeros([3, 2]).toArray());
  });
  it("refuses what PyTorch refuses, naming the shapes", () => {
    const sdpa = functional.scaledDotProductAttention;
    expect(() => sdpa(q, k, v, { attnMask: zeros([3, 5]), isCausal: true })).toThrow("scaledDotProductAttention: give either attnMask or isCausal, not both");
    expect(() => sdpa(q, randn([5, 3]), v)).toThrow("scaledDotProductAttention: query and key must end in the same size E: query [3,4], key [5,3], value [5,2]");
    expect(() => sdpa(q, k, randn([4, 2]))).toThrow(ShapeError);
    expect(() => sdpa(tensor([1, 2]), k, v)).toThrow("scaledDotProductAttention: query must be [..., length, features], got [2]");
    expect(() => sdpa(q, k, v, { attnMask: zeros([4, 5]) })).toThrow("scaledDotProductAttention: attnMask [4,5] does not broadcast to the scores [3,5] ([..., L, S])");
    expect(() => sdpa(q, k, v, { attnMask: tensor([[0.5, 1, 1, 1, 1]]), maskKind: "bool" })).toThrow(/attnMask: mask value 0.5 .* is not 0 or 1/);
    expect(() => sdpa(q, k, v, { dropout_p: 0.1 } as never)).toThrow('scaledDotProductAttention: unknown option "dropout_p"; did you mean "dropoutP"?');
    expect(() => sdpa(q, k, v, { dropoutP: 1.5 })).toThrow("scaledDotProductAttention: dropoutP must be a number in [0, 1], got 1.5");
    expect(() => sdpa(q, k, v, { maskKind: "boolean" } as never)).toThrow('scaledDotProductAttention: maskKind must be "bool" or "float", got "boolean"');
    expect(() => sdpa(randn([2, 3, 4]), randn([3, 5, 4]), randn([3, 5, 2]))).toThrow("scaledDotProductAttention: the leading dimensions do not broadcast");
  });
});

describe("MultiheadAttention construction, state and errors", () => {
  it("has PyTorch's parameters, state-dict keys and initialisation", () => {
    const layer = new MultiheadAttention(16, 4, { seed: 3 });
    expect(layer.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([
      ["inProjWeight", [48, 16]],
      ["inProjBias", [48]],
      ["outProj.weight", [16, 16]],
      ["outProj.bias", [16]],
    ]);
    // xavier_uniform on [3E, E]: |w| ≤ √(6 / (E + 3E)), spread over that range; zero biases; outProj as a Linear.
    const bound = Math.sqrt(6 / 64);
    const w = layer.inProjWeight!.toFloat64Array();
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(layer.inProjBias!.toArray()).toEqual(zeros([48]).toArray());
    expect(layer.outProj.bias!.toArray()).toEqual(zeros([16]).toArray());
    const o = layer.outProj.weight.toFloat64Array();
    expect(Math.max(...o.map(Math.abs))).toBeLessThanOrEqual(1 / 4);
    expect(new MultiheadAttention(16, 4, { seed: 3 }).inProjWeight!.toArray()).toEqual(layer.inProjWeight!.toArray());
    expect(Object.keys(new MultiheadAttention(6, 2, { kdim: 4, vdim: 5, bias: false }).stateDict())).toEqual(["qProjWeight", "kProjWeight", "vProjWeight", "outProj.weight"]);
  });
  it("prints as PyTorch prints it (the child only)", () => {
    expect(String(new MultiheadAttention(4, 2))).toBe("MultiheadAttention(\n  (outProj): Dense(inFeatures=4, outFeatures=4, bias=true)\n)");
  });
  it("unbatched, seq-first and batch-first inputs give the same numbers", () => {
    const layer = new MultiheadAttention(6, 3, { seed: 2 });
    const first = new MultiheadAttention(6, 3, { batchFirst: true });
    first.loadStateDict(layer.stateDict());
    const x = randn([5, 2, 6], { seed: 4 });
    const seq = layer.forward(x, x, x);
    const batch = first.forward(x.transpose(0, 1), x.transpose(0, 1), x.transpose(0, 1));
    expect(batch.output.shape).toEqual([2, 5, 6]);
    expect(batch.output.transpose(0, 1).toArray()).toEqual(seq.output.toArray());
    const one = layer.forward(x.select(1, 1), x.select(1, 1), x.select(1, 1), { averageAttnWeights: false });
    expect(one.weights!.shape).toEqual([3, 5, 5]);
    const gap = one.output.sub(seq.output.select(1, 1)).abs().max().item();
    expect(gap).toBeLessThan(1e-15);
  });
  it("dropout applies to the weights in training mode only", () => {
    const layer = new MultiheadAttention(4, 2, { dropout: 0.5, seed: 1 });
    const x = randn([3, 2, 4], { seed: 2 });
    manualSeed(9);
    const trained = layer.forward(x, x, x).weights!;
    layer.eval();
    const evaluated = layer.forward(x, x, x).weights!;
    expect(trained.toArray()).not.toEqual(evaluated.toArray());
    expect(layer.forward(x, x, x).weights!.toArray()).toEqual(evaluated.toArray());
    // Averaged eval weights are a distribution per query.
    evaluated.sum(-1).toFloat64Array().forEach((s) => expect(s).toBeCloseTo(1, 14));
  });
  it("checks options and shapes before computing anything", () => {
    expect(() => new MultiheadAttention(6, 4)).toThrow("MultiheadAttention: embedDim 6 must be divisible by numHeads 4");
    expect(() => new MultiheadAttention(6, 2, { batch_first: true } as never)).toThrow('MultiheadAttention: unknown option "batch_first"; did you mean "batchFirst"?');
    expect(() => new MultiheadAttention(6, 2, { addBiasKv: true })).toThrow("MultiheadAttention: addBiasKv is not supported");
    expect(() => new MultiheadAttention(6, 2, { dropout: 2 })).toThrow("MultiheadAttention: dropout must be a number in [0, 1], got 2");
    expect(() => new MultiheadAttention(6, 2, { kdim: 0 })).toThrow("MultiheadAttention: kdim must be a positive integer, got 0");
    const layer = new MultiheadAttention(6, 2);
    const x = randn([4, 2, 6], { seed: 1 });
    expect(() => layer.forward(x, randn([4, 2, 5]), x)).toThrow(
      "MultiheadAttention: expected [L, N, E], [S, N, kdim], [S, N, vdim] with E=6, kdim=6, vdim=6 and one N and S, got query [4,2,6], key [4,2,5], value [4,2,6]",
    );
    expect(() => layer.forward(x, x.select(1, 0), x)).toThrow("MultiheadAttention: expected query, key, value all 3-D (batched) or all 2-D (unbatched)");
    expect(() => layer.forward(x, x, x, { attnMask: zeros([4, 3]) })).toThrow("MultiheadAttention: attnMask must be [4, 4] (L, S) or [4, 4, 4] (N·numHeads, L, S), got [4,3]");
    expect(() => layer.forward(x, x, x, { keyPaddingMask: zeros([4]), maskKind: "bool" })).toThrow("MultiheadAttention: keyPaddingMask must be [2,4] (N, S), got [4]");
    expect(() => layer.forward(x, x, x, { key_padding_mask: zeros([2, 4]) } as never)).toThrow('MultiheadAttention.forward: unknown option "key_padding_mask"; did you mean "keyPaddingMask"?');
    expect(() => layer.forward(x, x, x, { attnMask: ones([4, 4]).mul(2), maskKind: "bool" })).toThrow(DataError);
    expect(layer.forward(x, x, x, { needWeights: false }).weights).toBeNull();
  });
});
