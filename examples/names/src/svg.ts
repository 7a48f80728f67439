/** Pictures of a run as standalone SVG documents, written without any dependency. */
import type { History } from "./train.js";

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A labelled point of the embedding picture. */
export interface LabelledPoint {
  label: string;
  x: number;
  y: number;
}

/** Round tick values covering [low, high]: about `count` of them, at 1, 2 or 5 × 10ᵏ apart. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  const span = high - low || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + 1e-9 * span; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Training loss (mean over each interval between records) and validation loss against
 * steps, with the bigram's validation loss as a dotted line to beat.
 */
export function lossCurvesSvg(history: History, options: { title: string; baseline?: { label: string; value: number } }): string {
  const w = 640;
  const h = 360;
  const left = 60;
  const right = 20;
  const top = 40;
  const bottom = 50;
  const pw = w - left - right;
  const ph = h - top - bottom;
  const values = [...history.trainLoss, ...history.valLoss, ...(options.baseline ? [options.baseline.value] : [])].filter(Number.isFinite);
  const low = Math.min(...values) - 0.05;
  const high = Math.max(...values) + 0.05;
  const lastStep = Math.max(1, ...history.step);
  const sx = (s: number) => left + (s / lastStep) * pw;
  const sy = (l: number) => top + ph - ((l - low) / (high - low)) * ph;
  const path = (ys: number[]) => ys.map((v, i) => `${i === 0 ? "M" : "L"}${sx(history.step[i]!).toFixed(2)},${sy(v).toFixed(2)}`).join(" ");
  const grid: string[] = [];
  for (const s of niceTicks(0, lastStep)) {
    grid.push(`<line x1="${sx(s)}" y1="${top + ph}" x2="${sx(s)}" y2="${top + ph + 5}" stroke="#333"/><text x="${sx(s)}" y="${top + ph + 18}" text-anchor="middle" font-size="11">${s}</text>`);
  }
  for (const l of niceTicks(low, high)) {
    grid.push(`<line x1="${left}" y1="${sy(l).toFixed(2)}" x2="${left + pw}" y2="${sy(l).toFixed(2)}" stroke="#eee"/><text x="${left - 8}" y="${(sy(l) + 4).toFixed(2)}" text-anchor="end" font-size="11">${l}</text>`);
  }
  const baseline = options.baseline
    ? `<g id="baseline"><line x1="${left}" y1="${sy(options.baseline.value).toFixed(2)}" x2="${left + pw}" y2="${sy(options.baseline.value).toFixed(2)}" stroke="#777" stroke-width="1.5" stroke-dasharray="2 3"/>` +
      `<text x="${left + pw - 6}" y="${(sy(options.baseline.value) - 6).toFixed(2)}" text-anchor="end" font-size="12" fill="#555">${escape(options.baseline.label)}</text></g>`
    : "";
  // The key sits at the bottom left, where falling curves leave room.
  const keyX = left + 10;
  const keyY = top + ph - 50;
  const entry = (dy: number, stroke: string, dash: string, label: string) =>
    `<line x1="${keyX + 8}" y1="${keyY + dy}" x2="${keyX + 30}" y2="${keyY + dy}" stroke="${stroke}" stroke-width="2"${dash}/><text x="${keyX + 36}" y="${keyY + dy + 4}">${label}</text>`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escape(options.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g id="grid">${grid.join("")}</g>`,
    `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
    baseline,
    `<path id="train-loss" d="${path(history.trainLoss)}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    `<path id="val-loss" d="${path(history.valLoss)}" fill="none" stroke="#1f77b4" stroke-width="2" stroke-dasharray="5 3"/>`,
    `<g id="legend" font-size="12"><rect x="${keyX}" y="${keyY}" width="150" height="40" fill="white" fill-opacity="0.9" stroke="#ccc"/>${entry(18, "#d62728", "", "train loss")}${entry(36, "#1f77b4", ' stroke-dasharray="5 3"', "validation loss")}</g>`,
    `<text x="${w / 2}" y="${top - 16}" text-anchor="middle" font-size="15">${escape(options.title)}</text>`,
    `<text x="${left + pw / 2}" y="${h - 10}" text-anchor="middle" font-size="12">step</text>`,
    `<text x="16" y="${top + ph / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${top + ph / 2})">cross-entropy per character (nats)</text>`,
    `</svg>`,
  ].join("\n");
}

/**
 * The characters as points of their embedding, each a circle with its character inside,
 * as in makemore part 2's picture of a 2-D embedding.
 */
export function embeddingSvg(points: readonly LabelledPoint[], options: { title: string; xLabel: string; yLabel: string }): string {
  const size = 480;
  const margin = 50;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const pad = (lo: number, hi: number) => [lo - 0.08 * (hi - lo || 1), hi + 0.08 * (hi - lo || 1)] as const;
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const sx = (x: number) => margin + ((x - x0) / (x1 - x0)) * size;
  const sy = (y: number) => margin + size - ((y - y0) / (y1 - y0)) * size;
  const dots = points.map(
    (p) =>
      `<g><circle cx="${sx(p.x).toFixed(2)}" cy="${sy(p.y).toFixed(2)}" r="10" fill="${p.label === "." ? "#fdd0a2" : "#c6dbef"}" stroke="#555"/>` +
      `<text x="${sx(p.x).toFixed(2)}" y="${(sy(p.y) + 4).toFixed(2)}" text-anchor="middle" font-size="13">${escape(p.label)}</text></g>`,
  );
  const width = size + 2 * margin;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${width}" viewBox="0 0 ${width} ${width}" font-family="Helvetica, Arial, sans-serif">`,
    `<title>${escape(options.title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<rect x="${margin}" y="${margin}" width="${size}" height="${size}" fill="none" stroke="#333"/>`,
    `<g id="characters">${dots.join("")}</g>`,
    `<text x="${width / 2}" y="${margin - 18}" text-anchor="middle" font-size="15">${escape(options.title)}</text>`,
    `<text x="${width / 2}" y="${width - 14}" text-anchor="middle" font-size="12">${escape(options.xLabel)}</text>`,
    `<text x="16" y="${width / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${width / 2})">${escape(options.yLabel)}</text>`,
    `</svg>`,
  ].join("\n");
}

/**
 * The rows of a `[rows, dim]` matrix as 2-D points: the rows themselves when dim is 2,
 * else their projections on the two leading principal components (power iteration on the
 * covariance, the first component deflated before the second).
 */
export function projectTo2d(values: Float64Array, rows: number, dim: number): { points: [number, number][]; projected: boolean } {
  if (dim === 2) return { points: Array.from({ length: rows }, (_, i) => [values[2 * i]!, values[2 * i + 1]!]), projected: false };
  const mean = new Float64Array(dim);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) mean[j]! += values[i * dim + j]! / rows;
  const centred = Float64Array.from(values, (v, k) => v - mean[k % dim]!);
  const covariance = new Float64Array(dim * dim);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) covariance[a * dim + b]! += centred[i * dim + a]! * centred[i * dim + b]!;
  }
  const components: Float64Array[] = [];
  for (let c = 0; c < Math.min(2, dim); c++) {
    // Start from a fixed vector not orthogonal to the answer in general; 200 iterations are plenty for dim ≤ a few dozen.
    let v = Float64Array.from({ length: dim }, (_, j) => 1 + j / dim);
    for (let iteration = 0; iteration < 200; iteration++) {
      const next = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) next[a]! += covariance[a * dim + b]! * v[b]!;
      for (const u of components) {
        const dot = next.reduce((s, x, j) => s + x * u[j]!, 0);
        for (let j = 0; j < dim; j++) next[j]! -= dot * u[j]!;
      }
      const norm = Math.hypot(...next) || 1;
      v = next.map((x) => x / norm);
    }
    components.push(v);
  }
  const points = Array.from({ length: rows }, (_, i): [number, number] => {
    const row = centred.subarray(i * dim, (i + 1) * dim);
    const project = (u: Float64Array | undefined) => (u === undefined ? 0 : row.reduce((s, x, j) => s + x * u[j]!, 0));
    return [project(components[0]), project(components[1])];
  });
  return { points, projected: true };
}
