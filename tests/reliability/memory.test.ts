import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// A shorter `pnpm soak`, in its own process so garbage collection can be forced.
describe("memory", () => {
  it("training steps keep live graph nodes bounded and the heap flat", () => {
    const script = fileURLToPath(new URL("../../scripts/soak.mjs", import.meta.url));
    const run = spawnSync(process.execPath, ["--expose-gc", script, "600", "--json"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { growthMB: number; maxLiveNodes: number; samples: { liveNodes: number }[] };
    // One step of the 2-25-50-50-25-1 network records 22 nodes; only the last step's graph,
    // still referenced by its loss, may be alive.
    expect(summary.maxLiveNodes).toBeLessThanOrEqual(22);
    expect(summary.samples.every((s) => s.liveNodes === summary.samples[0]!.liveNodes)).toBe(true);
    expect(Math.abs(summary.growthMB)).toBeLessThan(2);
  });

  it("a graph keeps alive only what its VJPs declared they read", () => {
    // 40 add/neg ops on 10⁶ values save nothing: only x (8 MB) and, after backward, its
    // gradient stay alive. Before declared saves every activation did (328 MB).
    const script = fileURLToPath(new URL("../../scripts/retained-memory.mjs", import.meta.url));
    const run = spawnSync(process.execPath, ["--expose-gc", script], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const { beforeBackward, afterBackward } = JSON.parse(run.stdout) as { beforeBackward: number; afterBackward: number };
    expect(beforeBackward).toBeLessThan(20);
    expect(afterBackward).toBeLessThan(20);
  });
});
