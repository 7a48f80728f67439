// What the digits and names explanations share: the row a hand-written gradient check
// prints, the comparison behind it, and the cross-entropy gradient at the logits.
import { Tensor, compareGradients, tensor, type BackwardTrace } from "@tapegrad/autograd";
import type { Module } from "@tapegrad/nn";

/**
 * One step of a hand-written backward pass, a layer at a time from the logits down, and
 * where it can be compared, how far its gradients are from the graph's.
 */
export interface FormulaCheck {
  /** The logits, or a layer by its name in the model and its class (`3 Conv2d`). */
  part: string;
  /** The step's formulas, in the order they are applied. */
  formulas: string[];
  /** The gradients compared with the graph's, by name (`3.weight`, `3.bias`, `logits`); empty for a layer without parameters. */
  compared: string[];
  /** max |graph − formula| over the compared gradients (Infinity when a shape differs); null when nothing is compared. */
  maxDifference: number | null;
}

/** Everything `pnpm explain --model digits|names` prints and writes. */
export interface ModelExplanation {
  /** One line: the network, the batch and the loss. */
  summary: string;
  /** The network, its parameters holding the gradients of this backward pass. */
  model: Module;
  trace: BackwardTrace;
  /** The hand-written backward pass, from the logits down to the first layer. */
  checks: FormulaCheck[];
  loss: number;
  svg: string;
}

/**
 * A step from its formulas and pairs [formula's gradient, tensor whose `.grad` the graph
 * filled], compared through compareGradients so that a shape that differs counts as an
 * infinite difference rather than passing unnoticed. Without pairs, nothing is compared.
 */
export function checkRow(part: string, formulas: string[], pairs: Record<string, readonly [formula: Tensor, graph: Tensor]> = {}): FormulaCheck {
  const compared = Object.keys(pairs);
  const maxDifference = compared.length === 0 ? null : Math.max(...compareGradients(pairs).rows.map((r) => r.maxAbsDiff));
  return { part, formulas, compared, maxDifference };
}

/**
 * The gradient of the mean cross-entropy at the logits, `(softmax(Z) − onehot(y)) / n`,
 * written out with plain loops (the softmax shifted by each row's maximum) so that it
 * shares no code with the loss or its VJPs: the softmax case of the tutorials' `dZ = A − Y`.
 * Logits `[n, C]`, class indices `[n]` → `[n, C]`.
 */
export function crossEntropyLogitsGradient(logits: Tensor, targets: Tensor): Tensor {
  const [n, classes] = logits.shape as [number, number];
  const z = logits.toFloat64Array();
  const y = targets.toFloat64Array();
  const dz = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, z[i * classes + c]!);
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(z[i * classes + c]! - max);
    for (let c = 0; c < classes; c++) dz[i * classes + c] = (Math.exp(z[i * classes + c]! - max) / total - (c === y[i] ? 1 : 0)) / n;
  }
  return tensor(dz, { shape: [n, classes] });
}
