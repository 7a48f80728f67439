// The network diagram: a column of input features, one column per hidden layer, the output;
// each unit drawn as a thumbnail of its output over the square, each weight as a link whose
// width and colour show its size and sign. Columns are HTML (buttons, so every control is
// reachable by keyboard); the links are an SVG behind them, placed from the nodes' boxes.
import { FEATURE_FUNCTIONS, gridPoints } from "./datasets.js";
import { colorOf, drawThumbnail } from "./draw.js";
import type { FrameData } from "./protocol.js";
import { FEATURES, MAX_LAYERS, MAX_NEURONS, type FeatureName } from "./state.js";

/** What the diagram asks the page to do. */
export interface NetworkActions {
  toggleFeature(feature: FeatureName): void;
  setLayerSize(layer: number, size: number): void;
  /** Show unit `unit` of layer `layer` in the big heat map (null: the network's output again); features use layer −1. */
  preview(target: { layer: number; unit: number; title: string } | null): void;
  setWeight(layer: number, unit: number, input: number, value: number): void;
}

const SVG = "http://www.w3.org/2000/svg";
const THUMB = 24;

/** Feature thumbnails never change: computed once, scaled to their largest magnitude on the square. */
const featureThumbs = new Map<FeatureName, { values: Float64Array; scale: number }>();
function featureThumb(f: FeatureName) {
  let t = featureThumbs.get(f);
  if (!t) {
    const xy = gridPoints(THUMB);
    const values = new Float64Array(THUMB * THUMB).map((_, i) => FEATURE_FUNCTIONS[f].of(xy[2 * i]!, xy[2 * i + 1]!));
    t = { values, scale: Math.max(...values.map(Math.abs)) || 1 };
    featureThumbs.set(f, t);
  }
  return t;
}

/** The diagram: built again when the architecture changes, repainted (thumbnails, links, biases) every frame. */
export class NetworkView {
  private features: FeatureName[] = [];
  private hidden: number[] = [];
  private weights: FrameData["weights"] = [];
  private editing: { layer: number; unit: number } | null = null;
  private readonly links: SVGSVGElement;
  private readonly editor: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly actions: NetworkActions,
  ) {
    this.links = root.querySelector("svg")!;
    this.editor = document.getElementById("neuron-editor")!;
    new ResizeObserver(() => this.layout()).observe(root);
    this.links.addEventListener("click", (event) => {
      const path = (event.target as Element).closest("path");
      if (!path) return;
      const [layer, unit, input] = ["layer", "unit", "input"].map((k) => Number(path.dataset[k]));
      this.openEditor(layer!, unit!, input!);
    });
  }

  /** Rebuilds the columns for a new architecture; keeps keyboard focus on the control that had it. */
  render(features: FeatureName[], hidden: number[]): void {
    const focusedKey = (document.activeElement as HTMLElement | null)?.dataset?.key;
    this.features = [...features];
    this.hidden = [...hidden];
    this.weights = [];
    this.root.querySelectorAll(".column").forEach((c) => c.remove());
    this.root.append(this.featureColumn(), ...hidden.map((size, l) => this.layerColumn(l, size)), this.outputColumn());
    this.root.style.setProperty("--columns", String(hidden.length + 2));
    document.getElementById("layer-count")!.textContent = String(hidden.length);
    document.getElementById("network-title")!.lastChild!.textContent = hidden.length === 1 ? " hidden layer" : " hidden layers";
    (document.getElementById("add-layer") as HTMLButtonElement).disabled = hidden.length >= MAX_LAYERS;
    (document.getElementById("remove-layer") as HTMLButtonElement).disabled = hidden.length === 0;
    if (this.editing && (this.editing.layer > hidden.length || (this.editing.layer < hidden.length && this.editing.unit >= hidden[this.editing.layer]!))) this.closeEditor();
    else if (this.editing) this.openEditor(this.editing.layer, this.editing.unit);
    if (focusedKey) this.root.querySelector<HTMLElement>(`[data-key="${focusedKey}"]`)?.focus();
    for (const f of FEATURES) {
      const canvas = this.root.querySelector<HTMLCanvasElement>(`[data-key="feature:${f}"] canvas`)!;
      const t = featureThumb(f);
      drawThumbnail(canvas, t.values, THUMB, t.scale);
    }
    this.layout();
  }

  private column(className: string, head: HTMLElement[]): HTMLElement {
    const column = document.createElement("div");
    column.className = `column ${className}`;
    const header = document.createElement("div");
    header.className = "column-head";
    header.append(...head);
    column.append(header);
    return column;
  }

  private node(key: string, label: string, title: string, bias = false): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "node";
    button.dataset.key = key;
    button.title = title;
    button.setAttribute("aria-label", title);
    const canvas = document.createElement("canvas");
    button.append(canvas);
    if (bias) {
      // The bias as a small square at the unit's corner, coloured as the weights are.
      const square = document.createElement("span");
      square.className = "bias";
      button.append(square);
    }
    if (label) {
      const span = document.createElement("span");
      span.textContent = label;
      button.append(span);
    }
    return button;
  }

  private featureColumn(): HTMLElement {
    const head = document.createElement("span");
    head.textContent = "Features";
    const column = this.column("features", [head]);
    for (const f of FEATURES) {
      const on = this.features.includes(f);
      const button = this.node(`feature:${f}`, FEATURE_FUNCTIONS[f].title, `Input feature ${FEATURE_FUNCTIONS[f].title}: ${on ? "on" : "off"}, press to switch`);
      button.classList.add("feature");
      button.setAttribute("aria-pressed", String(on));
      button.addEventListener("click", () => this.actions.toggleFeature(f));
      const index = this.features.indexOf(f);
      if (on) this.hover(button, { layer: -1, unit: index, title: `feature ${FEATURE_FUNCTIONS[f].title}` });
      column.append(button);
    }
    return column;
  }

  private layerColumn(layer: number, size: number): HTMLElement {
    const button = (key: string, text: string, label: string, enabled: boolean, change: number) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "small";
      b.textContent = text;
      b.dataset.key = key;
      b.setAttribute("aria-label", label);
      b.disabled = !enabled;
      b.addEventListener("click", () => this.actions.setLayerSize(layer, size + change));
      return b;
    };
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = `${size}`;
    count.title = `${size} neuron${size === 1 ? "" : "s"}`;
    const column = this.column("layer", [
      button(`add-neuron:${layer}`, "+", `Add a neuron to hidden layer ${layer + 1}`, size < MAX_NEURONS, 1),
      button(`remove-neuron:${layer}`, "−", `Remove a neuron from hidden layer ${layer + 1}`, size > 1, -1),
      count,
    ]);
    for (let unit = 0; unit < size; unit++) {
      const title = `Layer ${layer + 1}, neuron ${unit + 1}`;
      const node = this.node(`neuron:${layer}:${unit}`, "", `${title}: press to edit its weights`, true);
      node.addEventListener("click", () => this.openEditor(layer, unit));
      this.hover(node, { layer, unit, title: title.toLowerCase() });
      column.append(node);
    }
    return column;
  }

  private outputColumn(): HTMLElement {
    const head = document.createElement("span");
    head.textContent = "Output";
    const column = this.column("out", [head]);
    const node = this.node("output", "", "Output neuron: press to edit its weights", true);
    node.addEventListener("click", () => this.openEditor(this.hidden.length, 0));
    column.append(node);
    return column;
  }

  private hover(element: HTMLElement, target: { layer: number; unit: number; title: string }): void {
    element.addEventListener("mouseenter", () => this.actions.preview(target));
    element.addEventListener("focus", () => this.actions.preview(target));
    element.addEventListener("mouseleave", () => this.actions.preview(null));
    element.addEventListener("blur", () => this.actions.preview(null));
  }

  /** The nodes of column c (0: features actually used, 1…: hidden layers, last: output), in input order. */
  private nodesOf(column: number): HTMLElement[] {
    if (column === 0) return this.features.map((f) => this.root.querySelector<HTMLElement>(`[data-key="feature:${f}"]`)!);
    if (column <= this.hidden.length) return Array.from({ length: this.hidden[column - 1]! }, (_, u) => this.root.querySelector<HTMLElement>(`[data-key="neuron:${column - 1}:${u}"]`)!);
    return [this.root.querySelector<HTMLElement>('[data-key="output"]')!];
  }

  /** Sizes the thumbnails to the width available and redraws the links from the nodes' positions. */
  layout(): void {
    const columns = this.hidden.length + 2;
    const width = this.root.clientWidth;
    if (width === 0) return;
    const size = Math.max(22, Math.min(52, Math.floor(width / columns - 22)));
    this.root.style.setProperty("--node", `${size}px`);
    // Heads wrap on narrow screens; give them all the tallest one's height so units line up.
    const heads = [...this.root.querySelectorAll<HTMLElement>(".column-head")];
    heads.forEach((h) => (h.style.minHeight = ""));
    const tallest = Math.max(...heads.map((h) => h.offsetHeight));
    heads.forEach((h) => (h.style.minHeight = `${tallest}px`));
    const box = this.root.getBoundingClientRect();
    this.links.setAttribute("width", String(box.width));
    this.links.setAttribute("height", String(this.root.scrollHeight));
    const paths: SVGPathElement[] = [];
    for (let c = 1; c < columns; c++) {
      const from = this.nodesOf(c - 1).map((n) => n.querySelector("canvas")!.getBoundingClientRect());
      const to = this.nodesOf(c).map((n) => n.querySelector("canvas")!.getBoundingClientRect());
      to.forEach((b, unit) => {
        from.forEach((a, input) => {
          const x1 = a.right - box.left;
          const y1 = a.top + a.height / 2 - box.top;
          const x2 = b.left - box.left;
          const y2 = b.top + b.height / 2 - box.top;
          const mid = (x1 + x2) / 2;
          const path = document.createElementNS(SVG, "path");
          path.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
          path.dataset.layer = String(c - 1);
          path.dataset.unit = String(unit);
          path.dataset.input = String(input);
          paths.push(path);
        });
      });
    }
    this.links.replaceChildren(...paths);
    this.paintLinks();
  }

  /** Link width grows with |w| (capped), colour shows the sign (blue +, orange −). */
  private paintLinks(): void {
    for (const path of this.links.querySelectorAll("path")) {
      const w = this.weights[Number(path.dataset.layer)];
      const value = w ? w.weight[Number(path.dataset.unit) * w.shape[1] + Number(path.dataset.input)]! : 0;
      path.setAttribute("stroke", value >= 0 ? "#0877bd" : "#f59322");
      path.setAttribute("stroke-width", String(Math.min(6, 0.5 + Math.abs(value) * 2)));
      path.setAttribute("stroke-opacity", String(Math.min(1, 0.35 + Math.abs(value) / 2)));
      const title = path.querySelector("title") ?? path.appendChild(document.createElementNS(SVG, "title"));
      title.textContent = `weight ${value.toPrecision(3)} (click to edit)`;
    }
  }

  /** Draws the frame's neuron outputs and weights. */
  update(frame: FrameData): void {
    this.weights = frame.weights;
    const { layers, output, size } = frame.grid;
    layers.forEach((units, l) =>
      units.forEach((values, u) => {
        const canvas = this.root.querySelector<HTMLCanvasElement>(`[data-key="neuron:${l}:${u}"] canvas`);
        if (canvas) drawThumbnail(canvas, values, size);
      }),
    );
    const out = this.root.querySelector<HTMLCanvasElement>('[data-key="output"] canvas');
    if (out) drawThumbnail(out, output, size);
    frame.weights.forEach((w, l) =>
      w.bias.forEach((b, u) => {
        const key = l === this.hidden.length ? "output" : `neuron:${l}:${u}`;
        const square = this.root.querySelector<HTMLElement>(`[data-key="${key}"] .bias`);
        if (!square) return;
        square.style.background = `rgb(${colorOf(b).join(",")})`;
        square.title = `bias ${b.toPrecision(3)}`;
      }),
    );
    this.paintLinks();
    if (this.editing) this.refreshEditor();
  }

  private inputName(layer: number, input: number): string {
    return layer === 0 ? FEATURE_FUNCTIONS[this.features[input]!].title : `layer ${layer}, neuron ${input + 1}`;
  }

  /** Opens the editor of one unit's bias and incoming weights; focuses the weight of a clicked link. */
  openEditor(layer: number, unit: number, focusInput?: number): void {
    this.editing = { layer, unit };
    const inputs = layer === 0 ? this.features.length : this.hidden[layer - 1]!;
    const title = layer === this.hidden.length ? "Output neuron" : `Layer ${layer + 1}, neuron ${unit + 1}`;
    const rows: HTMLElement[] = [];
    const field = (label: string, input: number) => {
      const row = document.createElement("label");
      row.textContent = label + " ";
      const box = document.createElement("input");
      box.type = "number";
      box.step = "0.01";
      box.dataset.input = String(input);
      box.dataset.key = `edit:${input}`;
      box.addEventListener("change", () => {
        const value = Number(box.value);
        if (box.value.trim() !== "" && Number.isFinite(value)) this.actions.setWeight(layer, unit, input, value);
      });
      row.append(box);
      rows.push(row);
      return box;
    };
    const heading = document.createElement("h3");
    heading.textContent = `${title}: bias and incoming weights`;
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.dataset.key = "edit:close";
    close.addEventListener("click", () => {
      this.closeEditor();
      this.root.querySelector<HTMLElement>(layer === this.hidden.length ? '[data-key="output"]' : `[data-key="neuron:${layer}:${unit}"]`)?.focus();
    });
    field("bias", -1);
    for (let i = 0; i < inputs; i++) field(`from ${this.inputName(layer, i)}`, i);
    const grid = document.createElement("div");
    grid.className = "weights";
    grid.append(...rows);
    this.editor.replaceChildren(heading, grid, close);
    this.editor.hidden = false;
    this.refreshEditor(true);
    this.root.querySelectorAll(".node.editing").forEach((n) => n.classList.remove("editing"));
    this.root.querySelector(layer === this.hidden.length ? '[data-key="output"]' : `[data-key="neuron:${layer}:${unit}"]`)?.classList.add("editing");
    if (focusInput !== undefined) this.editor.querySelector<HTMLInputElement>(`input[data-input="${focusInput}"]`)?.focus();
  }

  /** Shows the current values, except in the box being typed into. */
  private refreshEditor(all = false): void {
    if (!this.editing) return;
    const w = this.weights[this.editing.layer];
    if (!w) return;
    for (const box of this.editor.querySelectorAll<HTMLInputElement>("input")) {
      if (!all && box === document.activeElement) continue;
      const input = Number(box.dataset.input);
      const value = input === -1 ? w.bias[this.editing.unit]! : w.weight[this.editing.unit * w.shape[1] + input]!;
      box.value = value.toFixed(3);
    }
  }

  closeEditor(): void {
    this.editing = null;
    this.editor.hidden = true;
    this.editor.replaceChildren();
    this.root.querySelectorAll(".node.editing").forEach((n) => n.classList.remove("editing"));
  }
}
