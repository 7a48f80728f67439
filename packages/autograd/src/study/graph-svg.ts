import dagre from "@dagrejs/dagre";
import { checkOptions } from "@tapegrad/tensor";
import type { Tensor } from "../tensor.js";
import { graphModel, type GraphBox } from "./graph.js";
import { resolveNames, type TensorNames } from "./names.js";

/** Options of `toSvg` and `toHtml`. */
export interface GraphPictureOptions {
  /**
   * Names for parameters, data and intermediates instead of "leaf", "constant" or the op's
   * name: a model (its `namedParameters()`), a record `{ X, Y }` or a `Map<Tensor, string>`.
   */
  names?: TensorNames;
  /** A heading above the picture (and the page title of `toHtml`). */
  title?: string;
}

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const fill: Record<GraphBox["kind"], string> = { op: "#cfe2ff", output: "#b7e4c7", leaf: "#ffd27f", constant: "#e8e8e8" };

// Text widths are estimated (there is no font to measure in Node): generous averages for
// Helvetica, bold 12px for the first line and 10px for the second.
const LABEL_CHAR = 7.6;
const DETAIL_CHAR = 6.2;
const BOX_HEIGHT = 38;

/** A point of a laid-out edge. */
interface Point {
  x: number;
  y: number;
}

/** A smooth path through dagre's control points: straight ends, quadratic bends between. */
function curve(points: readonly Point[]): string {
  const f = (v: number) => Number(v.toFixed(1));
  const [first, ...rest] = points;
  let d = `M${f(first!.x)},${f(first!.y)}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i]!;
    const q = rest[i + 1]!;
    d += ` Q${f(p.x)},${f(p.y)} ${f((p.x + q.x) / 2)},${f((p.y + q.y) / 2)}`;
  }
  const last = rest[rest.length - 1] ?? first!;
  return `${d} L${f(last.x)},${f(last.y)}`;
}

/**
 * The graph that produced `output` as a standalone SVG: a layered layout by dagre (inputs
 * at the bottom, the output at the top, edges routed around the boxes), one box per op,
 * per leaf that requires grad and per constant input (the data X, the targets Y, numbers),
 * each named from `names` where it can be; shapes on the edges. Leaves that require grad
 * are orange, constants grey, ops blue and the output green. Works in Node and in browsers.
 * @throws DataError on an unknown option or malformed names.
 */
export function toSvg(output: Tensor, options: GraphPictureOptions = {}): string {
  checkOptions("toSvg", options, ["names", "title"]);
  const { boxes, arrows } = graphModel(output, resolveNames(options.names, "toSvg"));
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "BT", nodesep: 24, ranksep: 44, edgesep: 14, marginx: 16, marginy: 12 });
  for (const b of boxes) {
    const width = Math.max(72, b.label.length * LABEL_CHAR, b.detail.length * DETAIL_CHAR) + 20;
    g.setNode(b.id, { width, height: BOX_HEIGHT });
  }
  arrows.forEach((a, i) => g.setEdge(a.from, a.to, { label: a.label, width: a.label.length * 6 + 4, height: 12, labelpos: "r", labeloffset: 6 }, `e${i}`));
  dagre.layout(g);
  const top = options.title ? 36 : 0;
  const graph = g.graph();
  const width = Math.max(Math.ceil(graph.width ?? 0), 160);
  const height = Math.ceil(graph.height ?? 0) + top;
  const edgeSvg = arrows.map((a, i) => {
    const laid = g.edge({ v: a.from, w: a.to, name: `e${i}` }) as { points: Point[]; x: number; y: number };
    return (
      `<g class="edge"><path d="${curve(laid.points)}" fill="none" stroke="#555" marker-end="url(#arrow)"/>` +
      `<text x="${laid.x.toFixed(1)}" y="${(laid.y + 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="#444" stroke="white" stroke-width="3" paint-order="stroke">${escape(a.label)}</text></g>`
    );
  });
  const boxSvg = boxes.map((b) => {
    const { x, y, width: w, height: h } = g.node(b.id) as { x: number; y: number; width: number; height: number };
    const left = x - w / 2;
    const upper = y - h / 2;
    return (
      `<g class="${b.kind}" id="${b.id}"><title>${escape(`${b.label} ${b.detail}`)}</title>` +
      `<rect x="${left.toFixed(1)}" y="${upper.toFixed(1)}" width="${w.toFixed(1)}" height="${h}" rx="${b.kind === "leaf" || b.kind === "constant" ? 16 : 6}" fill="${fill[b.kind]}" stroke="#333"/>` +
      `<text x="${x.toFixed(1)}" y="${(upper + 16).toFixed(1)}" text-anchor="middle" font-size="12" font-weight="bold">${escape(b.label)}</text>` +
      `<text x="${x.toFixed(1)}" y="${(upper + 30).toFixed(1)}" text-anchor="middle" font-size="10">${escape(b.detail)}</text></g>`
    );
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    options.title ? `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escape(options.title)}</text>` : "",
    `<g transform="translate(0,${top})">`,
    `<g id="edges">${edgeSvg.join("")}</g>`,
    `<g id="nodes">${boxSvg.join("")}</g>`,
    `</g>`,
    `</svg>`,
  ].join("\n");
}

/**
 * The same picture wrapped in a minimal HTML page, with a legend.
 * @throws DataError on an unknown option or malformed names.
 */
export function toHtml(output: Tensor, options: GraphPictureOptions = {}): string {
  checkOptions("toHtml", options, ["names", "title"]);
  const title = escape(options.title ?? "tapegrad graph");
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${title}</title>`,
    "<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px} .key span{display:inline-block;padding:2px 8px;margin-right:8px;border:1px solid #333;border-radius:4px}</style></head><body>",
    `<h1>${title}</h1>`,
    '<p class="key"><span style="background:#ffd27f">leaf that requires grad</span><span style="background:#e8e8e8">constant input</span><span style="background:#cfe2ff">op</span><span style="background:#b7e4c7">output</span></p>',
    toSvg(output, options).replace(/^<\?xml[^>]*>\n/, ""),
    "</body></html>",
  ].join("\n");
}
