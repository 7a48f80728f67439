/** Pictures of a run as standalone SVG documents, written without any dependency. */
import type { History } from "./train.js";

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const COLORS = { train: "#1f77b4", test: "#d62728", step: "#9ecae1" };

function document(width: number, height: number, title: string, body: string[]): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<title>${escape(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    `</svg>`,
  ].join("\n");
}

/** Running mean over the last `window` values, so the per-step loss reads as a curve. */
export function runningMean(values: readonly number[], window: number): number[] {
  let sum = 0;
  return values.map((v, i) => {
    sum += v - (i >= window ? values[i - window]! : 0);
    return sum / Math.min(i + 1, window);
  });
}

/** A plot area: maps data to pixels and draws its frame, grid, ticks and axis titles. */
interface Panel {
  x: (v: number) => number;
  y: (v: number) => number;
  frame: string;
}

function panel(
  left: number,
  top: number,
  width: number,
  height: number,
  xRange: [number, number],
  yRange: [number, number],
  yTicks: { value: number; label: string }[],
  labels: { x: string; y: string; title: string },
  yTransform: (v: number) => number = (v) => v,
): Panel {
  const [x0, x1] = xRange;
  const [y0, y1] = [yTransform(yRange[0]), yTransform(yRange[1])];
  const x = (v: number) => left + ((v - x0) / (x1 - x0)) * width;
  const y = (v: number) => top + height - ((yTransform(v) - y0) / (y1 - y0)) * height;
  const parts: string[] = [];
  for (const t of yTicks) {
    parts.push(`<line x1="${left}" y1="${y(t.value).toFixed(2)}" x2="${left + width}" y2="${y(t.value).toFixed(2)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${(y(t.value) + 4).toFixed(2)}" text-anchor="end" font-size="11">${t.label}</text>`);
  }
  const xStep = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let e = Math.ceil(x0); e <= x1; e += xStep) {
    parts.push(`<line x1="${x(e).toFixed(2)}" y1="${top + height}" x2="${x(e).toFixed(2)}" y2="${top + height + 5}" stroke="#333"/>`);
    parts.push(`<text x="${x(e).toFixed(2)}" y="${top + height + 18}" text-anchor="middle" font-size="11">${e}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${left + width / 2}" y="${top + height + 36}" text-anchor="middle" font-size="12">${escape(labels.x)}</text>`);
  parts.push(`<text x="${left - 44}" y="${top + height / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${left - 44} ${top + height / 2})">${escape(labels.y)}</text>`);
  parts.push(`<text x="${left + width / 2}" y="${top - 10}" text-anchor="middle" font-size="13">${escape(labels.title)}</text>`);
  return { x, y, frame: parts.join("") };
}

const pathData = (points: [number, number][]) => points.map(([px, py], i) => `${i === 0 ? "M" : "L"}${px.toFixed(2)},${py.toFixed(2)}`).join(" ");

function legend(x: number, y: number, entries: { label: string; stroke: string; dash?: string }[]): string {
  const rows = entries.map(
    (e, i) =>
      `<line x1="${x + 8}" y1="${y + 14 + 18 * i}" x2="${x + 30}" y2="${y + 14 + 18 * i}" stroke="${e.stroke}" stroke-width="2"${e.dash ? ` stroke-dasharray="${e.dash}"` : ""}/>` +
      `<text x="${x + 36}" y="${y + 18 + 18 * i}">${escape(e.label)}</text>`,
  );
  return `<g class="legend" font-size="11"><rect x="${x}" y="${y}" width="150" height="${10 + 18 * entries.length}" fill="white" fill-opacity="0.9" stroke="#ccc"/>${rows.join("")}</g>`;
}

/**
 * Loss (left panel, log scale) and accuracy (right panel) against epochs: the training loss
 * of every step as a running mean, and per epoch the training and test loss and accuracy.
 */
export function curvesSvg(history: History, title = "Training"): string {
  const epochs = history.epoch.length;
  const w = 900;
  const h = 380;
  const top = 64;
  const ph = h - top - 60;
  const pw = 340;
  const stepX = (i: number) => (i + 1) / history.stepsPerEpoch;
  const smoothed = runningMean(history.stepLoss, Math.max(1, Math.round(history.stepsPerEpoch / 10)));
  const losses = [...smoothed, ...history.testLoss, ...history.trainLoss].filter((v) => v > 0 && Number.isFinite(v));
  // Log axis from a power of ten below the smallest loss to the first 1, 2 or 5 × 10ᵏ above the largest.
  const lowExponent = Math.floor(Math.log10(Math.min(...losses, 1)));
  const largest = Math.max(...losses, 1);
  const highExponent = Math.floor(Math.log10(largest));
  const lossHigh = [1, 2, 5, 10].map((m) => m * 10 ** highExponent).find((v) => v >= largest)!;
  const lossTicks = [];
  for (let p = lowExponent; p <= highExponent + 1; p++) {
    for (const m of [1, 2, 5]) {
      const value = m * 10 ** p;
      if (value <= lossHigh * (1 + 1e-9)) lossTicks.push({ value, label: m === 1 || value === lossHigh ? value.toFixed(Math.max(0, -p)) : "" });
    }
  }
  const lossPanel = panel(70, top, pw, ph, [0, epochs], [10 ** lowExponent, lossHigh], lossTicks, { x: "epoch", y: "cross-entropy loss (log scale)", title: "loss" }, Math.log10);
  // The accuracy axis starts at a round figure below the worst accuracy, so the last points stay apart.
  const accuracies = [...history.trainAccuracy, ...history.testAccuracy];
  const lowAccuracy = Math.min(0.9, Math.floor(Math.min(...accuracies, 1) * 10) / 10);
  const accuracyTicks = [];
  const tickStep = lowAccuracy >= 0.8 ? 0.02 : 0.1;
  for (let a = 1; a >= lowAccuracy - 1e-9; a -= tickStep) accuracyTicks.push({ value: a, label: `${Math.round(a * 100)}%` });
  const accuracyPanel = panel(520, top, pw, ph, [0, epochs], [lowAccuracy, 1], accuracyTicks, { x: "epoch", y: "accuracy", title: "accuracy" });
  const clampLoss = (v: number) => Math.min(Math.max(v, 10 ** lowExponent), lossHigh);
  const perEpoch = (p: Panel, values: number[], f: (v: number) => number = (v) => v) => history.epoch.map((e, i) => [p.x(e), p.y(f(values[i]!))] as [number, number]);
  const dots = (points: [number, number][], fill: string) => points.map(([x, y]) => `<circle cx="${x.toFixed(2)}" cy="${y.toFixed(2)}" r="3" fill="${fill}"/>`).join("");
  const trainLoss = perEpoch(lossPanel, history.trainLoss, clampLoss);
  const testLoss = perEpoch(lossPanel, history.testLoss, clampLoss);
  const trainAccuracy = perEpoch(accuracyPanel, history.trainAccuracy);
  const testAccuracy = perEpoch(accuracyPanel, history.testAccuracy);
  const last = history.testAccuracy[epochs - 1];
  return document(w, h, title, [
    `<text x="${w / 2}" y="24" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    last === undefined ? "" : `<text x="${w / 2}" y="42" text-anchor="middle" font-size="12" fill="#555">final test accuracy ${(last * 100).toFixed(1)}%, test loss ${history.testLoss[epochs - 1]!.toFixed(4)}</text>`,
    `<g id="loss-panel">${lossPanel.frame}`,
    `<path id="step-loss" d="${pathData(smoothed.map((v, i) => [lossPanel.x(stepX(i)), lossPanel.y(clampLoss(v))]))}" fill="none" stroke="${COLORS.step}" stroke-width="1.2"/>`,
    `<path id="train-loss" d="${pathData(trainLoss)}" fill="none" stroke="${COLORS.train}" stroke-width="2"/>${dots(trainLoss, COLORS.train)}`,
    `<path id="test-loss" d="${pathData(testLoss)}" fill="none" stroke="${COLORS.test}" stroke-width="2" stroke-dasharray="5 3"/>${dots(testLoss, COLORS.test)}`,
    legend(70 + pw - 156, top + 6, [
      { label: "train, per step (mean)", stroke: COLORS.step },
      { label: "train, epoch mean", stroke: COLORS.train },
      { label: "test", stroke: COLORS.test, dash: "5 3" },
    ]),
    `</g>`,
    `<g id="accuracy-panel">${accuracyPanel.frame}`,
    `<path id="train-accuracy" d="${pathData(trainAccuracy)}" fill="none" stroke="${COLORS.train}" stroke-width="2"/>${dots(trainAccuracy, COLORS.train)}`,
    `<path id="test-accuracy" d="${pathData(testAccuracy)}" fill="none" stroke="${COLORS.test}" stroke-width="2" stroke-dasharray="5 3"/>${dots(testAccuracy, COLORS.test)}`,
    legend(520 + pw - 156, top + ph - 52, [
      { label: "train (shifted batches)", stroke: COLORS.train },
      { label: "test", stroke: COLORS.test, dash: "5 3" },
    ]),
    `</g>`,
  ]);
}

/** Counts of (true, predicted) pairs: `matrix[t][p]`. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes = 10): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]!]![predicted[i]!]!++;
  return matrix;
}

/** White to `to` by `t` in [0, 1]. */
function shade(t: number, to: [number, number, number]): string {
  const u = Math.min(1, Math.max(0, t));
  const c = to.map((v) => Math.round(255 + (v - 255) * u));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * The confusion matrix: a row per true digit, a column per predicted one, each cell with
 * its count. Correct predictions (the diagonal) are shaded blue by the row's share, mistakes
 * red by their count against the largest mistake, so the common confusions stand out; each
 * row ends with the share of its digits predicted correctly.
 */
export function confusionMatrixSvg(matrix: number[][], title = "Confusion matrix"): string {
  const classes = matrix.length;
  const cell = 44;
  const left = 90;
  const top = 96;
  const size = cell * classes;
  const w = left + size + 80;
  const h = top + size + 30;
  const worstMistake = Math.max(1, ...matrix.flatMap((row, t) => row.filter((_, p) => p !== t)));
  const cells: string[] = [];
  const recalls: string[] = [];
  matrix.forEach((row, t) => {
    const total = row.reduce((s, v) => s + v, 0);
    row.forEach((count, p) => {
      const fill = t === p ? shade(total === 0 ? 0 : count / total, [8, 81, 156]) : shade(count === 0 ? 0 : 0.15 + (0.85 * count) / worstMistake, [203, 24, 29]);
      const dark = t === p ? total > 0 && count / total > 0.5 : count / worstMistake > 0.6;
      const x = left + p * cell;
      const y = top + t * cell;
      cells.push(
        `<g class="cell" data-true="${t}" data-predicted="${p}" data-count="${count}"><rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ddd"/>` +
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 5}" text-anchor="middle" font-size="13" fill="${dark ? "white" : count === 0 ? "#bbb" : "#222"}">${count}</text></g>`,
      );
    });
    const recall = total === 0 ? "–" : `${((row[t]! / total) * 100).toFixed(1)}%`;
    recalls.push(`<text x="${left + size + 8}" y="${top + t * cell + cell / 2 + 5}" font-size="12" fill="#555">${recall}</text>`);
  });
  const axisLabels: string[] = [];
  for (let c = 0; c < classes; c++) {
    axisLabels.push(`<text x="${left + c * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="14">${c}</text>`);
    axisLabels.push(`<text x="${left - 10}" y="${top + c * cell + cell / 2 + 5}" text-anchor="end" font-size="14">${c}</text>`);
  }
  return document(w, h, title, [
    `<text x="${w / 2}" y="24" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    `<text x="${left + size / 2}" y="${top - 34}" text-anchor="middle" font-size="12">predicted digit</text>`,
    `<text x="${left - 40}" y="${top + size / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${left - 40} ${top + size / 2})">true digit</text>`,
    `<text x="${left + size + 8}" y="${top - 8}" font-size="11" fill="#555">correct</text>`,
    `<g id="labels">${axisLabels.join("")}</g>`,
    `<g id="cells">${cells.join("")}</g>`,
    `<g id="recall">${recalls.join("")}</g>`,
  ]);
}

/** A misclassified digit: its pixels (784 values in [0, 1]), what the model said and what it is. */
export interface Mistake {
  pixels: ArrayLike<number>;
  predicted: number;
  actual: number;
  /** The probability the model gave its (wrong) prediction. */
  confidence: number;
}

/**
 * The pixels of one 28×28 digit as grey rectangles (ink dark on white), `scale` units per
 * pixel, at (x, y): each row's runs of equal grey (16 levels) merged into one rectangle.
 */
export function digitRects(pixels: ArrayLike<number>, x: number, y: number, scale: number, side = 28): string {
  const rects: string[] = [];
  const level = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 15);
  for (let r = 0; r < side; r++) {
    let c = 0;
    while (c < side) {
      const l = level(pixels[r * side + c]!);
      let end = c + 1;
      while (end < side && level(pixels[r * side + end]!) === l) end++;
      if (l > 0) {
        const grey = Math.round(255 * (1 - l / 15));
        rects.push(`<rect x="${x + c * scale}" y="${y + r * scale}" width="${(end - c) * scale}" height="${scale}" fill="rgb(${grey},${grey},${grey})"/>`);
      }
      c = end;
    }
  }
  return rects.join("");
}

/** A probability as a whole percentage that never rounds a doubt away: 0.996 is ">99%". */
const percent = (p: number): string => (p >= 0.995 ? ">99%" : p < 0.005 ? "<1%" : `${Math.round(p * 100)}%`);

/**
 * A grid of misclassified digits, each drawn from its pixels with the model's prediction
 * (red, with its probability) and the true digit beneath. Shows them in the order given.
 */
export function misclassifiedSvg(mistakes: readonly Mistake[], options: { title?: string; columns?: number; scale?: number } = {}): string {
  const columns = options.columns ?? 8;
  const scale = options.scale ?? 2;
  const title = options.title ?? "Misclassified digits";
  const image = 28 * scale;
  const cellWidth = image + 26;
  const cellHeight = image + 40;
  const left = 16;
  const top = 56;
  const rows = Math.max(1, Math.ceil(mistakes.length / columns));
  const w = Math.max(left * 2 + columns * cellWidth, 420);
  const h = top + rows * cellHeight + 10;
  const cells = mistakes.map((m, i) => {
    const x = left + (i % columns) * cellWidth + 13;
    const y = top + Math.floor(i / columns) * cellHeight;
    return (
      `<g class="digit" data-predicted="${m.predicted}" data-true="${m.actual}">` +
      `<rect x="${x - 1}" y="${y - 1}" width="${image + 2}" height="${image + 2}" fill="white" stroke="#bbb"/>` +
      digitRects(m.pixels, x, y, scale) +
      `<text x="${x + image / 2}" y="${y + image + 15}" text-anchor="middle" font-size="12" fill="#c00">pred ${m.predicted} (${percent(m.confidence)})</text>` +
      `<text x="${x + image / 2}" y="${y + image + 29}" text-anchor="middle" font-size="12" fill="#333">true ${m.actual}</text></g>`
    );
  });
  return document(w, h, title, [
    `<text x="${w / 2}" y="24" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    `<text x="${w / 2}" y="42" text-anchor="middle" font-size="12" fill="#555">${mistakes.length === 0 ? "no test digit was misclassified" : "most confident mistakes first"}</text>`,
    `<g id="digits">${cells.join("\n")}</g>`,
  ]);
}
