import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExplainArgs } from "../src/index.js";

describe("explain command line", () => {
  it("defaults to the moons network in its old folder", () => {
    expect(parseExplainArgs([])).toEqual({ kind: "run", options: { model: "moons", samples: 4, seed: 0, values: false, out: "out/explain-backprop" } });
  });

  it("reads a model, its default folder, the batch, the seed and --values in each form", () => {
    expect(parseExplainArgs(["--model", "digits", "--samples", "8", "--seed=3", "--values"])).toEqual({
      kind: "run",
      options: { model: "digits", samples: 8, seed: 3, values: true, out: "out/explain-backprop/digits" },
    });
    expect(parseExplainArgs(["--model=names", "--values", "50", "somewhere"])).toEqual({
      kind: "run",
      options: { model: "names", samples: 4, seed: 0, values: 50, out: "somewhere" },
    });
    expect(parseExplainArgs(["--values=0"])).toMatchObject({ kind: "run", options: { values: 0 } });
  });

  it("names an unknown model, suggests the close one and lists them all", () => {
    expect(parseExplainArgs(["--model", "digit"])).toEqual({ kind: "error", problems: ['unknown model "digit" (did you mean digits?); --model takes moons, digits, names'] });
    expect(parseExplainArgs(["--model", "cnn"])).toEqual({ kind: "error", problems: ['unknown model "cnn"; --model takes moons, digits, names'] });
  });

  it("bounds --samples by the model chosen, and collects every problem", () => {
    expect(parseExplainArgs(["--model", "digits", "--samples", "33"])).toEqual({
      kind: "error",
      problems: ['--samples must be an integer from 1 to 32 for --model digits (digits in the batch), got "33"'],
    });
    expect(parseExplainArgs(["--model", "names", "--samples", "1"])).toMatchObject({ kind: "error", problems: [expect.stringContaining("from 2 to 256 for --model names")] });
    const many = parseExplainArgs(["--smples", "3", "--seed", "-1", "--values", "--model", "a", "b"]);
    expect(many.kind).toBe("error");
    if (many.kind === "error") {
      expect(many.problems).toEqual([
        "unknown flag --smples (did you mean --samples?)",
        "expected at most one out-dir, got \"3\" \"b\"",
        'unknown model "a"; --model takes moons, digits, names',
        '--seed must be a non-negative integer, got "-1"',
      ]);
    }
    expect(parseExplainArgs(["--model"])).toEqual({ kind: "error", problems: ["--model needs a value"] });
    expect(parseExplainArgs(["--model", "--samples", "3"])).toMatchObject({ kind: "error", problems: ["--model needs a value"] });
  });

  it("gives help that lists the models", () => {
    const help = parseExplainArgs(["--samples", "0", "--help"]);
    expect(help.kind).toBe("help");
    if (help.kind === "help") for (const word of ["--model", "moons", "digits", "names", "--samples", "--values", "--seed", "1 to 32", "2 to 256"]) expect(help.text).toContain(word);
  });
});

describe("explain executable", () => {
  const cli = new URL("../dist/cli.js", import.meta.url).pathname;

  it("exits 1 with the valid models for an unknown one", () => {
    const result = spawnSync(process.execPath, [cli, "--model", "lenet"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: unknown model "lenet"; --model takes moons, digits, names');
    expect(result.stderr).toContain("Run with --help");
    expect(result.stdout).toBe("");
  });

  it("exits 1 for a batch beyond the model's bound", () => {
    const result = spawnSync(process.execPath, [cli, "--model", "digits", "--samples", "1000"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("--samples must be an integer from 1 to 32 for --model digits");
  });

  it("prints help listing the models and exits 0", () => {
    const result = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/--model {5}the network \(default moons\):\n {16}moons {3}/);
  });

  it("explains the names MLP: the table, the checks, graph.svg and trace.json", () => {
    const out = mkdtempSync(join(tmpdir(), "explain-"));
    try {
      const result = spawnSync(process.execPath, [cli, "--model", "names", "--samples", "3", out], { encoding: "utf8" });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("One backward pass of the names MLP");
      expect(result.stdout).toMatch(/linear\s+h\[3,200\] output\.weight\[28,200\] output\.bias\[28\]\s+logits\[3,28\]/);
      expect(result.stdout).toMatch(/embedding Embedding\s+dC\[v\]/);
      const differences = [...result.stdout.matchAll(/max \|graph − formula\| over .* = (\S+)/g)].map((m) => Number(m[1]));
      expect(differences).toHaveLength(5);
      for (const d of differences) expect(d).toBeLessThanOrEqual(1e-12);
      expect(readFileSync(join(out, "graph.svg"), "utf8")).toContain(">embedding.weight<");
      const steps = JSON.parse(readFileSync(join(out, "trace.json"), "utf8")) as { op: string }[];
      expect(steps[steps.length - 1]!.op).toBe("indexSelect");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
