import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What a user outside this repository does: pack the three packages, install the tarballs
// with npm into an empty folder (no workspace links), and run the README's two samples,
// plain .mjs and TypeScript compiled with tsc. Needs the packages built (`pnpm build`) and
// npm's registry for their one dependency (seedrandom).
const root = fileURLToPath(new URL("../..", import.meta.url));
const samples = join(root, "docs", "samples", "your-project");
const packages = ["tensor", "autograd", "nn"];
let folder = "";

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

beforeAll(() => {
  for (const name of packages) {
    if (!existsSync(join(root, "packages", name, "dist", "index.js"))) throw new Error(`packages/${name} is not built: run pnpm build first`);
  }
  folder = mkdtempSync(join(tmpdir(), "tapegrad-pack-"));
  const tarballs = packages.map((name) => {
    const out = run("pnpm", ["pack", "--pack-destination", folder], join(root, "packages", name));
    return out.trim().split("\n").pop()!.trim();
  });
  const app = join(folder, "app");
  cpSync(samples, app, { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs], app);
}, 180_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("the packages installed from tarballs with npm", () => {
  it("installs real copies, not links into the workspace", () => {
    const installed = JSON.parse(readFileSync(join(folder, "app", "node_modules", "@tapegrad", "autograd", "package.json"), "utf8"));
    expect(installed.dependencies["@tapegrad/tensor"]).toBe("0.1.0");
    expect(existsSync(join(folder, "app", "node_modules", "@tapegrad", "autograd", "src"))).toBe(false);
  });

  it("runs the plain .mjs sample", () => {
    const out = run("node", ["train.mjs"], join(folder, "app"));
    const accuracy = Number(/test accuracy ([\d.]+)%/.exec(out)?.[1]);
    expect(accuracy).toBeGreaterThan(90);
  }, 60_000);

  it("compiles the TypeScript sample with tsc against the installed declarations, and runs it", () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    run("node", [tsc, "-p", "tsconfig.json"], join(folder, "app"));
    const out = run("node", [join("dist", "train.js")], join(folder, "app"));
    const loss = Number(/final loss ([\d.e+-]+)/.exec(out)?.[1]);
    expect(loss).toBeLessThan(1e-3);
  }, 60_000);

  it("loads from CommonJS too", () => {
    const out = run("node", ["-e", 'const { tensor } = require("@tapegrad/autograd"); console.log(tensor([1, 2, 3]).sum().item())'], join(folder, "app"));
    expect(out.trim()).toBe("6");
  });

  it("carries the native kernels the workspace built, found from ESM and CommonJS alike", () => {
    const probe = (code: string, cwd: string, type: "commonjs" | "module") => run("node", [`--input-type=${type}`, "-e", code], cwd).trim();
    const built = probe('console.log(require("./packages/tensor/dist/index.cjs").nativeKernelsAvailable())', root, "commonjs");
    const app = join(folder, "app");
    expect(probe('console.log(require("@tapegrad/tensor").nativeKernelsAvailable())', app, "commonjs")).toBe(built);
    expect(probe('import { nativeKernelsAvailable } from "@tapegrad/tensor"; console.log(nativeKernelsAvailable())', app, "module")).toBe(built);
    expect(existsSync(join(app, "node_modules", "@tapegrad", "tensor", "native", "build", "tapegrad-kernels.node"))).toBe(built === "true");
  });

  it.each(packages)("ships a README whose example runs (%s)", (name) => {
    const readme = readFileSync(join(folder, "app", "node_modules", "@tapegrad", name, "README.md"), "utf8");
    const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, `packages/${name}/README.md has a js example`).toBeDefined();
    writeFileSync(join(folder, "app", `readme-${name}.mjs`), example!);
    expect(() => run("node", [`readme-${name}.mjs`], join(folder, "app"))).not.toThrow();
  });

  it("is the code the README and the getting-started guide show", () => {
    for (const doc of ["README.md", join("docs", "guides", "getting-started.md")]) {
      const text = readFileSync(join(root, doc), "utf8");
      for (const file of ["train.mjs", "train.ts", "tsconfig.json"]) {
        expect(text, `${doc} shows ${file}`).toContain(readFileSync(join(samples, file), "utf8").trim());
      }
    }
  });
});
