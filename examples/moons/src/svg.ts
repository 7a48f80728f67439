/** Pictures of a run as standalone SVG documents, written without any dependency. */

/** A point of the data set with its label. */
export interface LabelledPoint {
  x: number;
  y: number;
  label: number;
}

/** Probability of class 1 at many (x, y) points at once: rows of [x, y] in, probabilities out. */
export type ProbabilityFn = (points: Float64Array, count: number) => Float64Array;

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Blue (0) through white (0.5) to orange (1), as the tutorials' RdBu-like maps. */
export function colorFor(p: number): string {
  const t = Math.min(1, Math.max(0, p));
  const blue = [49, 130, 189];
  const orange = [230, 115, 0];
  const white = [247, 247, 247];
  const [from, to, u] = t < 0.5 ? [blue, white, t / 0.5] : [white, orange, (t - 0.5) / 0.5];
  const c = from.map((v, i) => Math.round(v + (to[i]! - v) * u));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Bounds of the plot: the data's extent plus a margin. */
function extent(points: readonly LabelledPoint[]): { x0: number; x1: number; y0: number; y1: number } {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const pad = 0.5;
  return { x0: Math.min(...xs) - pad, x1: Math.max(...xs) + pad, y0: Math.min(...ys) - pad, y1: Math.max(...ys) + pad };
}

/**
 * The decision boundary: the model's probability over a grid as a heat map (cells of
 * equal quantized colour merged into runs), the 0.5 contour, and the data points coloured
 * by class.
 */
export function decisionBoundarySvg(points: readonly LabelledPoint[], probability: ProbabilityFn, options: { title?: string; grid?: number } = {}): string {
  const size = 480;
  const margin = 40;
  const grid = options.grid ?? 120;
  const { x0, x1, y0, y1 } = extent(points);
  const sx = (x: number) => margin + ((x - x0) / (x1 - x0)) * size;
  const sy = (y: number) => margin + size - ((y - y0) / (y1 - y0)) * size;
  // Probabilities at cell centres, row 0 at the top of the picture.
  const centres = new Float64Array(grid * grid * 2);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      centres[(r * grid + c) * 2] = x0 + ((c + 0.5) / grid) * (x1 - x0);
      centres[(r * grid + c) * 2 + 1] = y1 - ((r + 0.5) / grid) * (y1 - y0);
    }
  }
  const prob = probability(centres, grid * grid);
  const cell = size / grid;
  const rects: string[] = [];
  for (let r = 0; r < grid; r++) {
    let c = 0;
    while (c < grid) {
      const level = Math.round(prob[r * grid + c]! * 20) / 20;
      let end = c + 1;
      while (end < grid && Math.round(prob[r * grid + end]! * 20) / 20 === level) end++;
      rects.push(
        `<rect x="${(margin + c * cell).toFixed(2)}" y="${(margin + r * cell).toFixed(2)}" width="${((end - c) * cell + 0.3).toFixed(2)}" height="${(cell + 0.3).toFixed(2)}" fill="${colorFor(level)}"/>`,
      );
      c = end;
    }
  }
  const contour = marchingSquares(prob, grid, 0.5).map(
    ([a, b]) =>
      `<line x1="${(margin + a[0] * cell).toFixed(2)}" y1="${(margin + a[1] * cell).toFixed(2)}" x2="${(margin + b[0] * cell).toFixed(2)}" y2="${(margin + b[1] * cell).toFixed(2)}"/>`,
  );
  const dots = points.map(
    // Darker than the heat map beneath, so points stand out on their own class's colour.
    (p) => `<circle cx="${sx(p.x).toFixed(2)}" cy="${sy(p.y).toFixed(2)}" r="3" fill="${p.label >= 0.5 ? "#a63603" : "#08519c"}"/>`,
  );
  const title = escape(options.title ?? "Decision boundary");
  const width = size + 2 * margin;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${width}" viewBox="0 0 ${width} ${width}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${title}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g id="heatmap" shape-rendering="crispEdges">${rects.join("")}</g>`,
    `<g id="boundary" stroke="black" stroke-width="1.5" fill="none">${contour.join("")}</g>`,
    `<g id="points" stroke="white" stroke-width="0.6">${dots.join("")}</g>`,
    `<rect x="${margin}" y="${margin}" width="${size}" height="${size}" fill="none" stroke="#333"/>`,
    `<text x="${width / 2}" y="${margin - 14}" text-anchor="middle" font-size="15">${title}</text>`,
    `<text x="${width / 2}" y="${width - 12}" text-anchor="middle" font-size="12">x₁ (${x0.toFixed(1)} … ${x1.toFixed(1)})</text>`,
    `<text x="14" y="${width / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${width / 2})">x₂ (${y0.toFixed(1)} … ${y1.toFixed(1)})</text>`,
    `</svg>`,
  ].join("\n");
}

type Point = [number, number];

/**
 * Segments of the `level` contour of a grid of values (row 0 at the top), in cell units,
 * by marching squares over the cell centres.
 */
export function marchingSquares(values: Float64Array, grid: number, level: number): [Point, Point][] {
  const segments: [Point, Point][] = [];
  const at = (r: number, c: number) => values[r * grid + c]!;
  const cross = (a: number, b: number) => (level - a) / (b - a);
  for (let r = 0; r + 1 < grid; r++) {
    for (let c = 0; c + 1 < grid; c++) {
      const tl = at(r, c);
      const tr = at(r, c + 1);
      const br = at(r + 1, c + 1);
      const bl = at(r + 1, c);
      const crossings: Point[] = [];
      const x = c + 0.5;
      const y = r + 0.5;
      if (tl >= level !== tr >= level) crossings.push([x + cross(tl, tr), y]);
      if (tr >= level !== br >= level) crossings.push([x + 1, y + cross(tr, br)]);
      if (bl >= level !== br >= level) crossings.push([x + cross(bl, br), y + 1]);
      if (tl >= level !== bl >= level) crossings.push([x, y + cross(tl, bl)]);
      if (crossings.length === 2) segments.push([crossings[0]!, crossings[1]!]);
      else if (crossings.length === 4) segments.push([crossings[0]!, crossings[1]!], [crossings[2]!, crossings[3]!]);
    }
  }
  return segments;
}

/** The key of the curves, a box of three labelled line samples with its top-left at (x, y). */
function legend(x: number, y: number): string {
  const entry = (dy: number, stroke: string, dash: string, label: string) =>
    `<line x1="${x + 8}" y1="${y + dy}" x2="${x + 30}" y2="${y + dy}" stroke="${stroke}" stroke-width="2"${dash}/><text x="${x + 36}" y="${y + dy + 4}">${label}</text>`;
  return [
    `<g id="legend" font-size="12"><rect x="${x}" y="${y}" width="150" height="58" fill="white" fill-opacity="0.9" stroke="#ccc"/>`,
    entry(14, "#d62728", "", "loss"),
    entry(32, "#1f77b4", "", "train accuracy"),
    entry(50, "#2ca02c", ' stroke-dasharray="5 3"', "test accuracy"),
    "</g>",
  ].join("");
}

/** Loss (left axis) and train/test accuracy (right axis, 0–100%) against epochs. */
export function lossCurvesSvg(history: { epoch: number[]; loss: number[]; trainAccuracy: number[]; testAccuracy: number[] }, title = "Training"): string {
  const w = 640;
  const h = 360;
  const left = 60;
  const right = 60;
  const top = 40;
  const bottom = 50;
  const pw = w - left - right;
  const ph = h - top - bottom;
  const lastEpoch = Math.max(1, ...history.epoch);
  const maxLoss = Math.max(1e-9, ...history.loss.filter(Number.isFinite));
  const sx = (e: number) => left + (e / lastEpoch) * pw;
  const syLoss = (l: number) => top + ph - (Math.min(l, maxLoss) / maxLoss) * ph;
  const syAcc = (a: number) => top + ph - a * ph;
  const path = (ys: number[], f: (v: number) => number) =>
    ys.map((v, i) => `${i === 0 ? "M" : "L"}${sx(history.epoch[i]!).toFixed(2)},${f(v).toFixed(2)}`).join(" ");
  const ticks: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const e = Math.round((lastEpoch * i) / 5);
    ticks.push(`<line x1="${sx(e)}" y1="${top + ph}" x2="${sx(e)}" y2="${top + ph + 5}" stroke="#333"/><text x="${sx(e)}" y="${top + ph + 18}" text-anchor="middle" font-size="11">${e}</text>`);
    const l = (maxLoss * i) / 5;
    ticks.push(`<text x="${left - 8}" y="${syLoss(l) + 4}" text-anchor="end" font-size="11">${l.toPrecision(2)}</text>`);
    ticks.push(`<text x="${left + pw + 8}" y="${syAcc(i / 5) + 4}" font-size="11">${i * 20}%</text>`);
    ticks.push(`<line x1="${left}" y1="${syAcc(i / 5)}" x2="${left + pw}" y2="${syAcc(i / 5)}" stroke="#eee"/>`);
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escape(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g id="grid">${ticks.join("")}</g>`,
    `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    `<path id="loss" d="${path(history.loss, syLoss)}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    `<path id="train-accuracy" d="${path(history.trainAccuracy, syAcc)}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    `<path id="test-accuracy" d="${path(history.testAccuracy, syAcc)}" fill="none" stroke="#2ca02c" stroke-width="2" stroke-dasharray="5 3"/>`,
    `<text x="${w / 2}" y="${top - 16}" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    `<text x="${left + pw / 2}" y="${h - 10}" text-anchor="middle" font-size="12">epoch</text>`,
    `<text x="16" y="${top + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${top + ph / 2})">BCE loss</text>`,
    `<text x="${w - 14}" y="${top + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(90 ${w - 14} ${top + ph / 2})">accuracy</text>`,
    legend(left + pw - 160, top + ph / 2 - 29),
    `</svg>`,
  ].join("\n");
}
