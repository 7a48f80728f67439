import { XMLParser, XMLValidator } from "fast-xml-parser";

/** One box of a toSvg picture, as drawn: its kind (class), its title and its two text lines. */
export interface DrawnBox {
  kind: string;
  title: string;
  label: string;
  detail: string;
}

/** The boxes of a toSvg picture, read by an XML parser; throws when the SVG is not well formed. */
export function drawnBoxes(svg: string): DrawnBox[] {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`not well-formed SVG: ${JSON.stringify(valid.err)}`);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "g" || name === "text" }).parse(svg);
  const groups: Record<string, unknown>[] = parsed.svg.g[0].g;
  const nodes = groups.find((g) => g.id === "nodes")!.g as Record<string, unknown>[];
  return nodes.map((g) => {
    const texts = (g.text as (string | number | { "#text": string | number })[]).map((t) => String(typeof t === "object" ? t["#text"] : t));
    return { kind: String(g.class), title: String(g.title), label: texts[0] ?? "", detail: texts[1] ?? "" };
  });
}
