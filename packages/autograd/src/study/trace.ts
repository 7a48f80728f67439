import { formatShape } from "@tapegrad/tensor";
import { runBackward, seedGradient, type BackwardOptions } from "../engine.js";
import type { Tensor } from "../tensor.js";

/** One VJP as backward ran it. */
export interface TraceStep {
  /** Position in the order the VJPs ran (0 first). */
  index: number;
  op: string;
  /** The VJP in mathematical notation. */
  rule: string;
  inputShapes: number[][];
  outputShape: number[];
  /** Shape and L2 norm of the incoming gradient (of the op's output). */
  gradOutput: { shape: number[]; norm: number };
  /** Shape and L2 norm of the gradient sent to each input; null where none was needed. */
  gradInputs: ({ shape: number[]; norm: number } | null)[];
  /** Per input: the dimensions of the raw VJP result that broadcasting summed away. */
  reducedDims: number[][];
}

/** The ordered VJP steps of one backward pass, with a table renderer. */
export interface BackwardTrace {
  steps: TraceStep[];
  /** An aligned text table: one row per step. */
  toString(): string;
  /** Plain data for tools. */
  toJSON(): TraceStep[];
}

function norm(t: Tensor): number {
  const v = t.array.values();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function renderTable(steps: readonly TraceStep[]): string {
  const header = ["#", "op", "inputs", "output", "‖g‖", "‖∂inputs‖", "summed dims", "rule"];
  const rows = steps.map((s) => [
    String(s.index),
    s.op,
    s.inputShapes.map(formatShape).join(" "),
    formatShape(s.outputShape),
    s.gradOutput.norm.toPrecision(4),
    s.gradInputs.map((g) => (g ? g.norm.toPrecision(4) : "—")).join(" "),
    s.reducedDims.map((d, i) => (d.length ? `in${i}:[${d.join(",")}]` : "")).filter(Boolean).join(" ") || "—",
    s.rule,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * Runs backward from `output` (accumulating into leaves' `.grad` as `backward()` does)
 * and returns every VJP step in the order it ran: op, shapes, rule, where broadcasting was
 * summed away, and gradient norms. `String(trace)` is an aligned table.
 * @throws AutogradError as backward does.
 */
export function traceBackward(output: Tensor, grad?: Tensor, options: BackwardOptions = {}): BackwardTrace {
  const steps: TraceStep[] = [];
  const seed = seedGradient(output, grad, "traceBackward");
  runBackward([output], [seed], {
    ...options,
    observer: ({ node, gradOutput, gradInputs, reducedDims }) => {
      steps.push({
        index: steps.length,
        op: node.name,
        rule: node.spec.rule,
        inputShapes: node.inputShapes.map((s) => [...s]),
        outputShape: [...node.outputShape],
        gradOutput: { shape: [...gradOutput.shape], norm: norm(gradOutput) },
        gradInputs: gradInputs.map((g) => (g ? { shape: [...g.shape], norm: norm(g) } : null)),
        reducedDims: reducedDims.map((d) => [...d]),
      });
    },
  });
  return { steps, toString: () => renderTable(steps), toJSON: () => steps };
}
