import { checkOptions } from "@tapegrad/tensor";
import type { Tensor } from "../tensor.js";
import { graphModel, type GraphBox } from "./graph.js";
import { resolveNames, type TensorNames } from "./names.js";

/** Options of `toDot`. */
export interface DotOptions {
  /** The graph's name in the DOT text (default `tapegrad`). */
  name?: string;
  /** Names for parameters, data and intermediates: a model, `{ X, Y }` or a `Map<Tensor, string>`. */
  names?: TensorNames;
}

const style: Record<GraphBox["kind"], string> = {
  op: 'shape=box, style="rounded,filled", fillcolor="#cfe2ff"',
  output: 'shape=box, style="rounded,filled", fillcolor="#b7e4c7"',
  leaf: 'shape=ellipse, style=filled, fillcolor="#ffd27f"',
  constant: 'shape=ellipse, style=filled, fillcolor="#e8e8e8"',
};

/**
 * The graph that produced `output` as Graphviz DOT: one box per op (the output's in
 * green), one ellipse per leaf that requires grad (orange) and per constant input such as
 * the data X and the targets Y (grey), named from `names`; edges go from inputs to the ops
 * that consume them, labelled with the tensor shapes. Render it with `dot -Tsvg`.
 * @throws DataError on an unknown option or malformed names.
 */
export function toDot(output: Tensor, options: DotOptions = {}): string {
  checkOptions("toDot", options, ["name", "names"]);
  const { boxes, arrows } = graphModel(output, resolveNames(options.names, "toDot"));
  const lines = [`digraph ${JSON.stringify(options.name ?? "tapegrad")} {`, "  rankdir=BT;", '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const b of boxes) lines.push(`  ${b.id} [${style[b.kind]}, label=${JSON.stringify(`${b.label}\n${b.detail}`)}];`);
  for (const a of arrows) lines.push(`  ${a.from} -> ${a.to} [label=${JSON.stringify(a.label)}];`);
  lines.push("}");
  return lines.join("\n");
}
