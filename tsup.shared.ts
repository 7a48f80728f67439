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
});
