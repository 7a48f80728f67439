import { XMLParser, XMLValidator } from "fast-xml-parser";
import { expect } from "vitest";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });

/** Parses an SVG document after checking it is well-formed XML; returns its root element. */
export function parseSvg(text: string): Record<string, unknown> {
  expect(XMLValidator.validate(text)).toBe(true);
  const root = parser.parse(text) as { svg?: Record<string, unknown> };
  expect(root.svg).toBeDefined();
  expect(root.svg!.xmlns).toBe("http://www.w3.org/2000/svg");
  return root.svg!;
}

/** Every element named `tag` anywhere below `node`. */
export function findAll(node: unknown, tag: string): Record<string, unknown>[] {
  if (node === null || typeof node !== "object") return [];
  const out: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(node)) {
    const items = Array.isArray(value) ? value : [value];
    if (key === tag) out.push(...(items as Record<string, unknown>[]));
    for (const item of items) out.push(...findAll(item, tag));
  }
  return out;
}

/** The text content of every <text> below `node`. */
export function texts(node: unknown): string[] {
  return findAll(node, "text").map((t) => String(typeof t === "object" ? (t["#text"] ?? "") : t));
}
