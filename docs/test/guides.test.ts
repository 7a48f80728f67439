import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The guides are read in one order everywhere: the docs site's navigation (typedoc's
// projectDocuments, unsorted), the docs home page and the README.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const guides = readdirSync(join(root, "docs", "guides")).filter((f) => f.endsWith(".md"));
const siteOrder = (JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")).projectDocuments as string[]).map((p) => p.split("/").pop()!);
const linkedGuides = (file: string) => [...readFileSync(join(root, file), "utf8").matchAll(/\]\((?:\.\/|docs\/)guides\/([\w-]+\.md)\)/g)].map((m) => m[1]!);

describe("guides", () => {
  it("the docs site lists every guide once, in reading order, without sorting", () => {
    expect([...siteOrder].sort()).toEqual([...guides].sort());
    expect(JSON.parse(readFileSync(join(root, "typedoc.json"), "utf8")).sortEntryPoints).toBe(false);
  });

  it.each(["README.md", join("docs", "index.md")])("%s lists them in the same order", (file) => {
    const listed = linkedGuides(file);
    expect(listed.filter((g, i) => listed.indexOf(g) === i).slice(0, guides.length)).toEqual(siteOrder);
  });

  it("every relative link in the README resolves inside the repository", () => {
    const links = [...readFileSync(join(root, "README.md"), "utf8").matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(existsSync(join(root, link)), link).toBe(true);
  });
});
