import { formatShape } from "@tapegrad/tensor";
import { topologicalOrder } from "../engine.js";
import type { Node } from "../node.js";
import type { Tensor } from "../tensor.js";

/** One box of the picture: an op or a leaf. */
interface Box {
  key: Node | Tensor;
  label: string;
  detail: string;
  kind: "op" | "leaf" | "output";
  layer: number;
  slot: number;
}

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Places the graph in layers: leaves at the bottom (layer 0), every op one layer above its
 * highest input, so edges always point upwards, as data flows in the forward pass.
 */
function layout(output: Tensor, names: Map<Tensor, string>): { boxes: Box[]; edges: { from: Box; to: Box; label: string }[] } {
  const boxes = new Map<Node | Tensor, Box>();
  const edges: { from: Box; to: Box; label: string }[] = [];
  const order = topologicalOrder(output.gradFn ? [output.gradFn] : []).reverse();
  const leafBox = (t: Tensor, shape: readonly number[]): Box => {
    let box = boxes.get(t);
    if (!box) {
      box = { key: t, label: names.get(t) ?? "leaf", detail: formatShape(shape), kind: "leaf", layer: 0, slot: 0 };
      boxes.set(t, box);
    }
    return box;
  };
  for (const node of order) {
    const inputs = node.edges.map((edge, i) => {
      if (!edge) return null;
      return edge.node ? boxes.get(edge.node)! : leafBox(edge.leaf!, node.inputShapes[i]!);
    });
    const layer = 1 + Math.max(0, ...inputs.map((b) => (b ? b.layer : 0)));
    const box: Box = { key: node, label: node.name, detail: formatShape(node.outputShape), kind: "op", layer, slot: 0 };
    boxes.set(node, box);
    inputs.forEach((from, i) => from && edges.push({ from, to: box, label: formatShape(node.inputShapes[i]!) }));
  }
  if (!output.gradFn) boxes.set(output, { key: output, label: names.get(output) ?? "tensor", detail: formatShape(output.shape), kind: "output", layer: 0, slot: 0 });
  else boxes.get(output.gradFn)!.kind = "output";
  const layers = new Map<number, Box[]>();
  for (const box of boxes.values()) {
    const list = layers.get(box.layer) ?? [];
    box.slot = list.length;
    list.push(box);
    layers.set(box.layer, list);
  }
  return { boxes: [...boxes.values()], edges };
}

/** Options of graph pictures. */
export interface GraphPictureOptions {
  /** Names shown for leaves (parameters, inputs) instead of "leaf". */
  names?: Map<Tensor, string> | Record<string, Tensor>;
  title?: string;
}

function nameMap(names: GraphPictureOptions["names"]): Map<Tensor, string> {
  if (!names) return new Map();
  if (names instanceof Map) return names;
  return new Map(Object.entries(names).map(([k, t]) => [t, k]));
}

/**
 * The graph that produced `output` as a standalone SVG, drawn by tapegrad itself: a
 * layered layout with leaves at the bottom and the output at the top, ops and leaves as
 * boxes, shapes on the edges, leaves that require grad highlighted. Nothing needs to be
 * installed to look at it.
 */
export function toSvg(output: Tensor, options: GraphPictureOptions = {}): string {
  const { boxes, edges } = layout(output, nameMap(options.names));
  const boxW = 120;
  const boxH = 38;
  const gapX = 36;
  const gapY = 64;
  const top = options.title ? 40 : 16;
  const layerCount = Math.max(...boxes.map((b) => b.layer)) + 1;
  const widest = Math.max(...Array.from({ length: layerCount }, (_, l) => boxes.filter((b) => b.layer === l).length));
  const width = Math.max(widest * (boxW + gapX) + gapX, 240);
  const height = top + layerCount * (boxH + gapY) + 8;
  const position = (b: Box) => {
    const inLayer = boxes.filter((o) => o.layer === b.layer).length;
    const rowWidth = inLayer * boxW + (inLayer - 1) * gapX;
    return { x: (width - rowWidth) / 2 + b.slot * (boxW + gapX), y: top + (layerCount - 1 - b.layer) * (boxH + gapY) };
  };
  const fill = (b: Box) =>
    b.kind === "leaf" ? ((b.key as Tensor).requiresGrad ? "#ffd27f" : "#e8e8e8") : b.kind === "output" ? "#b7e4c7" : "#cfe2ff";
  const edgeSvg = edges.map(({ from, to, label }) => {
    const a = position(from);
    const b = position(to);
    const x1 = a.x + boxW / 2;
    const y1 = a.y;
    const x2 = b.x + boxW / 2;
    const y2 = b.y + boxH;
    const mx = (x1 + x2) / 2;
    const my = (y1 + y2) / 2;
    return (
      `<path d="M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 + 6}" fill="none" stroke="#555" marker-end="url(#arrow)"/>` +
      `<text x="${mx + 4}" y="${my}" font-size="10" fill="#444">${escape(label)}</text>`
    );
  });
  const boxSvg = boxes.map((b) => {
    const { x, y } = position(b);
    return (
      `<g class="${b.kind}"><rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="6" fill="${fill(b)}" stroke="#333"/>` +
      `<text x="${x + boxW / 2}" y="${y + 16}" text-anchor="middle" font-size="12" font-weight="bold">${escape(b.label)}</text>` +
      `<text x="${x + boxW / 2}" y="${y + 30}" text-anchor="middle" font-size="10">${escape(b.detail)}</text></g>`
    );
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    options.title ? `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escape(options.title)}</text>` : "",
    `<g id="edges">${edgeSvg.join("")}</g>`,
    `<g id="nodes">${boxSvg.join("")}</g>`,
    `</svg>`,
  ].join("\n");
}

/** The same picture wrapped in a minimal HTML page, with a legend. */
export function toHtml(output: Tensor, options: GraphPictureOptions = {}): string {
  const title = escape(options.title ?? "tapegrad graph");
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${title}</title>`,
    "<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px} .key span{display:inline-block;padding:2px 8px;margin-right:8px;border:1px solid #333;border-radius:4px}</style></head><body>",
    `<h1>${title}</h1>`,
    '<p class="key"><span style="background:#ffd27f">leaf that requires grad</span><span style="background:#e8e8e8">constant leaf</span><span style="background:#cfe2ff">op</span><span style="background:#b7e4c7">output</span></p>',
    toSvg(output, options).replace(/^<\?xml[^>]*>\n/, ""),
    "</body></html>",
  ].join("\n");
}
