import { describe, expect, it } from "vitest";
import { Tensor, tensor, toDot } from "@tapegrad/autograd";

/** The nodes of a DOT text: id → label lines and attributes. */
function parseDot(dot: string) {
  const nodes = new Map<string, { label: string[]; attributes: string }>();
  for (const m of dot.matchAll(/^\s+(n\d+) \[(.*), label=("(?:[^"\\]|\\.)*")\];$/gm)) {
    nodes.set(m[1]!, { label: (JSON.parse(m[3]!) as string).split("\n"), attributes: m[2]! });
  }
  const edges = [...dot.matchAll(/^\s+(n\d+) -> (n\d+) \[label=("(?:[^"\\]|\\.)*")\];$/gm)].map((m) => ({ from: m[1]!, to: m[2]!, label: JSON.parse(m[3]!) as string }));
  return { nodes, edges };
}

describe("toDot", () => {
  it("is well-formed: every edge references declared nodes", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([3, 4], { requiresGrad: true });
    const dot = toDot(x.mul(w).exp().sum());
    expect(dot.startsWith('digraph "tapegrad" {')).toBe(true);
    expect(dot.trim().endsWith("}")).toBe(true);
    const { nodes, edges } = parseDot(dot);
    expect(nodes.size).toBe(5); // sum, exp, mul, two leaves
    expect(edges.length).toBe(4);
    for (const { from, to } of edges) {
      expect(nodes.has(from)).toBe(true);
      expect(nodes.has(to)).toBe(true);
    }
  });

  it("names parameters from a model-like source and draws the data X and targets Y as their own nodes", () => {
    const W = tensor([[0.5, -1], [2, 1]], { requiresGrad: true });
    const b = tensor([0.1, 0.2], { requiresGrad: true });
    const model = { namedParameters: (): [string, Tensor][] => [["0.weight", W], ["0.bias", b]] };
    const X = tensor([[1, 2], [3, 4], [5, 6]]);
    const Y = tensor([[0, 1], [1, 0], [1, 1]]);
    // X is used twice (in the product and in the residual), and must be one node.
    const Z = X.matmul(W.t()).add(b).add(X);
    const loss = Z.sub(Y).pow(2).mean();
    const { nodes, edges } = parseDot(toDot(loss, { names: model }));
    const byLabel = new Map([...nodes].map(([id, n]) => [n.label[0], { id, ...n }]));
    expect(byLabel.get("0.weight")!.attributes).toContain("#ffd27f");
    expect(byLabel.get("0.bias")!.label[1]).toBe("[2]");
    // X and Y are not in a model's parameters: drawn, grey, unnamed.
    const constants = [...nodes.values()].filter((n) => n.attributes.includes("#e8e8e8"));
    expect(constants.map((n) => n.label)).toEqual([["constant", "[3,2]"], ["constant", "[3,2]"]]);
    const named = parseDot(toDot(loss, { names: new Map<Tensor, string>([[X, "X"], [Y, "Y"], [W, "W"]]) }));
    const x = [...named.nodes].find(([, n]) => n.label[0] === "X")![0];
    const y = [...named.nodes].find(([, n]) => n.label[0] === "Y")![0];
    expect(named.edges.filter((e) => e.from === x).map((e) => named.nodes.get(e.to)!.label[0])).toEqual(["matmul", "add"]);
    expect(named.edges.filter((e) => e.from === y).map((e) => named.nodes.get(e.to)!.label[0])).toEqual(["sub"]);
    expect(edges.length).toBe(named.edges.length);
    // The output's op is green.
    expect(byLabel.get("mean")!.attributes).toContain("#b7e4c7");
  });

  it("draws numbers with their value, names intermediates, and names the graph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const dot = toDot(h.add(0.25).sum(), { name: "my graph", names: { x, h } });
    expect(dot.startsWith('digraph "my graph" {')).toBe(true);
    const labels = [...parseDot(dot).nodes.values()].map((n) => n.label);
    expect(labels).toContainEqual(["3", "constant"]);
    expect(labels).toContainEqual(["0.25", "constant"]);
    expect(labels).toContainEqual(["h", "mul [2]"]);
    expect(labels).toContainEqual(["x", "[2]"]);
  });

  it("draws a lone tensor, and refuses unknown options and malformed names", () => {
    const t = tensor([1, 2, 3]);
    expect(parseDot(toDot(t, { names: { t } })).nodes.get("n0")!.label).toEqual(["t", "[3]"]);
    expect(() => toDot(t, { nmes: {} } as never)).toThrow(/toDot: unknown option "nmes"; did you mean "names"\?/);
    expect(() => toDot(t, { names: 3 } as never)).toThrow(/toDot: names must be a model/);
  });
});
