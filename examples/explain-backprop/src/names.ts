import { Generator, Tensor, manualSeed, noGrad, tensor, toSvg, traceBackward } from "@tapegrad/autograd";
import { CrossEntropyLoss, type Module } from "@tapegrad/nn";
import { Vocabulary, contextWindows, loadNames } from "../../names/src/data.js";
import { Mlp } from "../../names/src/models.js";
import { defaults } from "../../names/src/options.js";
import { checkRow, crossEntropyLogitsGradient, type FormulaCheck, type ModelExplanation } from "./checks.js";
import { checkSamples } from "./models.js";

/** What to explain of the names MLP. */
export interface NamesExplainOptions {
  /** Context windows in the batch (default 4; at least 2, as batch norm needs two values per feature). */
  samples?: number;
  /** Seed of the choice of windows and of the weights (default 0). */
  seed?: number;
  /** Record gradient values in the trace, as traceBackward's `values` (default false). */
  values?: boolean | number;
}

/** Each listed layer's input and output in the last forward pass, caught by forward hooks. */
function recordForward(layers: Record<string, Module>, run: () => Tensor): { output: Tensor; seen: Record<string, { input: Tensor; output: Tensor }> } {
  const seen: Record<string, { input: Tensor; output: Tensor }> = {};
  const handles = Object.entries(layers).map(([name, layer]) =>
    layer.registerForwardHook((_, inputs, output) => {
      seen[name] = { input: (inputs as Tensor[])[0]!, output: output as Tensor };
    }),
  );
  try {
    return { output: run(), seen };
  } finally {
    for (const handle of handles) handle.remove();
  }
}

/**
 * One backward pass of the names example's MLP (makemore part 3: embeddings of the last 3
 * characters, a Linear without bias, BatchNorm1d on the batch's statistics, tanh, a Linear
 * to the logits; the names example's default sizes, weights from `seed`) on `samples`
 * context windows of the real names with the mean cross-entropy: the trace (parameters by
 * their names in the model, the contexts as `X`, the intermediates as makemore part 4
 * names them: emb, embcat, hprebn, hpreact, h, logits), the graph as SVG, and the same
 * pass again from hand-written formulas, a layer at a time from the logits down, as
 * makemore part 4 writes them: `dZ = (softmax(Z) − onehot(y)) / n`, the linear layers'
 * `dW = dZᵀ·A_prev`, tanh's `1 − h²`, batch norm's backward, and the embedding's gradient
 * as a scatter-add of the first layer's input gradient into the rows of the characters
 * that were looked up; each parameter's gradient compared with the graph's.
 * @throws Error when samples is outside `models.names`' bounds (2 to 256).
 */
export function explainNames(options: NamesExplainOptions = {}): ModelExplanation {
  const { samples = 4, seed = 0, values = false } = options;
  checkSamples("names", samples);
  const allNames = loadNames();
  const vocabulary = new Vocabulary(allNames);
  const block = defaults.context;
  const windows = contextWindows(allNames, vocabulary, block);
  const rows = new Generator(seed).permutation(windows.count).slice(0, samples);
  const X = tensor(Float64Array.from(rows.flatMap((r) => Array.from(windows.contexts.subarray(r * block, (r + 1) * block)))), { shape: [samples, block] });
  const y = tensor(Float64Array.from(rows, (r) => windows.targets[r]!), { shape: [samples] });
  manualSeed(seed);
  const model = new Mlp({ vocabularySize: vocabulary.size, blockSize: block, embeddingDim: defaults.embedding, hiddenSize: defaults.hidden });
  const { output: logits, seen } = recordForward(
    { embedding: model.embedding, hidden: model.hidden, norm: model.norm, activation: model.activation },
    () => model.forward(X),
  );
  logits.retainGrad();
  const loss = new CrossEntropyLoss().forward(logits, y);
  // The intermediates as makemore part 4 names them, so that the trace, the picture and the
  // formulas below speak of the same tensors: emb → embcat → hprebn → hpreact (batch norm,
  // through bnraw) → h (tanh) → logits.
  const emb = seen.embedding!.output;
  const embcat = seen.hidden!.input;
  const hprebn = seen.norm!.input;
  const hpreact = seen.norm!.output;
  const h = seen.activation!.output;
  const names = Object.fromEntries([["X", X], ["emb", emb], ["embcat", embcat], ["hprebn", hprebn], ["hpreact", hpreact], ["h", h], ["logits", logits], ...model.namedParameters()]);
  const trace = traceBackward(loss, { values, names });

  const checks: FormulaCheck[] = [];
  noGrad(() => {
    const dZ = crossEntropyLogitsGradient(logits, y);
    checks.push(checkRow("logits", ["dZ = (softmax(Z) − onehot(y)) / n"], { logits: [dZ, logits] }));
    checks.push(
      checkRow("output Linear", ["dW = dZᵀ·h", "db = Σ_rows dZ", "dh = dZ·W"], {
        "output.weight": [dZ.t().matmul(h), model.output.weight],
        "output.bias": [dZ.sum(0), model.output.bias!],
      }),
    );
    const dhpreact = dZ.matmul(model.output.weight).mul(h.square().neg().add(1));
    checks.push(checkRow("activation Tanh", ["dhpreact = dh ⊙ (1 − h²)"]));
    // Batch norm in training normalises with the batch's mean and biased variance.
    const mean = hprebn.mean(0);
    const inverseStd = hprebn.sub(mean).square().mean(0).add(model.norm.eps).rsqrt();
    const bnraw = hprebn.sub(mean).mul(inverseStd);
    const gamma = model.norm.weight!;
    const dbnraw = dhpreact.mul(gamma);
    const dhprebn = dbnraw.sub(dbnraw.mean(0)).sub(bnraw.mul(dbnraw.mul(bnraw).mean(0))).mul(inverseStd);
    checks.push(
      checkRow(
        "norm BatchNorm1d",
        [
          "bnraw = (hprebn − mean) / √(var + ε), the batch's mean and biased variance",
          "dγ = Σ_rows dhpreact ⊙ bnraw",
          "dβ = Σ_rows dhpreact",
          "dbnraw = dhpreact ⊙ γ",
          "dhprebn = (dbnraw − mean(dbnraw) − bnraw ⊙ mean(dbnraw ⊙ bnraw)) / √(var + ε)",
        ],
        { "norm.weight": [dhpreact.mul(bnraw).sum(0), gamma], "norm.bias": [dhpreact.sum(0), model.norm.bias!] },
      ),
    );
    checks.push(checkRow("hidden Linear", ["dW = dhprebnᵀ·embcat", "dembcat = dhprebn·W"], { "hidden.weight": [dhprebn.t().matmul(embcat), model.hidden.weight] }));
    const dim = defaults.embedding;
    const demb = dhprebn.matmul(model.hidden.weight).toFloat64Array(); // [n, block·dim] read as [n, block, dim]
    checks.push(checkRow("reshape", [`demb = dembcat reshaped to [n,${block},${dim}]`]));
    // Each character looked up sends its slice of the gradient back to its row of the table.
    const table = new Float64Array(vocabulary.size * dim);
    const contexts = X.toFloat64Array();
    for (let i = 0; i < samples; i++) {
      for (let j = 0; j < block; j++) {
        const row = contexts[i * block + j]!;
        for (let d = 0; d < dim; d++) table[row * dim + d] += demb[(i * block + j) * dim + d]!;
      }
    }
    checks.push(
      checkRow("embedding Embedding", ["dC[v] = Σ_{i,j: X[i,j] = v} demb[i,j], a scatter-add"], {
        "embedding.weight": [tensor(table, { shape: [vocabulary.size, dim] }), model.embedding.weight],
      }),
    );
  });
  const shown = rows.slice(0, 6).map((r) => `${vocabulary.decode(Array.from(windows.contexts.subarray(r * block, (r + 1) * block)))}→${vocabulary.decode([windows.targets[r]!])}`);
  const windowsText = `${shown.join(", ")}${samples > shown.length ? ", …" : ""}`;
  const lossValue = loss.item();
  return {
    summary:
      `the names MLP (embedding ${vocabulary.size}×${defaults.embedding}, context ${block}, linear ${block * defaults.embedding}→${defaults.hidden} without bias, ` +
      `batch norm, tanh, linear ${defaults.hidden}→${vocabulary.size}) on ${samples} context windows (${windowsText}), cross-entropy loss ${lossValue.toFixed(6)}`,
    model,
    trace,
    checks,
    loss: lossValue,
    svg: toSvg(loss, { names, title: `Graph of the cross-entropy loss of the names MLP on ${samples} context windows` }),
  };
}
