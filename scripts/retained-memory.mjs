// The review's probe E1: 40 ops (h = h.add(1).neg() ×20) on 10⁶ values, then sum; only the
// loss is held. Prints the ArrayBuffer memory alive before and after backward, in MB.
// Needs node --expose-gc.
import { randn } from "../packages/autograd/dist/index.js";

// ArrayBuffers are released after the collection that finds them dead, so collect a few times
// with turns of the event loop between.
const mb = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return process.memoryUsage().arrayBuffers / 2 ** 20;
};
const base = await mb();
const x = randn([1_000_000], { seed: 0, requiresGrad: true });
let h = x;
for (let i = 0; i < 20; i++) h = h.add(1).neg();
const loss = h.sum();
h = null;
const beforeBackward = (await mb()) - base;
loss.backward();
const afterBackward = (await mb()) - base;
console.log(JSON.stringify({ beforeBackward, afterBackward }));
