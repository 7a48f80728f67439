import { DataError, checkBoolean, checkOptions, formatShape } from "@tapegrad/tensor";
import { runBackward, seedGradient, type BackwardOptions } from "../engine.js";
import type { Node } from "../node.js";
import { Tensor } from "../tensor.js";
import { resolveNames, type Naming, type TensorNames } from "./names.js";

/** A gradient as a trace records it. */
export interface TracedGradient {
  shape: number[];
  /** L2 norm. */
  norm: number;
  /** Every value in row-major order; present when the trace was asked for `values`. */
  values?: number[];
}

/** One VJP as backward ran it. */
export interface TraceStep {
  /** Position in the order the VJPs ran (0 first). */
  index: number;
  op: string;
  /** The VJP in mathematical notation. */
  rule: string;
  inputShapes: number[][];
  outputShape: number[];
  /** The name of the op's output when `names` named it (an intermediate such as `h1`), else null. */
  outputName: string | null;
  /**
   * Per input: its name from `names` (`2.weight`, `X`), the name of the step that made it
   * (`#3 relu`) for an input computed by an op, or null for an unnamed leaf or constant.
   */
  inputNames: (string | null)[];
  /** The incoming gradient g (of the op's output). */
  gradOutput: TracedGradient;
  /** The gradient sent to each input; null where none was needed. */
  gradInputs: (TracedGradient | null)[];
  /** Per input: the dimensions of the raw VJP result that broadcasting summed away. */
  reducedDims: number[][];
}

/** The ordered VJP steps of one backward pass, with a table renderer. */
export interface BackwardTrace {
  steps: TraceStep[];
  /**
   * An aligned text table, one row per step; with `values`, each row is followed by g
   * and the gradient of each input, as numbers up to `values` elements (12 for `true`)
   * and as a summary (min, mean, max) beyond.
   */
  toString(): string;
  /** Plain data for tools: every step with all its values (none are summarised). */
  toJSON(): TraceStep[];
}

/** Options of `traceBackward`. */
export interface TraceOptions extends BackwardOptions {
  /**
   * Record the values of g and of every input gradient: `true` prints tensors of up to 12
   * elements in full in the table, a number sets that limit; larger tensors are
   * summarised in the table but kept whole in `steps` and `toJSON()`. Default false.
   */
  values?: boolean | number;
  /** Names for parameters, data and intermediates: a model, `{ X, Y, h1 }` or a `Map<Tensor, string>`. */
  names?: TensorNames;
  /** d(loss)/d(output), needed when output has more than one element (as `backward(grad)`). */
  grad?: Tensor;
}

const DEFAULT_SHOWN = 12;

function traced(t: Tensor, withValues: boolean): TracedGradient {
  const v = t.array.values();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const out: TracedGradient = { shape: [...t.shape], norm: Math.sqrt(s) };
  if (withValues) out.values = Array.from(v);
  return out;
}

const num = (v: number): string => (v === 0 ? "0" : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? Number(v.toPrecision(4)).toString() : v.toExponential(3));

/** Nested brackets of a row-major list, e.g. `[[1, 2], [3, 4]]`. */
function nested(values: readonly number[], shape: readonly number[], offset = 0, dim = 0): string {
  if (shape.length === 0) return num(values[0]!);
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const parts: string[] = [];
  for (let i = 0; i < shape[dim]!; i++) {
    parts.push(dim === shape.length - 1 ? num(values[offset + i]!) : nested(values, shape, offset + i * stride, dim + 1));
  }
  return `[${parts.join(", ")}]`;
}

/** A gradient's values for the table: all of them when few, else a summary. */
function describeValues(g: TracedGradient, shown: number): string {
  const v = g.values!;
  if (v.length <= shown) return nested(v, g.shape);
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of v) {
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  return `${v.length} values: min ${num(min)}, mean ${num(sum / v.length)}, max ${num(max)}, ‖·‖ ${num(g.norm)}`;
}

function renderTable(steps: readonly TraceStep[], shown: number | null): string {
  const header = ["#", "op", "inputs", "output", "‖g‖", "‖∂inputs‖", "summed dims", "rule"];
  const input = (s: TraceStep, i: number) => (s.inputNames[i] ? `${s.inputNames[i]}${formatShape(s.inputShapes[i]!)}` : formatShape(s.inputShapes[i]!));
  const rows = steps.map((s) => [
    String(s.index),
    s.op,
    s.inputShapes.map((_, i) => input(s, i)).join(" "),
    (s.outputName ?? "") + formatShape(s.outputShape),
    num(s.gradOutput.norm),
    s.gradInputs.map((g) => (g ? num(g.norm) : "—")).join(" "),
    s.reducedDims.map((d, i) => (d.length ? `in${i}:[${d.join(",")}]` : "")).filter(Boolean).join(" ") || "—",
    s.rule,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ");
  const out = [line(header), line(widths.map((w) => "-".repeat(w)))];
  steps.forEach((s, k) => {
    out.push(line(rows[k]!));
    if (shown === null) return;
    const detail: [string, string][] = [[`g${s.outputName ? ` = ∂${s.outputName}` : ""}`, describeValues(s.gradOutput, shown)]];
    s.gradInputs.forEach((g, i) => {
      const who = s.inputNames[i] ?? `input ${i}`;
      detail.push([`∂${who}`, g ? describeValues(g, shown) : "— (needs no gradient)"]);
    });
    const w = Math.max(...detail.map(([label]) => label.length));
    for (const [label, text] of detail) out.push(`      ${label.padEnd(w)}  ${text}`);
  });
  return out.join("\n");
}

/**
 * Runs backward from `output` (accumulating into leaves' `.grad` as `backward()` does)
 * and returns every VJP step in the order it ran: op, shapes, rule, where broadcasting was
 * summed away, and gradient norms; with `values`, the gradients themselves; with `names`
 * (a model, or `{ X, Y, h1 }`), which parameter or input each gradient went to.
 * `String(trace)` is an aligned table; `JSON.stringify(trace)` keeps every value.
 * The older form `traceBackward(output, grad, backwardOptions)` still works.
 * @throws AutogradError as backward does; DataError on an unknown option or malformed names.
 */
export function traceBackward(output: Tensor, options?: TraceOptions | Tensor, legacyOptions?: BackwardOptions): BackwardTrace {
  const opts: TraceOptions = options instanceof Tensor ? { ...legacyOptions, grad: options } : (options ?? {});
  checkOptions("traceBackward", opts, ["values", "names", "grad", "retainGraph", "createGraph"]);
  const { values = false, grad, retainGraph, createGraph } = opts;
  let shown: number | null;
  if (typeof values === "number") {
    if (!Number.isInteger(values) || values < 0) throw new DataError(`traceBackward: values must be true, false or a non-negative integer count of elements to print, got ${values}`);
    shown = values;
  } else shown = checkBoolean("traceBackward", "values", values, false) ? DEFAULT_SHOWN : null;
  const naming = resolveNames(opts.names, "traceBackward");
  const steps: TraceStep[] = [];
  const stepOf = new Map<Node, number>();
  const stepNodes: Node[] = [];
  const seed = seedGradient(output, grad, "traceBackward");
  runBackward([output], [seed], {
    retainGraph,
    createGraph,
    observer: ({ node, gradOutput, gradInputs, reducedDims }) => {
      stepOf.set(node, steps.length);
      stepNodes.push(node);
      steps.push({
        index: steps.length,
        op: node.name,
        rule: node.spec.rule,
        inputShapes: node.inputShapes.map((s) => [...s]),
        outputShape: [...node.outputShape],
        outputName: naming.node(node) ?? null,
        inputNames: inputNames(node, naming),
        gradOutput: traced(gradOutput, shown !== null),
        gradInputs: gradInputs.map((g) => (g ? traced(g, shown !== null) : null)),
        reducedDims: reducedDims.map((d) => [...d]),
      });
    },
  });
  // Producers run after their consumers, so an input made by an op gets its step's number once all have run.
  for (const step of steps) {
    step.inputNames = step.inputNames.map((name, i) => name ?? producerName(stepNodes[step.index]!, i, stepOf, steps));
  }
  return { steps, toString: () => renderTable(steps, shown), toJSON: () => steps };
}

/** Each input's name from `names`: a named leaf, constant or intermediate. */
function inputNames(node: Node, naming: Naming): (string | null)[] {
  return node.edges.map((edge, i) => {
    if (edge?.leaf) return naming.tensor(edge.leaf) ?? null;
    if (edge?.node) return naming.node(edge.node) ?? null;
    const constant = node.constants?.[i];
    return constant !== undefined && node.inputShapes[i]!.length > 0 ? (naming.constant(constant) ?? null) : null;
  });
}

/** `#3 relu` for an input made by the op of step 3, else null. */
function producerName(node: Node, i: number, stepOf: ReadonlyMap<Node, number>, steps: readonly TraceStep[]): string | null {
  const producer = node.edges[i]?.node;
  const at = producer ? stepOf.get(producer) : undefined;
  return at === undefined ? null : `#${at} ${steps[at]!.op}`;
}
