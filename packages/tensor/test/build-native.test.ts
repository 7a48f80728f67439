import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// scripts/build-native.mjs, run as `pnpm build` runs it, into a folder of its own: it
// builds a loadable addon where a compiler runs, and where none does it says so and
// leaves no addon, failing only under TAPEGRAD_NATIVE=require.
const script = fileURLToPath(new URL("../scripts/build-native.mjs", import.meta.url));
const folder = mkdtempSync(join(tmpdir(), "tapegrad-native-"));
const build = (env: Record<string, string>) => spawnSync(process.execPath, [script], { encoding: "utf8", env: { ...process.env, TAPEGRAD_NATIVE: "", ...env } });
const compiles = spawnSync("cc", ["--version"]).status === 0 || spawnSync("gcc", ["--version"]).status === 0;

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("build-native.mjs", () => {
  it.runIf(compiles || process.env.TAPEGRAD_NATIVE === "require")("builds an addon that loads and says its calling convention's version", () => {
    const out = join(folder, "built.node");
    const run = build({ TAPEGRAD_NATIVE_OUT: out });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`built ${out}`);
    const addon = createRequire(import.meta.url)(out) as { abi: number; available(): boolean };
    expect(addon.abi).toBe(2);
    expect(typeof addon.available()).toBe("boolean");
  }, 60_000);

  it("without a compiler, says so and leaves no addon (a stale one is removed), failing only when required", () => {
    const out = join(folder, "none.node");
    writeFileSync(out, "stale");
    const run = build({ TAPEGRAD_NATIVE_OUT: out, CC: "no-such-compiler-here" });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/not built, no C compiler could run \(tried no-such-compiler-here/);
    expect(existsSync(out)).toBe(false);
    const required = build({ TAPEGRAD_NATIVE_OUT: out, CC: "no-such-compiler-here", TAPEGRAD_NATIVE: "require" });
    expect(required.status).toBe(1);
    expect(required.stderr).toMatch(/TAPEGRAD_NATIVE=require/);
  });

  it("builds nothing with TAPEGRAD_NATIVE=0", () => {
    const out = join(folder, "off.node");
    const run = build({ TAPEGRAD_NATIVE_OUT: out, TAPEGRAD_NATIVE: "0" });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("not built, TAPEGRAD_NATIVE=0");
    expect(existsSync(out)).toBe(false);
  });
});
