import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every ```ts block in the guides and the README runs here, so the docs cannot rot.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const generated = join(root, "docs", "test", ".generated");
const sources = [
  ...readdirSync(join(root, "docs", "guides"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", "guides", f)),
  "README.md",
];

/** The ```ts blocks of a Markdown file, with the line each starts on. */
export function codeBlocks(markdown: string): { code: string; line: number }[] {
  const blocks: { code: string; line: number }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```ts") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== "```") end++;
    blocks.push({ code: lines.slice(start, end).join("\n"), line: start + 1 });
    i = end;
  }
  return blocks;
}

mkdirSync(generated, { recursive: true });
describe.each(sources)("%s", (source) => {
  const blocks = codeBlocks(readFileSync(join(root, source), "utf8"));
  it("has code samples", () => expect(blocks.length).toBeGreaterThan(0));
  it.each(blocks.map((b, i) => [i, b] as const))("sample %i runs", async (i, block) => {
    const file = join(generated, `${source.replace(/[/.]/g, "_")}_${i}.ts`);
    // Silence console output of samples but keep it available in failures.
    writeFileSync(file, `${block.code}\nexport {};\n`);
    const log = console.log;
    console.log = () => {};
    try {
      await import(/* @vite-ignore */ file);
    } finally {
      console.log = log;
    }
  });
});
