import { defineConfig } from "tsup";

/**
 * The build every package shares: ESM and CJS from src/index.ts, with declarations for
 * both, for Node 20 and current browsers.
 */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // The native kernels' loader (tensor's fastgemm/native.ts) reads import.meta.url in the
  // ESM build and __filename in the CommonJS one, where esbuild would warn that
  // import.meta is empty.
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, "empty-import-meta": "silent" };
  },
});
