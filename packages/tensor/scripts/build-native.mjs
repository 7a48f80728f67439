// Compiles native/kernels.c into native/build/tapegrad-kernels.node, tapegrad's native
// kernels for Node (see src/kernels/fastgemm/native.ts). Part of `pnpm build`. Needs a C
// compiler (CC, else cc, gcc or clang) and Node's headers (include/node beside the node binary, as
// Node's installers and Debian's nodejs-dev put them). Where either is missing, or the
// compile fails, it says so and leaves no addon: tapegrad then runs on WebAssembly alone.
// TAPEGRAD_NATIVE=0 skips the build; TAPEGRAD_NATIVE=require makes a failure an error.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// TAPEGRAD_NATIVE_OUT puts the addon elsewhere (the build script's own tests).
const output = process.env.TAPEGRAD_NATIVE_OUT || join(root, "native", "build", "tapegrad-kernels.node");
const mode = process.env.TAPEGRAD_NATIVE;

function give(reason) {
  rmSync(output, { force: true });
  if (mode === "require") {
    console.error(`native kernels: ${reason} (TAPEGRAD_NATIVE=require)`);
    process.exit(1);
  }
  console.log(`native kernels: not built, ${reason}; tapegrad runs on WebAssembly`);
  process.exit(0);
}

if (mode === "0") give("TAPEGRAD_NATIVE=0");
const headers = [join(dirname(process.execPath), "..", "include", "node"), "/usr/include/node", "/usr/local/include/node"].find((dir) => existsSync(join(dir, "node_api.h")));
if (headers === undefined) give("Node's headers (node_api.h) were not found beside the node binary");
mkdirSync(dirname(output), { recursive: true });
// -ffp-contract=off: no multiply-add the source does not spell out, so the bits match
// WebAssembly's. -fno-trapping-math: selects may become masks (FP exception flags, which
// nothing reads, are all it changes).
const args = ["-O3", "-std=gnu11", "-ffp-contract=off", "-fno-trapping-math", "-fPIC", "-shared", "-Wall", "-Wextra", "-I", headers, join(root, "native", "kernels.c"), "-o", output];
if (process.platform === "darwin") args.push("-undefined", "dynamic_lookup");
// CC when set, else the first of cc, gcc and clang that runs.
const compilers = process.env.CC ? [process.env.CC] : ["cc", "gcc", "clang"];
let run = null;
let compiler = "";
for (const candidate of compilers) {
  compiler = candidate;
  run = spawnSync(candidate, args, { encoding: "utf8" });
  if (!run.error) break;
}
if (run.error) give(`no C compiler could run (tried ${compilers.join(", ")}: ${run.error.message})`);
if (run.status !== 0) give(`${compiler} failed:\n${run.stderr}`);
if (run.stderr.trim()) console.log(run.stderr.trim());
console.log(`native kernels: built ${output}`);
