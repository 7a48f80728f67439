import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { Tensor, tensor, toHtml, toSvg } from "@tapegrad/autograd";

interface Box {
  id: string;
  kind: string;
  label: string;
  detail: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Boxes and edge polylines of a toSvg picture, read with an XML parser. */
function parseSvg(svg: string) {
  expect(XMLValidator.validate(svg)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["g", "text", "path"].includes(name) });
  const root = parser.parse(svg).svg;
  const layers = root.g[0].g as { id: string; g?: Record<string, unknown>[] }[];
  const nodes = layers.find((l) => l.id === "nodes")!.g ?? [];
  const edges = layers.find((l) => l.id === "edges")!.g ?? [];
  const text = (t: unknown) => (typeof t === "object" && t !== null ? String((t as { "#text": unknown })["#text"] ?? "") : String(t));
  const boxes: Box[] = nodes.map((g) => {
    const rect = g.rect as Record<string, string>;
    const texts = g.text as unknown[];
    return {
      id: String(g.id),
      kind: String(g.class),
      label: text(texts[0]),
      detail: text(texts[1]),
      x: Number(rect.x),
      y: Number(rect.y),
      width: Number(rect.width),
      height: Number(rect.height),
    };
  });
  const lines = edges.map((g) => {
    const d = ((g.path as Record<string, string>[])[0]!).d!;
    const points = [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
    return { points, label: text((g.text as unknown[])[0]) };
  });
  return { root, boxes, lines };
}

const inside = (p: { x: number; y: number }, b: Box, margin: number) =>
  p.x > b.x + margin && p.x < b.x + b.width - margin && p.y > b.y + margin && p.y < b.y + b.height - margin;

// A small network written from primitives, with a skip connection so that edges must go around boxes.
function network() {
  const X = tensor([[1, 2], [3, 4], [5, 6]]);
  const Y = tensor([[1], [0], [1]]);
  const W1 = tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], { requiresGrad: true });
  const b1 = tensor([0, 0.1, -0.1], { requiresGrad: true });
  const W2 = tensor([[1, -1, 0.5]], { requiresGrad: true });
  const h = X.matmul(W1.t()).add(b1).relu();
  const out = h.matmul(W2.t()).add(X.mul(W1.narrow(0, 0, 1)).sum(1, true).mul(0.1)).sigmoid();
  const loss = out.sub(Y).pow(2).mean();
  const model = { namedParameters: (): [string, Tensor][] => [["0.weight", W1], ["0.bias", b1], ["2.weight", W2]] };
  return { X, Y, h, loss, model };
}

describe("toSvg", () => {
  it("names every node: parameters from the model, data and targets from a record, ops by their op", () => {
    const { X, Y, loss, model } = network();
    const names = new Map<Tensor, string>([...model.namedParameters().map(([n, t]): [Tensor, string] => [t, n]), [X, "X"], [Y, "Y"]]);
    const { boxes, lines } = parseSvg(toSvg(loss, { names }));
    const by = (kind: string) => boxes.filter((b) => b.kind === kind).map((b) => b.label).sort();
    expect(by("leaf")).toEqual(["0.bias", "0.weight", "2.weight"]);
    // X (used twice: one box), Y and the number 0.1 are constants.
    expect(by("constant")).toEqual(["0.1", "X", "Y"]);
    expect(by("output")).toEqual(["mean"]);
    expect(by("op")).toEqual(["add", "add", "matmul", "matmul", "mul", "mul", "narrow", "pow", "relu", "sigmoid", "sub", "sum", "transpose", "transpose"].sort());
    for (const b of boxes) {
      expect(b.label.length, `box ${b.id}`).toBeGreaterThan(0);
      expect(b.detail.length, `box ${b.id}`).toBeGreaterThan(0);
    }
    // One arrow per op input; shapes on them.
    expect(lines.length).toBe(22);
    // X into matmul and mul, W1 into transpose and narrow, X·W1[0] into sum.
    expect(lines.filter((l) => l.label === "[3,2]")).toHaveLength(5);
  });

  it("lays boxes out without overlap, and routes every edge from its input up to its op, around the other boxes", () => {
    const { loss, model } = network();
    const svg = toSvg(loss, { names: model });
    const { boxes, lines, root } = parseSvg(svg);
    expect(Number(root.width)).toBeGreaterThan(0);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.label} and ${b.label} overlap`).toBe(true);
      }
    }
    for (const { points } of lines) {
      const start = points[0]!;
      const end = points[points.length - 1]!;
      const from = boxes.find((b) => Math.abs(start.y - (b.y + b.height / 2)) <= b.height / 2 + 1 && Math.abs(start.x - (b.x + b.width / 2)) <= b.width / 2 + 1);
      const to = boxes.find((b) => Math.abs(end.y - (b.y + b.height / 2)) <= b.height / 2 + 1 && Math.abs(end.x - (b.x + b.width / 2)) <= b.width / 2 + 1);
      expect(from, "an edge starts on a box").toBeDefined();
      expect(to, "an edge ends on a box").toBeDefined();
      expect(end.y).toBeLessThan(start.y); // inputs below, consumers above
      // Every control point, and the middle of every segment, lies outside the other boxes.
      const samples = points.flatMap((p, i) => (i === 0 ? [p] : [p, { x: (p.x + points[i - 1]!.x) / 2, y: (p.y + points[i - 1]!.y) / 2 }]));
      for (const b of boxes) if (b !== from && b !== to) for (const p of samples) expect(inside(p, b, 1), `edge ${from!.label} → ${to!.label} crosses ${b.label}`).toBe(false);
    }
  });

  it("puts a title above the picture and escapes names", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const svg = toSvg(a.exp().sum(), { names: { "a<b>&": a }, title: 'Graph "one"' });
    const { boxes, root } = parseSvg(svg);
    expect(boxes.find((b) => b.kind === "leaf")!.label).toBe("a<b>&");
    expect(svg).toContain(">Graph &quot;one&quot;</text>");
    expect(Number(root.height)).toBeGreaterThan(36);
  });

  it("draws a lone tensor as one box, and refuses unknown options", () => {
    const t = tensor(5);
    const { boxes, lines } = parseSvg(toSvg(t));
    expect(boxes.map((b) => [b.kind, b.label, b.detail])).toEqual([["output", "tensor", "[]"]]);
    expect(lines).toHaveLength(0);
    expect(() => toSvg(t, { titles: "x" } as never)).toThrow(/toSvg: unknown option "titles"; did you mean "title"\?/);
    expect(() => toHtml(t, { nmes: {} } as never)).toThrow(/toHtml: unknown option "nmes"/);
  });
});

describe("toHtml", () => {
  it("wraps the picture in a page with a legend", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const html = toHtml(a.mul(a).sum(), { names: { a }, title: "squares" });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>squares</title>");
    expect(html).toContain("constant input");
    expect(html).not.toContain("<?xml");
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>") + 6);
    expect(parseSvg(svg).boxes.map((b) => b.label).sort()).toEqual(["a", "mul", "sum"]);
  });
});
