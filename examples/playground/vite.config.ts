import { defineConfig } from "vite";

// A static page: `vite build` writes dist/ with relative URLs so it can be opened from any folder.
export default defineConfig({
  base: "./",
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
  worker: { format: "es" },
  server: { host: "127.0.0.1", port: 5173 },
  preview: { host: "127.0.0.1", port: 4173 },
});
