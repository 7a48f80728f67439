import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import packages by name; point those names at the sources so a test run needs no build.
const source = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@tapegrad/tensor": source("tensor"),
      "@tapegrad/autograd": source("autograd"),
      "@tapegrad/nn": source("nn"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "docs/test/**/*.test.ts", "tests/**/*.test.ts", "bench/twins/*.test.ts"],
    setupFiles: ["./vitest.setup.ts"],
    testTimeout: 60_000,
    // Tests run on the fastest GEMM kernel: on Node 20 its FMA build needs relaxed SIMD,
    // which is behind this flag; Node 22 has it on by default (and later versions may
    // reject the flag, so it is passed only where it is needed).
    execArgv: Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [],
  },
});
