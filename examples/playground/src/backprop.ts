// The backprop panel: the VJP table of the latest traced step, the graph of that same step
// (exactly what toSvg returns), and the detail of one VJP: its rule, g and the gradients it
// sends to its inputs, as numbers when small and as heat maps otherwise.
import { drawMatrix } from "./draw.js";
import type { GradientValues, TracedStep, VjpRecord } from "./session.js";

const shapeText = (shape: readonly number[]) => `[${shape.join(",")}]`;

function norm(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v * v;
  return Math.sqrt(s);
}

/** Shows a gradient: a table of numbers up to 24 values, a heat map beyond. */
function gradientView(g: GradientValues): HTMLElement {
  const wrap = document.createElement("div");
  wrap.className = "gradient";
  const cols = g.shape.length === 0 ? 1 : g.shape[g.shape.length - 1]!;
  const rows = cols === 0 ? 0 : g.values.length / cols;
  let scale = 0;
  for (const v of g.values) scale = Math.max(scale, Math.abs(v));
  if (g.values.length <= 24) {
    const table = document.createElement("table");
    table.className = "numbers";
    for (let r = 0; r < rows; r++) {
      const tr = table.insertRow();
      for (let c = 0; c < cols; c++) {
        const v = g.values[r * cols + c]!;
        const td = tr.insertCell();
        td.textContent = v.toPrecision(4);
        // Tinted by sign and size, as the heat maps are.
        const t = scale > 0 ? v / scale : 0;
        td.style.background = t >= 0 ? `rgba(8,119,189,${(0.35 * t).toFixed(3)})` : `rgba(245,147,34,${(-0.45 * t).toFixed(3)})`;
      }
    }
    wrap.append(table);
  } else {
    const canvas = document.createElement("canvas");
    const cell = Math.max(2, Math.min(14, Math.floor(240 / Math.max(cols, rows))));
    canvas.style.width = `${cols * cell}px`;
    canvas.style.height = `${rows * cell}px`;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `heat map of ${rows} × ${cols} values`);
    wrap.append(canvas);
    // Drawn once in the document, when its CSS size is known.
    requestAnimationFrame(() => drawMatrix(canvas, g.values, rows, cols));
  }
  const stats = document.createElement("p");
  stats.className = "stats";
  let min = Infinity;
  let max = -Infinity;
  for (const v of g.values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  stats.textContent = `${shapeText(g.shape)} · min ${min.toPrecision(3)} · max ${max.toPrecision(3)} · ‖·‖ ${norm(g.values).toPrecision(4)}`;
  wrap.append(stats);
  return wrap;
}

/** The panel's three parts, kept in step: table rows, the selected VJP's detail, the graph picture. */
export class BackpropView {
  private trace: TracedStep | null = null;
  private selected = 0;
  private svgSource = "";
  /** SVG node groups and the VJP step each stands for (null: a leaf no VJP runs for). */
  private graphNodes: { element: SVGGElement; step: number | null; label: string; op: boolean }[] = [];
  private readonly body: HTMLTableSectionElement;

  constructor(
    table: HTMLTableElement,
    private readonly detail: HTMLElement,
    private readonly graph: HTMLElement,
  ) {
    this.body = table.tBodies[0]!;
    this.body.addEventListener("click", (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>("button[data-step]");
      if (button) this.select(Number(button.dataset.step));
    });
    this.graph.addEventListener("click", (event) => this.pickGraphNode(event.target as Element));
    this.graph.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      this.pickGraphNode(event.target as Element);
    });
    this.detail.addEventListener("click", (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>("button[data-step]");
      if (button) this.select(Number(button.dataset.step), true);
    });
  }

  /** Forgets the trace (a new run or a new network). */
  clear(): void {
    this.trace = null;
    this.selected = 0;
    this.svgSource = "";
    this.body.replaceChildren();
    this.graph.replaceChildren();
    this.graphNodes = [];
    this.detail.innerHTML = '<p class="muted">No step traced yet: press Step or Play.</p>';
  }

  /** Shows a newly traced step, keeping the selected row. */
  show(trace: TracedStep): void {
    this.trace = trace;
    if (this.selected >= trace.vjps.length) this.selected = 0;
    this.renderRows();
    const fresh = trace.svg !== this.svgSource;
    if (fresh) this.renderGraph(trace.svg);
    this.renderDetail();
    this.markGraph(fresh);
  }

  private renderRows(): void {
    const vjps = this.trace!.vjps;
    // Rows are updated in place while their count holds, so a click lands even mid-run.
    if (this.body.rows.length !== vjps.length) {
      this.body.replaceChildren(
        ...vjps.map((v) => {
          const tr = document.createElement("tr");
          const button = document.createElement("button");
          button.type = "button";
          button.dataset.step = String(v.index);
          button.textContent = String(v.index);
          tr.insertCell().append(button);
          for (let i = 0; i < 7; i++) tr.insertCell();
          return tr;
        }),
      );
    }
    vjps.forEach((v, i) => {
      const tr = this.body.rows[i]!;
      const cells = [
        v.op,
        v.inputs.map((input) => `${input.label} ${shapeText(input.shape)}`).join(" · "),
        shapeText(v.outputShape),
        norm(v.g.values).toPrecision(4),
        v.gradInputs.map((g) => (g ? norm(g.values).toPrecision(4) : "—")).join(" "),
        v.reducedDims.map((d, k) => (d.length ? `in${k}:[${d.join(",")}]` : "")).filter(Boolean).join(" ") || "—",
        v.rule,
      ];
      cells.forEach((text, c) => {
        const cell = tr.cells[c + 1]!;
        if (cell.textContent !== text) cell.textContent = text;
      });
      const button = tr.cells[0]!.firstElementChild as HTMLButtonElement;
      button.setAttribute("aria-label", `Show VJP ${v.index}, ${v.op}`);
      button.setAttribute("aria-pressed", String(i === this.selected));
      tr.classList.toggle("selected", i === this.selected);
    });
  }

  /** Selects VJP `index`; with `focus`, moves keyboard focus to its row (for the links inside the detail). */
  select(index: number, focus = false): void {
    if (!this.trace || index < 0 || index >= this.trace.vjps.length) return;
    this.selected = index;
    this.renderRows();
    this.renderDetail();
    this.markGraph(true);
    if (focus) this.body.querySelector<HTMLButtonElement>(`button[data-step="${index}"]`)?.focus();
  }

  private renderDetail(): void {
    const v: VjpRecord | undefined = this.trace?.vjps[this.selected];
    if (!v) return;
    const parts: HTMLElement[] = [];
    const heading = document.createElement("h3");
    heading.textContent = `VJP #${v.index}: ${v.op} → ${shapeText(v.outputShape)} (step ${this.trace!.step}, batch of ${this.trace!.batchSize})`;
    const rule = document.createElement("p");
    rule.className = "rule";
    rule.innerHTML = "rule: <code></code>";
    rule.querySelector("code")!.textContent = v.rule;
    parts.push(heading, rule);
    const gTitle = document.createElement("h4");
    gTitle.textContent = "g, the gradient of the loss with respect to this op's output";
    parts.push(gTitle, gradientView(v.g));
    v.inputs.forEach((input, i) => {
      const h = document.createElement("h4");
      h.append(`∂ input ${i}: `);
      if (input.step !== null) {
        const link = document.createElement("button");
        link.type = "button";
        link.className = "link";
        link.dataset.step = String(input.step);
        link.textContent = input.label;
        link.title = "Show the VJP this gradient flows into next";
        h.append(link);
      } else {
        h.append(input.label);
      }
      h.append(` ${shapeText(input.shape)}`);
      const summed = v.reducedDims[i] ?? [];
      if (summed.length > 0) h.append(` (broadcast: summed over dims ${summed.join(", ")})`);
      parts.push(h);
      const g = v.gradInputs[i];
      if (g) parts.push(gradientView(g));
      else {
        const none = document.createElement("p");
        none.className = "muted";
        none.textContent = "no gradient: this input needs none";
        parts.push(none);
      }
    });
    this.detail.replaceChildren(...parts);
  }

  /** Puts toSvg's picture in the page, then finds its node boxes so they can be chosen. */
  private renderGraph(svg: string): void {
    this.svgSource = svg;
    this.graph.innerHTML = svg.replace(/^<\?xml[^>]*>\s*/, "");
    this.graphNodes = [];
    const vjps = this.trace!.vjps;
    // A node is a group holding a shape and text whose first line is an op or leaf name.
    // Ops are matched to VJPs by name and output shape; repeats (two tanh [10,4]) in the
    // order toSvg lists them, which is the forward order, the reverse of backward's.
    const unclaimed = new Map<string, number[]>();
    for (let i = vjps.length - 1; i >= 0; i--) {
      const key = `${vjps[i]!.op} ${shapeText(vjps[i]!.outputShape)}`;
      unclaimed.set(key, [...(unclaimed.get(key) ?? []), i]);
    }
    const leafSteps = new Map<string, number>();
    vjps.forEach((v) => v.inputs.forEach((input) => input.step === null && input.label !== "data" && !leafSteps.has(input.label) && leafSteps.set(input.label, v.index)));
    // Innermost groups holding a box and text; their lines of text (tspans count as lines).
    const boxes = [...this.graph.querySelectorAll<SVGGElement>("svg g")].filter((g) => g.querySelector("rect, ellipse, polygon, circle") && g.querySelector("text"));
    const nodes = boxes.filter((g) => !boxes.some((other) => other !== g && g.contains(other)));
    for (const group of nodes) {
      const lines = [...group.querySelectorAll("text")]
        .flatMap((t) => (t.querySelector("tspan") ? [...t.querySelectorAll("tspan")].map((span) => span.textContent ?? "") : [t.textContent ?? ""]))
        .map((line) => line.trim())
        .filter(Boolean);
      if (lines.length === 0) continue;
      const label = lines[0]!;
      const shape = lines.slice(1).join(" ").match(/\[[\d,]*\]/)?.[0] ?? "";
      const candidates = unclaimed.get(`${label} ${shape}`);
      let step: number | null = null;
      const op = candidates !== undefined && candidates.length > 0;
      if (op) step = candidates.shift()!;
      else if (leafSteps.has(label)) step = leafSteps.get(label)!;
      else if (!/^(X|Y|leaf|data)$/.test(label) && !vjps.some((v) => v.op === label)) continue;
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "button");
      group.setAttribute("aria-label", step === null ? `${label}: data, no VJP` : `${label}: show VJP ${step}`);
      group.classList.add("pickable");
      this.graphNodes.push({ element: group, step, label, op });
    }
  }

  private pickGraphNode(target: Element): void {
    const node = this.graphNodes.find((n) => n.element.contains(target));
    if (!node) return;
    if (node.step !== null) this.select(node.step);
    else {
      this.detail.replaceChildren();
      const p = document.createElement("p");
      p.textContent = `${node.label} is data: it needs no gradient, so no VJP runs for it.`;
      this.detail.append(p);
    }
  }

  /** Outlines the selected VJP's node and scrolls the picture (not the page) to it. */
  private markGraph(scroll: boolean): void {
    let selected: SVGGElement | null = null;
    // Only the op is outlined; a parameter's node also leads to its VJP but is not that VJP.
    for (const n of this.graphNodes) {
      const isSelected = n.op && n.step === this.selected;
      n.element.classList.toggle("selected", isSelected);
      if (isSelected) selected = n.element;
    }
    if (!scroll || !selected || this.graph.classList.contains("fit")) return;
    const box = selected.getBoundingClientRect();
    const frame = this.graph.getBoundingClientRect();
    if (box.left < frame.left || box.right > frame.right) this.graph.scrollLeft += box.left + box.width / 2 - (frame.left + frame.width / 2);
    if (box.top < frame.top || box.bottom > frame.bottom) this.graph.scrollTop += box.top + box.height / 2 - (frame.top + frame.height / 2);
  }
}
