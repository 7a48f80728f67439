import { formatShape } from "@tapegrad/tensor";
import { topologicalOrder } from "../engine.js";
import type { Node } from "../node.js";
import type { Tensor } from "../tensor.js";

/**
 * The graph that produced `output` as Graphviz DOT: one box per op, one ellipse per leaf
 * (leaves that require grad highlighted), edges labelled with the tensor shapes, from
 * inputs to the ops that consume them.
 */
export function toDot(output: Tensor, options: { name?: string } = {}): string {
  const lines = [`digraph ${JSON.stringify(options.name ?? "tapegrad")} {`, "  rankdir=BT;", '  node [fontname="Helvetica"];'];
  const ids = new Map<Node | Tensor, string>();
  const id = (key: Node | Tensor): string => {
    let value = ids.get(key);
    if (!value) ids.set(key, (value = `n${ids.size}`));
    return value;
  };
  const roots = output.gradFn ? [output.gradFn] : [];
  for (const node of topologicalOrder(roots)) {
    lines.push(`  ${id(node)} [shape=box, label=${JSON.stringify(`${node.name}\n${formatShape(node.outputShape)}`)}];`);
    node.edges.forEach((edge, i) => {
      const shape = formatShape(node.inputShapes[i]!);
      if (!edge) return;
      if (edge.node) {
        lines.push(`  ${id(edge.node)} -> ${id(node)} [label=${JSON.stringify(shape)}];`);
      } else if (edge.leaf) {
        const leaf = edge.leaf;
        if (!ids.has(leaf)) {
          lines.push(`  ${id(leaf)} [shape=ellipse, style=filled, fillcolor="#ffd27f", label=${JSON.stringify(`leaf\n${shape}`)}];`);
        }
        lines.push(`  ${id(leaf)} -> ${id(node)} [label=${JSON.stringify(shape)}];`);
      }
    });
  }
  if (!output.gradFn) lines.push(`  ${id(output)} [shape=ellipse, label=${JSON.stringify(`tensor\n${formatShape(output.shape)}`)}];`);
  lines.push("}");
  return lines.join("\n");
}
