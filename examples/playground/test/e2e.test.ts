import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultState, stateToHash } from "../src/state.js";
import { SETUPS } from "./setups.js";

// The built page in Debian's Chromium, as a new user would try it: a phone and a desktop,
// the speed control, live settings, every data set, links that carry the setup, the
// keyboard alone, the backprop panel, and the page opened from disk. Every test requires
// a console free of errors; screenshots of each state go to out/playground/.
const dist = fileURLToPath(new URL("../dist", import.meta.url));
const artifacts = fileURLToPath(new URL("../../../out/playground", import.meta.url));
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

/** A page on the playground with its console errors collected; resolves once the first frame is drawn. */
async function open(hash = "", viewport = { width: 1280, height: 900 }, deviceScaleFactor = 1): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport, deviceScaleFactor });
  const errors: string[] = [];
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url + hash);
  await firstFrame(page);
  return { page, errors };
}

const firstFrame = (page: Page) => page.waitForFunction(() => document.getElementById("test-loss")?.dataset.value !== undefined);
const steps = (page: Page) => page.evaluate(() => Number(document.getElementById("steps")!.dataset.value));
const frames = (page: Page) => page.evaluate(() => Number(document.body.dataset.frames ?? 0));
// location.hash, read in the page: Playwright's page.url() may lag behind history.replaceState.
const hash = (page: Page) => page.evaluate(() => location.hash);
const isRunning = (page: Page) => page.evaluate(() => document.getElementById("play")!.getAttribute("aria-pressed") === "true");

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

async function pause(page: Page): Promise<void> {
  if (await isRunning(page)) await page.click("#play");
  // Let an answer already on its way arrive, so the counters are final.
  await page.waitForFunction(() => document.body.dataset.pending === "0");
}

describe.skipIf(!haveBrowser && !required)("playground in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(join(dist, "index.html"))) throw new Error("playground: dist/ is missing; run pnpm build first");
    if (!existsSync(executablePath)) throw new Error(`playground: no Chromium at ${executablePath}; apt-get install chromium (CI does)`);
    mkdirSync(artifacts, { recursive: true });
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

  it.each([
    { name: "phone-390", viewport: { width: 390, height: 844 }, dpr: 2 },
    { name: "phone-360", viewport: { width: 360, height: 740 }, dpr: 3 },
    { name: "desktop-1280", viewport: { width: 1280, height: 900 }, dpr: 1 },
    { name: "desktop-1920", viewport: { width: 1920, height: 1080 }, dpr: 1 },
  ])("$name: no sideways scrolling, sharp canvases, the whole page drawn", async ({ name, viewport, dpr }) => {
    const { page, errors } = await open("#speed=20", viewport, dpr);
    await page.click("#play");
    await page.waitForFunction(() => Number(document.getElementById("steps")!.dataset.value) >= 200);
    await pause(page);
    await page.click("#backprop summary");
    await page.waitForSelector("#graph svg");
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, body: document.body.scrollWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(viewport.width);
    expect(widths.body).toBeLessThanOrEqual(viewport.width);
    // The backing store is the CSS size times the device pixel ratio.
    for (const id of ["heatmap", "chart"]) {
      const c = await page.evaluate((id) => {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        return { width: canvas.width, css: canvas.clientWidth };
      }, id);
      expect(c.css).toBeGreaterThan(200);
      expect(c.width).toBe(Math.round(c.css * dpr));
    }
    // The heat map is fully inside the viewport's width.
    const box = (await page.locator("#heatmap").boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    await shot(page, name);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("the speed control sets the steps per frame exactly", async () => {
    const { page, errors } = await open("#speed=1");
    await page.click("#play");
    await page.waitForTimeout(800);
    await pause(page);
    const oneStep = { steps: await steps(page), frames: await frames(page) };
    expect(oneStep.frames).toBeGreaterThan(5);
    expect(oneStep.steps).toBe(oneStep.frames);
    expect(await page.getAttribute("#steps", "data-ran")).toBe("1");
    await page.selectOption("#speed", "20");
    await page.click("#play");
    await page.waitForTimeout(800);
    await pause(page);
    const twenty = { steps: await steps(page), frames: await frames(page) };
    expect(twenty.frames).toBeGreaterThan(oneStep.frames);
    expect(twenty.steps - oneStep.steps).toBe(20 * (twenty.frames - oneStep.frames));
    expect(await page.getAttribute("#steps", "data-ran")).toBe("20");
    // Steps/s is shown while running and cleared on pause and reset.
    expect(await page.textContent("#speed-measured")).toBe("—");
    await page.click("#reset");
    // The old run's counters stay until the new run's first frame arrives.
    await page.waitForFunction(() => document.body.dataset.pending === "0");
    expect(await steps(page)).toBe(0);
    expect(await page.textContent("#speed-measured")).toBe("—");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("learning rate, regularisation and batch size change mid-run without a restart", async () => {
    const { page, errors } = await open("#speed=5");
    await page.click("#play");
    await page.waitForFunction(() => Number(document.getElementById("steps")!.dataset.value) >= 50);
    const before = await steps(page);
    await page.selectOption("#lr", "0.1");
    await page.selectOption("#regularization", "l2");
    await page.selectOption("#regRate", "0.001");
    await page.locator("#batchSize").fill("20");
    await page.waitForTimeout(300);
    const after = await steps(page);
    expect(after).toBeGreaterThan(before);
    expect(await isRunning(page)).toBe(true);
    await pause(page);
    expect(await hash(page)).toContain("lr=0.1&reg=l2&regRate=0.001");
    expect(await hash(page)).toContain("batch=20");
    // The traced step shows the new batch size and the L2 term.
    await page.click("#backprop summary");
    await page.click("#step");
    await page.waitForFunction(() => document.getElementById("vjp-detail")!.textContent!.includes("batch of 20"));
    const ops = await page.$$eval("#trace tbody tr td:nth-child(2)", (cells) => cells.map((c) => c.textContent));
    expect(ops).toContain("pow");
    expect(await steps(page)).toBeGreaterThan(after);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("every data set and regression problem trains past its bar", async () => {
    const { page, errors } = await open();
    for (const setup of SETUPS) {
      // A new hash on the same page is a link followed in place: the page starts that setup.
      await page.goto(url + stateToHash({ ...defaultState(), ...setup.state, speed: 0 }));
      await page.waitForFunction(() => Number(document.getElementById("steps")!.dataset.value) === 0);
      await page.click("#play");
      if (setup.accuracy !== undefined) {
        await page.waitForFunction((bar) => Number(document.getElementById("test-accuracy")!.dataset.value) > bar, setup.accuracy, { timeout: 30_000 });
      } else {
        await page.waitForFunction((bar) => Number(document.getElementById("test-loss")!.dataset.value) < bar, setup.loss!, { timeout: 30_000 });
      }
      await pause(page);
      await page.locator(".output").screenshot({ path: join(artifacts, `trained-${setup.name}.png`) });
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("the URL carries the whole setup, both ways", async () => {
    const shared = "#dataset=spiral&ratio=70&noise=15&batch=20&seed=9&features=x1,x2,sinx1&hidden=5,3&activation=relu&lr=0.1&reg=l2&regRate=0.003&optimizer=adam&speed=20&showTest=1&discretize=1";
    const { page, errors } = await open(shared);
    expect(await page.evaluate(() => location.hash)).toBe(shared);
    const shown = await page.evaluate(() => ({
      ratio: (document.getElementById("ratio") as HTMLInputElement).value,
      noise: (document.getElementById("noise") as HTMLInputElement).value,
      batch: (document.getElementById("batchSize") as HTMLInputElement).value,
      seed: (document.getElementById("seed") as HTMLInputElement).value,
      spiral: (document.getElementById("dataset-spiral") as HTMLInputElement).checked,
      activation: (document.getElementById("activation") as HTMLSelectElement).value,
      lr: (document.getElementById("lr") as HTMLSelectElement).value,
      regularization: (document.getElementById("regularization") as HTMLSelectElement).value,
      regRate: (document.getElementById("regRate") as HTMLSelectElement).value,
      optimizer: (document.getElementById("optimizer") as HTMLSelectElement).value,
      speed: (document.getElementById("speed") as HTMLSelectElement).value,
      showTest: (document.getElementById("showTest") as HTMLInputElement).checked,
      discretize: (document.getElementById("discretize") as HTMLInputElement).checked,
      features: Array.from(document.querySelectorAll('.node.feature[aria-pressed="true"]'), (n) => (n as HTMLElement).dataset.key),
      layers: Array.from(document.querySelectorAll("#network .column.layer"), (c) => c.querySelectorAll(".node").length),
    }));
    expect(shown).toEqual({
      ratio: "70",
      noise: "15",
      batch: "20",
      seed: "9",
      spiral: true,
      activation: "relu",
      lr: "0.1",
      regularization: "l2",
      regRate: "0.003",
      optimizer: "adam",
      speed: "20",
      showTest: true,
      discretize: true,
      features: ["feature:x1", "feature:x2", "feature:sinx1"],
      layers: [5, 3],
    });
    // Trained a little: the test points (black rims) and the discretised output show.
    await page.click("#play");
    await page.waitForFunction(() => Number(document.getElementById("steps")!.dataset.value) >= 300);
    await pause(page);
    // Hovering a neuron shows its output in the big plot.
    await page.hover('[data-key="neuron:0:1"]');
    await expect.poll(() => page.textContent("#heatmap-caption")).toBe("Showing the output of layer 1, neuron 2");
    await shot(page, "shared-link-hover-neuron");
    await page.mouse.move(0, 0);
    await expect.poll(() => page.textContent("#heatmap-caption")).toMatch(/^Output of the network/);
    // Clicking a link opens its unit's weights with that weight's box focused.
    const point = await page.evaluate(() => {
      const path = document.querySelector<SVGPathElement>('#links path[data-layer="1"][data-unit="2"][data-input="3"]')!;
      const p = path.getPointAtLength(path.getTotalLength() / 2);
      const box = path.ownerSVGElement!.getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    });
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector("#neuron-editor:not([hidden])");
    expect(await page.textContent("#neuron-editor h3")).toBe("Layer 2, neuron 3: bias and incoming weights");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.input)).toBe("3");
    // Change it in the page, then open the new link in a fresh page.
    await page.click('[data-key="add-neuron:1"]');
    await page.selectOption("#activation", "tanh");
    await page.click('[data-key="feature:x1x2"]');
    const link = url + (await hash(page));
    expect(link).toContain("hidden=5,4");
    expect(link).toContain("activation=tanh");
    expect(link).toContain("features=x1,x2,x1x2,sinx1");
    const again = await browser.newPage();
    await again.goto(link);
    await firstFrame(again);
    expect(again.url()).toBe(link);
    expect(await again.$$eval("#network .column.layer", (cs) => cs.map((c) => c.querySelectorAll(".node").length))).toEqual([5, 4]);
    expect(await again.inputValue("#activation")).toBe("tanh");
    await again.close();
    // A mistyped link opens with defaults for the bad values, and says so.
    await page.goto(url + "#dataset=spiral&lr=banana");
    await expect.poll(() => page.textContent("#error")).toContain("lr=banana ignored");
    expect(await page.inputValue("#lr")).toBe("0.03");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("the keyboard alone reaches and operates every control", async () => {
    const { page, errors } = await open("#speed=5");
    // Open the backprop panel by keyboard first, so its controls are in the tab order too.
    await page.focus("#backprop summary");
    await page.keyboard.press("Enter");
    await page.focus("#step");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#trace tbody tr button");
    await page.waitForSelector("#graph g.pickable");
    await page.evaluate(() => (document.activeElement as HTMLElement).blur());
    const reached = new Set<string>();
    const describe = () =>
      page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        if (!e || e === document.body) return "body";
        // Graph nodes are named by their label: toSvg gives them ids of its own (n0, n1, …).
        if (e instanceof SVGElement) return e.getAttribute("aria-label") ?? e.tagName;
        return e.id || e.dataset.key || (e.dataset.step ? `step:${e.dataset.step}` : "") || e.getAttribute("aria-label") || e.tagName;
      });
    for (let i = 0; i < 250; i++) {
      await page.keyboard.press("Tab");
      reached.add(await describe());
    }
    const expected = [
      "reset", "play", "step", "speed", "lr", "activation", "regularization", "regRate", "problem", "optimizer",
      "dataset-circle", "ratio", "noise", "batchSize", "seed", "regenerate", "remove-layer", "add-layer",
      "feature:x1", "feature:x2", "feature:x1sq", "feature:x2sq", "feature:x1x2", "feature:sinx1", "feature:sinx2",
      "add-neuron:0", "remove-neuron:0", "add-neuron:1", "remove-neuron:1", "neuron:0:0", "neuron:0:3", "neuron:1:1", "output",
      "showTest", "discretize", "SUMMARY", "step:0", "step:6", "fit-graph",
    ];
    for (const key of expected) expect(reached, key).toContain(key);
    expect([...reached].some((k) => /show VJP/.test(k))).toBe(true); // graph nodes

    // Operate them: Space on Play starts and stops, and focus stays on the button.
    await page.focus("#play");
    await page.keyboard.press("Space");
    expect(await isRunning(page)).toBe(true);
    expect(await describe()).toBe("play");
    await page.keyboard.press("Space");
    expect(await isRunning(page)).toBe(false);
    expect(await describe()).toBe("play");
    // Arrow keys change menus, radio buttons and sliders.
    await page.focus("#lr");
    await page.keyboard.press("ArrowDown");
    expect(await page.inputValue("#lr")).toBe("0.1");
    await page.focus("#dataset-circle");
    await page.keyboard.press("ArrowRight");
    expect(await hash(page)).toContain("dataset=xor");
    await page.focus("#noise");
    await page.keyboard.press("ArrowRight");
    expect(await hash(page)).toContain("noise=5");
    await page.focus("#showTest");
    await page.keyboard.press("Space");
    expect(await hash(page)).toContain("showTest=1");
    await page.focus("#speed");
    await page.keyboard.press("ArrowDown");
    expect(await hash(page)).toContain("speed=10");
    await page.focus("#regenerate");
    await page.keyboard.press("Enter");
    expect(await hash(page)).toContain("seed=2");
    expect(await describe()).toBe("regenerate");
    await page.focus("#problem");
    await page.keyboard.press("ArrowDown");
    expect(await hash(page)).toContain("dataset=plane");
    expect(await page.isVisible('.dataset-group[data-problem="classification"]')).toBe(false);
    expect(await page.isVisible('.dataset-group[data-problem="regression"]')).toBe(true);
    await page.keyboard.press("ArrowUp");
    expect(await hash(page)).toContain("dataset=xor");
    await page.focus("#step");
    await page.keyboard.press("Enter");
    await expect.poll(() => steps(page)).toBe(1);
    await page.focus("#reset");
    await page.keyboard.press("Enter");
    await expect.poll(() => steps(page)).toBe(0);
    expect(await describe()).toBe("reset");
    // Buttons rebuilt by a change keep the focus.
    await page.focus('[data-key="add-neuron:0"]');
    await page.keyboard.press("Enter");
    expect(await page.$$eval("#network .column.layer", (cs) => cs.map((c) => c.querySelectorAll(".node").length))).toEqual([5, 2]);
    expect(await describe()).toBe("add-neuron:0");
    await page.focus('[data-key="feature:x1sq"]');
    await page.keyboard.press("Enter");
    expect(await page.getAttribute('[data-key="feature:x1sq"]', "aria-pressed")).toBe("true");
    expect(await describe()).toBe("feature:x1sq");
    await page.focus("#add-layer");
    await page.keyboard.press("Enter");
    expect(await page.$$eval("#network .column.layer", (cs) => cs.length)).toBe(3);
    expect(await describe()).toBe("add-layer");
    // A neuron opens its weights; a weight typed in is used.
    await page.focus('[data-key="neuron:0:0"]');
    await page.keyboard.press("Enter");
    await page.waitForSelector("#neuron-editor:not([hidden]) input");
    await shot(page, "keyboard-neuron-editor");
    await page.focus('#neuron-editor input[data-input="-1"]');
    await page.keyboard.press("Control+A");
    await page.keyboard.type("0.5");
    await page.keyboard.press("Tab");
    await expect.poll(() => page.inputValue('#neuron-editor input[data-input="-1"]')).toBe("0.500");
    // The backprop panel: a step's row, then a node of the graph.
    await page.focus("#step");
    await page.keyboard.press("Enter");
    await page.waitForSelector('#trace button[data-step="2"]');
    await page.focus('#trace button[data-step="2"]');
    await page.keyboard.press("Enter");
    await expect.poll(() => page.textContent("#vjp-detail h3")).toMatch(/^VJP #2:/);
    await page.focus('#graph g.pickable[aria-label$="show VJP 1"]');
    await page.keyboard.press("Enter");
    await expect.poll(() => page.textContent("#vjp-detail h3")).toMatch(/^VJP #1:/);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it("the backprop panel shows a VJP's rule, g and input gradients for the step the graph shows", async () => {
    const { page, errors } = await open("#hidden=3&batch=4", { width: 1280, height: 1000 });
    // Step ignores a click while the previous step is still in the worker: wait for each.
    await page.click("#step");
    await expect.poll(() => steps(page)).toBe(1);
    await page.click("#step");
    await expect.poll(() => steps(page)).toBe(2);
    await page.click("#backprop summary");
    await page.waitForSelector("#trace tbody tr button");
    // The table and the graph describe the same batch of 4.
    const rows = await page.$$eval("#trace tbody tr", (trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)));
    expect(rows.map((r) => r[1])).toEqual(["mean", "binaryCrossEntropyWithLogits", "linear", "tanh", "linear"]);
    expect(rows[4]![2]).toBe("data [4,2] · W1 [3,2] · b1 [3]");
    const graphText = await page.textContent("#graph svg");
    for (const name of ["W1", "b1", "W2", "b2", "[4,3]"]) expect(graphText).toContain(name);
    // Row 3 (tanh): its rule, g of shape [4,3] and ∂input as numbers.
    await page.click('#trace button[data-step="3"]');
    const detail = page.locator("#vjp-detail");
    await expect.poll(() => detail.locator("h3").textContent()).toBe("VJP #3: tanh → [4,3] (step 2, batch of 4)");
    expect(await detail.locator(".rule code").textContent()).toMatch(/g/);
    const numbers = await detail.locator("table.numbers").evaluateAll((tables) => tables.map((t) => Array.from(t.querySelectorAll("td"), (td) => Number(td.textContent))));
    expect(numbers).toHaveLength(2);
    expect(numbers[0]).toHaveLength(12);
    expect(numbers.flat().every(Number.isFinite)).toBe(true);
    expect(numbers[0]!.some((v) => v !== 0)).toBe(true);
    // The input gradient links to the VJP it flows into next.
    await detail.locator("button.link").click();
    await expect.poll(() => detail.locator("h3").textContent()).toMatch(/^VJP #4: linear/);
    // Clicking a node of the graph selects that VJP.
    await page.locator("#graph g.pickable", { hasText: "binaryCrossEntropyWithLogits" }).first().click();
    await expect.poll(() => detail.locator("h3").textContent()).toMatch(/^VJP #1: binaryCrossEntropyWithLogits/);
    expect(await page.locator("#trace tr.selected button").textContent()).toBe("1");
    await page.locator("#graph g.pickable", { hasText: "W1" }).first().click();
    await expect.poll(() => detail.locator("h3").textContent()).toMatch(/^VJP #4: linear/);
    await shot(page, "backprop");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("a run that diverges stops and says what to do", async () => {
    const { page, errors } = await open("#dataset=multigauss&activation=relu&hidden=8,8&lr=10&speed=20");
    await page.click("#play");
    await expect.poll(() => page.textContent("#error"), { timeout: 20_000 }).toContain("training diverged");
    expect(await isRunning(page)).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("Play refuses a setting it cannot train, and says why", async () => {
    const { page, errors } = await open();
    await page.fill("#seed", "1.5");
    await page.dispatchEvent("#seed", "change");
    await expect.poll(() => page.textContent("#error")).toContain("seed must be a whole number");
    await page.click("#play");
    await page.waitForTimeout(300);
    expect(await isRunning(page)).toBe(false);
    expect(await steps(page)).toBe(0);
    await page.fill("#seed", "4");
    await page.dispatchEvent("#seed", "change");
    await expect.poll(() => page.textContent("#error")).toBe("");
    expect(await hash(page)).toContain("seed=4");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("opened from disk, the page says it must be served over http", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(pathToFileURL(join(dist, "index.html")).href);
    await expect.poll(() => page.locator(".file-warning").isVisible()).toBe(true);
    expect(await page.locator(".file-warning").textContent()).toContain("pnpm playground");
    expect(await page.locator(".app").isVisible()).toBe(false);
    await shot(page, "from-disk");
    await page.close();
  }, 30_000);
});
