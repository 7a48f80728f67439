import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built page in Debian's Chromium: train until the test accuracy passes 95%, open the
// backprop panel, take a screenshot, and require a console free of errors.
const dist = fileURLToPath(new URL("../dist", import.meta.url));
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

// CI installs Chromium and requires this test (TAPEGRAD_E2E=require); elsewhere it runs
// when Chromium is installed and is skipped, with a warning, when it is not.
const required = process.env.TAPEGRAD_E2E === "require";
const haveBrowser = existsSync(executablePath);
if (!haveBrowser && !required) {
  console.warn(`playground e2e skipped: no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

let server: Server;
let browser: Browser;
let url: string;

describe.skipIf(!haveBrowser && !required)("playground in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(join(dist, "index.html"))) throw new Error("playground: dist/ is missing; run pnpm build first");
    if (!existsSync(executablePath)) throw new Error(`playground: no Chromium at ${executablePath}; apt-get install chromium (CI does)`);
    server = createServer((request, response) => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
      const file = join(dist, path === "/" ? "index.html" : path);
      if (!file.startsWith(dist) || !existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("trains moons past 95% test accuracy and shows the backward pass", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("test-accuracy")?.dataset.value !== undefined);
    await page.click("#start");
    await page.waitForFunction(() => Number(document.getElementById("test-accuracy")?.dataset.value) > 0.95, undefined, { timeout: 60_000 });
    await page.click("#pause");
    const speed = Number(await page.textContent("#speed"));
    expect(speed).toBeGreaterThan(20); // tens of steps per second at least
    await page.click("#backprop summary");
    await page.waitForSelector("#trace tbody tr");
    await page.waitForSelector("#graph svg");
    const ops = await page.$$eval("#trace tbody tr td:nth-child(2)", (cells) => cells.map((c) => c.textContent));
    expect(ops.slice(0, 3)).toEqual(["mean", "binaryCrossEntropy", "sigmoid"]);
    expect(ops).toContain("linear");
    const out = fileURLToPath(new URL("../../../out/playground", import.meta.url));
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: join(out, "playground.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows a clear message for a bad setting instead of training", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.fill('input[name="hidden"]', "16,0");
    await page.dispatchEvent('input[name="hidden"]', "change");
    await expect.poll(() => page.textContent("#error")).toContain("hidden layers must be sizes from 1 to 256");
    await page.close();
  }, 60_000);
});
