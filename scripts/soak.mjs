// pnpm soak: runs many moons training steps and reports the heap after each block of steps,
// with garbage collection forced, to show the tape frees itself. Needs node --expose-gc.
// Usage: node --expose-gc scripts/soak.mjs [steps=10000] [--json]
import { tensor, Node } from "../packages/autograd/dist/index.js";
import { BCELoss, Dense, ReLU, Sequential, Sigmoid, data, optim } from "../packages/nn/dist/index.js";

if (typeof globalThis.gc !== "function") {
  console.error("soak: run with node --expose-gc (pnpm soak does)");
  process.exit(2);
}
const steps = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10_000);
const json = process.argv.includes("--json");

// Count graph nodes that are still alive: registered at creation, dropped when collected.
let alive = 0;
const registry = new FinalizationRegistry(() => alive--);
const originalAttach = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(tensor(0)), "attach").value;
Object.getPrototypeOf(tensor(0)).attach = function (node) {
  alive++;
  registry.register(node, null);
  return originalAttach.call(this, node);
};

const { X, y } = data.makeMoons({ nSamples: 900, noise: 0.2, seed: 0 });
const model = new Sequential(new Dense(2, 25), new ReLU(), new Dense(25, 50), new ReLU(), new Dense(50, 50), new ReLU(), new Dense(50, 25), new ReLU(), new Dense(25, 1), new Sigmoid());
const lossFn = new BCELoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05 });
const block = Math.max(1, Math.floor(steps / 10));
const samples = [];
// FinalizationRegistry callbacks run as later tasks, and on a loaded machine a few rounds
// of gc() are not always enough for them to land: collect until the count holds still.
const settle = async () => {
  let previous = -1;
  for (let i = 0; i < 20 && alive !== previous; i++) {
    previous = alive;
    for (let k = 0; k < 3; k++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 5));
    }
  }
};
await settle();
const start = process.memoryUsage().heapUsed;
for (let step = 1; step <= steps; step++) {
  optimizer.zeroGrad();
  const loss = lossFn.forward(model.forward(X), y);
  loss.backward();
  optimizer.step();
  if (step % block === 0) {
    await settle();
    const heap = process.memoryUsage().heapUsed;
    samples.push({ step, heapMB: heap / 2 ** 20, liveNodes: alive, loss: loss.item() });
    if (!json) console.log(`step ${String(step).padStart(6)}  heap ${(heap / 2 ** 20).toFixed(2)} MB  live graph nodes ${alive}  loss ${loss.item().toFixed(4)}`);
  }
}
const growthMB = (samples.at(-1).heapMB - samples[0].heapMB);
const summary = { steps, startMB: start / 2 ** 20, samples, growthMB, maxLiveNodes: Math.max(...samples.map((s) => s.liveNodes)) };
if (json) console.log(JSON.stringify(summary));
else console.log(`heap growth from the first to the last block: ${growthMB.toFixed(2)} MB; live graph nodes at the end: ${alive}`);
void Node;
