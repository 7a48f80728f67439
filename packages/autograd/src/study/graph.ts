import { formatShape } from "@tapegrad/tensor";
import { topologicalOrder } from "../engine.js";
import type { Node } from "../node.js";
import type { Tensor } from "../tensor.js";
import type { Naming } from "./names.js";

/**
 * One box of a graph picture. `op`: a recorded op; `output`: the op that made the tensor
 * drawn (or that tensor itself when it is a leaf); `leaf`: a leaf that requires grad (a
 * parameter); `constant`: an input that needs no gradient (data, targets, indices, numbers).
 */
export interface GraphBox {
  /** Unique within one picture: `n0`, `n1`, … */
  id: string;
  kind: "op" | "output" | "leaf" | "constant";
  /** The first line: the tensor's name, else the op's name, `leaf`, `constant` or a number's value. */
  label: string;
  /** The second line: the shape, preceded by the op's name when the first line is a name. */
  detail: string;
}

/** An arrow from an input to the op that consumes it, labelled with the input's shape. */
export interface GraphArrow {
  from: string;
  to: string;
  label: string;
}

/** The boxes and arrows of the graph that produced a tensor, inputs before consumers. */
export interface GraphModel {
  boxes: GraphBox[];
  arrows: GraphArrow[];
}

/** Formats a constant number for a label: integers as they are, others to 4 digits. */
function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
}

/**
 * Walks the graph that produced `output` from its inputs upwards: one box per op, per leaf
 * that requires grad and per constant input (the same tensor used twice is one box; a
 * number is a box of its own at each use).
 */
export function graphModel(output: Tensor, naming: Naming): GraphModel {
  const boxes: GraphBox[] = [];
  const arrows: GraphArrow[] = [];
  const ids = new Map<Node | Tensor | number, string>();
  const box = (kind: GraphBox["kind"], label: string, detail: string, key?: Node | Tensor | number): string => {
    const id = `n${boxes.length}`;
    boxes.push({ id, kind, label, detail });
    if (key) ids.set(key, id);
    return id;
  };
  const leafBox = (t: Tensor): string => ids.get(t) ?? box("leaf", naming.tensor(t) ?? "leaf", formatShape(t.shape), t);
  // Constants are known by their constantId: the same tensor used twice is one box.
  const constantBox = (id: number, shape: readonly number[]): string => ids.get(id) ?? box("constant", naming.constant(id) ?? "constant", formatShape(shape), id);
  const order = output.gradFn ? topologicalOrder([output.gradFn]).reverse() : [];
  for (const node of order) {
    const inputs = node.edges.map((edge, i): string => {
      if (edge?.node) return ids.get(edge.node)!;
      if (edge?.leaf) return leafBox(edge.leaf);
      const shape = node.inputShapes[i]!;
      const constant = node.constants?.[i];
      if (constant === undefined) return box("constant", "constant", formatShape(shape));
      return shape.length === 0 ? box("constant", formatNumber(constant), "constant") : constantBox(constant, shape);
    });
    const name = naming.node(node);
    const shape = formatShape(node.outputShape);
    const id = box(node === output.gradFn ? "output" : "op", name ?? node.name, name ? `${node.name} ${shape}` : shape, node);
    inputs.forEach((from, i) => arrows.push({ from, to: id, label: formatShape(node.inputShapes[i]!) }));
  }
  if (!output.gradFn) {
    const name = naming.tensor(output);
    box("output", name ?? "tensor", formatShape(output.shape), output);
  }
  return { boxes, arrows };
}
