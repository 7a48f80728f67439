import type { TraceStep } from "@tapegrad/autograd";
import type { Snapshot } from "./session.js";

/** Blue (0) through white to orange (1), as the moons example's pictures. */
function color(p: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, p));
  const blue = [49, 130, 189];
  const white = [247, 247, 247];
  const orange = [230, 115, 0];
  const [a, b, u] = t < 0.5 ? [blue, white, t / 0.5] : [white, orange, (t - 0.5) / 0.5];
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * u)) as [number, number, number];
}

/** The heat map of probabilities with the data on top (test points drawn hollow). */
export function drawBoundary(canvas: HTMLCanvasElement, s: Snapshot): void {
  const ctx = canvas.getContext("2d")!;
  const { width, height } = canvas;
  const image = ctx.createImageData(s.gridSize, s.gridSize);
  for (let i = 0; i < s.grid.length; i++) {
    const [r, g, b] = color(s.grid[i]!);
    image.data.set([r, g, b, 255], i * 4);
  }
  const off = new OffscreenCanvas(s.gridSize, s.gridSize);
  off.getContext("2d")!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, width, height);
  const [x0, x1, y0, y1] = s.bounds;
  for (const p of s.points) {
    const px = ((p.x - x0) / (x1 - x0)) * width;
    const py = height - ((p.y - y0) / (y1 - y0)) * height;
    ctx.beginPath();
    ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
    // Darker than the heat map beneath, so points stand out on their own class's colour.
    const fill = p.label >= 0.5 ? "#a63603" : "#08519c";
    if (p.test) {
      ctx.strokeStyle = fill;
      ctx.lineWidth = 2;
      ctx.stroke();
    } else {
      ctx.fillStyle = fill;
      ctx.fill();
      ctx.strokeStyle = "white";
      ctx.lineWidth = 0.7;
      ctx.stroke();
    }
  }
}

/** Loss and accuracy histories as lines; loss scaled to its largest value so far. */
export function drawCurves(canvas: HTMLCanvasElement, history: { loss: number[]; train: number[]; test: number[] }): void {
  const ctx = canvas.getContext("2d")!;
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.strokeStyle = "#eee";
  for (let i = 1; i < 5; i++) {
    ctx.beginPath();
    ctx.moveTo(0, (height * i) / 5);
    ctx.lineTo(width, (height * i) / 5);
    ctx.stroke();
  }
  const n = history.loss.length;
  if (n < 2) return;
  const maxLoss = Math.max(...history.loss.filter(Number.isFinite), 1e-9);
  const line = (values: number[], scale: number, stroke: string) => {
    ctx.beginPath();
    values.forEach((v, i) => {
      const x = (i / (n - 1)) * width;
      const y = height - (Math.min(v, scale) / scale) * (height - 4) - 2;
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.stroke();
  };
  line(history.loss, maxLoss, "#d62728");
  line(history.train, 1, "#1f77b4");
  line(history.test, 1, "#2ca02c");
}

/** Fills the trace table: one row per VJP. */
export function renderTrace(body: HTMLTableSectionElement, steps: readonly TraceStep[]): void {
  const rows = steps.map((s) => {
    const cells = [
      String(s.index),
      s.op,
      s.inputShapes.map((shape) => `[${shape.join(",")}]`).join(" "),
      `[${s.outputShape.join(",")}]`,
      s.gradOutput.norm.toPrecision(4),
      s.gradInputs.map((g) => (g ? g.norm.toPrecision(4) : "—")).join(" "),
      s.reducedDims.map((d, i) => (d.length ? `in${i}:[${d.join(",")}]` : "")).filter(Boolean).join(" ") || "—",
      s.rule,
    ];
    const tr = document.createElement("tr");
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  });
  body.replaceChildren(...rows);
}
