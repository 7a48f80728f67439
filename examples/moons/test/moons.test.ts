import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { loadSafetensors } from "@tapegrad/nn";
import { defaults, parseArgs, run, type TrainOptions } from "../src/index.js";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });

/** Every element named `tag` anywhere below `node`. */
function findAll(node: unknown, tag: string): unknown[] {
  if (node === null || typeof node !== "object") return [];
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(node)) {
    const items = Array.isArray(value) ? value : [value];
    if (key === tag) out.push(...items);
    for (const item of items) out.push(...findAll(item, tag));
  }
  return out;
}

describe("moons example", () => {
  const out = mkdtempSync(join(tmpdir(), "moons-"));
  const options: TrainOptions = { ...defaults, epochs: 25, out };
  const lines: string[] = [];
  const { result, outputs } = run(options, (l) => lines.push(l), { update: () => {} } as never);

  it("learns the moons: test accuracy above 95% after a short run", () => {
    expect(result.testAccuracy).toBeGreaterThan(0.95);
    expect(result.trainAccuracy).toBeGreaterThan(0.95);
    expect(result.history.loss[result.history.loss.length - 1]).toBeLessThan(result.history.loss[0]!);
    expect(lines.join("\n")).toMatch(/test accuracy \d+\.\d%/);
  });

  it("writes a decision boundary SVG with a heat map, a contour and every data point", () => {
    const text = readFileSync(outputs.boundary, "utf8");
    expect(XMLValidator.validate(text)).toBe(true);
    const svg = parser.parse(text).svg;
    const groups = findAll(svg, "g") as { id: string }[];
    const byId = Object.fromEntries(groups.map((g) => [g.id, g]));
    expect(findAll(byId.heatmap, "rect").length).toBeGreaterThan(50);
    expect(findAll(byId.boundary, "line").length).toBeGreaterThan(10);
    expect(findAll(byId.points, "circle").length).toBe(options.samples);
  });

  it("writes loss and accuracy curves with labelled axes", () => {
    const text = readFileSync(outputs.curves, "utf8");
    expect(XMLValidator.validate(text)).toBe(true);
    const svg = parser.parse(text).svg;
    const paths = findAll(svg, "path") as { id?: string; d: string }[];
    const ids = paths.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(["loss", "train-accuracy", "test-accuracy"]));
    const loss = paths.find((p) => p.id === "loss")!;
    expect(loss.d.split(/[ML]/).filter(Boolean).length).toBe(result.history.epoch.length);
    const texts = JSON.stringify(findAll(svg, "text"));
    expect(texts).toContain("epoch");
    expect(texts).toContain("BCE loss");
    expect(texts).toContain("accuracy");
  });

  it("saves weights that load back bit-exactly", () => {
    const loaded = loadSafetensors(outputs.weights);
    const state = result.model.stateDict();
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(state).sort());
    for (const [key, t] of Object.entries(state)) expect(loaded[key]!.toFloat64Array()).toEqual(t.toFloat64Array());
  });
});

describe("moons command line", () => {
  it("rejects bad flags with clear messages", () => {
    const cases: [string[], RegExp][] = [
      [["--lr", "-1"], /lr must be a positive number/],
      [["--optimizer", "rmsprop"], /unknown optimizer "rmsprop"/],
      [["--hidden", "25,0,25"], /hidden layer 2 size must be a positive integer, got 0/],
      [["--epochs", "ten"], /--epochs must be a number/],
      [["--bogus", "1"], /unknown flag --bogus/],
      [["--preset", "nope"], /unknown preset "nope"/],
      [["--lr", "--epochs", "3"], /--lr needs a value/],
      [["--epochs"], /--epochs needs a value/],
      [["3"], /unexpected argument "3"/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseArgs(argv);
      expect(parsed.kind).toBe("error");
      if (parsed.kind === "error") expect(parsed.problems.join("\n")).toMatch(message);
    }
  });

  it("reads presets and overrides", () => {
    const parsed = parseArgs(["--preset", "circles", "--epochs", "7", "--hidden=4,3"]);
    expect(parsed.kind).toBe("run");
    if (parsed.kind === "run") {
      expect(parsed.options).toMatchObject({ dataset: "circles", noise: 0.05, epochs: 7, hidden: [4, 3], optimizer: "sgd", lr: 0.01 });
    }
    const help = parseArgs(["--help"]);
    expect(help.kind === "help" && help.text.includes("--batch-size")).toBe(true);
  });
});

describe("moons executable", () => {
  it("exits 1 with a message for a bad flag", async () => {
    const { spawnSync } = await import("node:child_process");
    const cli = new URL("../dist/cli.js", import.meta.url).pathname;
    const result = spawnSync(process.execPath, [cli, "--lr", "-1"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: lr must be a positive number, got -1/);
  });
});
