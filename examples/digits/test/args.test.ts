import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { defaults, parseArgs, presets } from "../src/index.js";

describe("digits command line", () => {
  it("defaults to the cnn preset and reads the mlp preset with overrides", () => {
    const plain = parseArgs([]);
    expect(plain).toEqual({ kind: "run", options: defaults, preset: "cnn" });
    expect(defaults.model).toBe("cnn");
    const parsed = parseArgs(["--preset", "mlp", "--epochs", "3", "--batch-size=64", "--lr", "0.01", "--seed", "7", "--out", "x/y", "--shift", "0", "--schedule", "cosine"]);
    expect(parsed.kind).toBe("run");
    if (parsed.kind === "run") {
      expect(parsed.preset).toBe("mlp");
      expect(parsed.options).toEqual({ ...defaults, ...presets.mlp!.options, model: "mlp", epochs: 3, batchSize: 64, lr: 0.01, seed: 7, out: "x/y", shift: 0, schedule: "cosine" });
    }
  });

  it("rejects bad flags with clear messages", () => {
    const cases: [string[], RegExp][] = [
      [["--lr", "-1"], /lr must be a positive number, got -1/],
      [["--lr", "abc"], /--lr must be a number, got "abc"/],
      [["--epochs", "0"], /epochs must be a positive integer, got 0/],
      [["--epochs", "2.5"], /epochs must be a positive integer, got 2.5/],
      [["--batch-size", "-3"], /batch size must be a positive integer, got -3/],
      [["--shift", "20"], /shift must be at most 13 pixels, got 20/],
      [["--seed", "1.5"], /seed must be an integer, got 1.5/],
      [["--test-size", "10000"], /test size must leave digits to train on/],
      [["--schedule", "step"], /unknown schedule "step" \(use onecycle, cosine or constant\)/],
      [["--preset", "resnet"], /unknown preset "resnet" \(use cnn or mlp\)/],
      [["--epoch", "3"], /unknown flag --epoch \(did you mean --epochs\?\)/],
      [["--batch_size", "3"], /unknown flag --batch_size \(did you mean --batch-size\?\)/],
      [["--frobnicate", "3"], /unknown flag --frobnicate \(see --help\)/],
      [["--lr", "--epochs", "3"], /--lr needs a value/],
      [["--epochs"], /--epochs needs a value/],
      [["mlp"], /unexpected argument "mlp"/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseArgs(argv);
      expect(parsed.kind, argv.join(" ")).toBe("error");
      if (parsed.kind === "error") expect(parsed.problems.join("\n")).toMatch(message);
    }
    // Every problem at once.
    const many = parseArgs(["--lr", "0", "--epochs", "-1"]);
    expect(many.kind === "error" && many.problems.length).toBe(2);
  });

  it("--help lists the presets and the flags", () => {
    const help = parseArgs(["--epochs", "3", "--help"]);
    expect(help.kind).toBe("help");
    if (help.kind === "help") {
      for (const word of ["cnn", "mlp", "--preset", "--epochs", "--batch-size", "--lr", "--seed", "--out", "--shift", "--schedule", "--train-samples"]) expect(help.text).toContain(word);
    }
  });
});

describe("digits executable", () => {
  const cli = new URL("../dist/cli.js", import.meta.url).pathname;

  it("exits 1 with a message for a bad flag", () => {
    const result = spawnSync(process.execPath, [cli, "--epochs", "0", "--bogus"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("error: unknown flag --bogus");
    expect(result.stderr).toContain("Run with --help");
    expect(result.stdout).toBe("");
  });

  it("prints help and exits 0", () => {
    const result = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: pnpm digits");
  });
});
