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
    include: ["packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts", "docs/test/**/*.test.ts", "tests/**/*.test.ts"],
    setupFiles: ["./vitest.setup.ts"],
    testTimeout: 60_000,
    // Tests run on the kernels users get from the repository's scripts: on Node 20 the FMA
    // GEMM needs relaxed SIMD, which is behind this flag (on by default from Node 22).
    execArgv: ["--experimental-wasm-relaxed-simd"],
  },
});
