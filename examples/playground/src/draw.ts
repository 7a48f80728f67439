// Canvas drawing: the colour scale, heat maps (output, neurons, gradients) and the loss chart.
// Every canvas is sized from its CSS box times devicePixelRatio, so it stays sharp on
// high-DPI screens; drawing code then works in CSS pixels.
import type { Points } from "./datasets.js";
import { DOMAIN } from "./datasets.js";

type Rgb = [number, number, number];
const ORANGE: Rgb = [245, 147, 34];
const GREY: Rgb = [232, 234, 235];
const BLUE: Rgb = [8, 119, 189];

/** The TensorFlow Playground's scale: −1 orange, 0 light grey, +1 blue, clamped outside. */
export function colorOf(value: number): Rgb {
  const t = Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 0;
  const [a, b, u] = t < 0 ? [GREY, ORANGE, -t] : [GREY, BLUE, t];
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * u)) as Rgb;
}

const css = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;

/** Sizes the canvas's backing store to its CSS box × devicePixelRatio; returns a context drawing in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; width: number; height: number } {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, width, height };
}

const scratch = new Map<number, HTMLCanvasElement>();

/** An offscreen image of a size × size grid of values (row 0 at the top), optionally thresholded at 0. */
function gridImage(values: ArrayLike<number>, size: number, discretize = false, scale = 1): HTMLCanvasElement {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    let v = values[i]! / scale;
    if (discretize) v = v >= 0 ? 1 : -1;
    const [r, g, b] = colorOf(v);
    image.data[i * 4] = r;
    image.data[i * 4 + 1] = g;
    image.data[i * 4 + 2] = b;
    image.data[i * 4 + 3] = 255;
  }
  // One scratch canvas per size: drawImage copies from it at once, so it can be reused.
  let off = scratch.get(size);
  if (!off) {
    off = document.createElement("canvas");
    off.width = size;
    off.height = size;
    scratch.set(size, off);
  }
  off.getContext("2d")!.putImageData(image, 0, 0);
  return off;
}

/** A thumbnail: a neuron's (or a feature's) output over the square; values divided by `scale` before colouring. */
export function drawThumbnail(canvas: HTMLCanvasElement, values: ArrayLike<number>, size: number, scale = 1): void {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(gridImage(values, size, false, scale), 0, 0, width, height);
}

/** Where the square's plot area sits inside the heat map canvas (room for tick labels). */
const MARGIN = { left: 26, bottom: 20, top: 6, right: 8 };

/** What the big heat map draws on top of the values. */
export interface HeatmapOptions {
  train: Points | null;
  test: Points | null;
  showTest: boolean;
  discretize: boolean;
}

/** The big heat map: values over the square, axis ticks at −6…6, and the data points on top. */
export function drawHeatmap(canvas: HTMLCanvasElement, values: ArrayLike<number>, size: number, options: HeatmapOptions): void {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const plot = { x: MARGIN.left, y: MARGIN.top, w: width - MARGIN.left - MARGIN.right, h: height - MARGIN.top - MARGIN.bottom };
  ctx.imageSmoothingEnabled = !options.discretize;
  ctx.drawImage(gridImage(values, size, options.discretize), plot.x, plot.y, plot.w, plot.h);
  const px = (x: number) => plot.x + ((x + DOMAIN) / (2 * DOMAIN)) * plot.w;
  const py = (y: number) => plot.y + ((DOMAIN - y) / (2 * DOMAIN)) * plot.h;
  // Axes and ticks every 2 units.
  ctx.strokeStyle = "#666";
  ctx.fillStyle = "#333";
  ctx.lineWidth = 1;
  ctx.font = "10px system-ui, sans-serif";
  ctx.strokeRect(plot.x - 0.5, plot.y - 0.5, plot.w + 1, plot.h + 1);
  for (let t = -DOMAIN; t <= DOMAIN; t += 2) {
    ctx.beginPath();
    ctx.moveTo(px(t), plot.y + plot.h);
    ctx.lineTo(px(t), plot.y + plot.h + 4);
    ctx.moveTo(plot.x, py(t));
    ctx.lineTo(plot.x - 4, py(t));
    ctx.stroke();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(String(t), px(t), plot.y + plot.h + 5);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(String(t), plot.x - 6, py(t));
  }
  const dot = (points: Points, test: boolean) => {
    for (let i = 0; i < points.label.length; i++) {
      const x = points.xy[2 * i]!;
      const y = points.xy[2 * i + 1]!;
      if (Math.abs(x) > DOMAIN || Math.abs(y) > DOMAIN) continue;
      const label = points.label[i]!;
      // Class labels 0/1 are drawn as −1/+1 on the shared scale; regression targets as they are.
      const value = label === 0 || label === 1 ? label * 2 - 1 : label;
      ctx.beginPath();
      ctx.arc(px(x), py(y), 3, 0, 2 * Math.PI);
      // A darker shade than the heat map's, so a point stands out on its own class's colour.
      ctx.fillStyle = css(colorOf(value).map((c) => Math.round(c * 0.78)) as Rgb);
      ctx.fill();
      ctx.lineWidth = test ? 1.5 : 1;
      ctx.strokeStyle = test ? "#000" : "#fff";
      ctx.stroke();
    }
  };
  if (options.train) dot(options.train, false);
  if (options.test && options.showTest) dot(options.test, true);
}

/** A round number near `span / count` (1, 2 or 5 times a power of ten), for tick steps. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

const formatTick = (v: number) => (Math.abs(v) >= 1000 ? `${+(v / 1000).toPrecision(3)}k` : String(+v.toPrecision(3)));

/** Train (solid blue) and test (dashed orange) loss against the step, with axes, ticks and labels. */
export function drawChart(canvas: HTMLCanvasElement, history: { steps: number[]; train: number[]; test: number[] }): void {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const plot = { x: 40, y: 8, w: width - 52, h: height - 34 };
  const finite = [...history.train, ...history.test].filter(Number.isFinite);
  const yMax = Math.max(1e-6, ...finite);
  const xMax = Math.max(1, history.steps.at(-1) ?? 1);
  const yStep = niceStep(yMax, 3);
  const yTop = Math.ceil(yMax / yStep) * yStep;
  const xStep = Math.max(1, niceStep(xMax, 4)); // steps are whole numbers
  const px = (s: number) => plot.x + (s / xMax) * plot.w;
  const py = (v: number) => plot.y + plot.h - (Math.min(v, yTop) / yTop) * plot.h;
  ctx.font = "10px system-ui, sans-serif";
  ctx.lineWidth = 1;
  ctx.strokeStyle = "#e4e4e4";
  ctx.fillStyle = "#333";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let v = 0; v <= yTop + yStep / 2; v += yStep) {
    ctx.beginPath();
    ctx.moveTo(plot.x, py(v));
    ctx.lineTo(plot.x + plot.w, py(v));
    ctx.stroke();
    ctx.fillText(formatTick(v), plot.x - 4, py(v));
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let s = 0; s <= xMax; s += xStep) ctx.fillText(formatTick(s), px(s), plot.y + plot.h + 3);
  ctx.strokeStyle = "#666";
  ctx.beginPath();
  ctx.moveTo(plot.x, plot.y);
  ctx.lineTo(plot.x, plot.y + plot.h);
  ctx.lineTo(plot.x + plot.w, plot.y + plot.h);
  ctx.stroke();
  ctx.fillText("step", plot.x + plot.w / 2, plot.y + plot.h + 14);
  ctx.save();
  ctx.translate(9, plot.y + plot.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText("loss", 0, 0);
  ctx.restore();
  const line = (values: number[], stroke: string, dash: number[]) => {
    ctx.beginPath();
    let started = false;
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const x = px(history.steps[i]!);
      const y = py(v);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    });
    ctx.setLineDash(dash);
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.setLineDash([]);
    // A lone point (before the first step) would draw nothing as a line.
    if (values.length === 1 && Number.isFinite(values[0]!)) {
      ctx.beginPath();
      ctx.arc(px(history.steps[0]!), py(values[0]!), 3, 0, 2 * Math.PI);
      ctx.fillStyle = stroke;
      ctx.fill();
    }
  };
  line(history.train, "#0877bd", []);
  line(history.test, "#c05a00", [5, 3]);
}

/** A small matrix heat map of gradient values, coloured on ±(largest magnitude). */
export function drawMatrix(canvas: HTMLCanvasElement, values: Float64Array, rows: number, cols: number): void {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  const cw = width / cols;
  const ch = height / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      ctx.fillStyle = css(colorOf(scale > 0 ? values[r * cols + c]! / scale : 0));
      ctx.fillRect(c * cw, r * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }
}
