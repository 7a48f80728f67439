import { describe, expect, it } from "vitest";
import { Progress } from "../src/index.js";

/** A stream that records what is written to it. */
function stream(isTTY: boolean): { written: string[]; stream: NodeJS.WriteStream } {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
}

describe("Progress", () => {
  it("on a terminal, fills a bar during the epoch and replaces it with the epoch's line", () => {
    const s = stream(true);
    const progress = new Progress(3, s.stream);
    progress.step(2, 1, 4, 0.5);
    progress.step(2, 4, 4, 0.25);
    progress.epoch(2, 0.3, 0.9, 0.95, 1.25);
    expect(s.written[0]).toMatch(/^\repoch 2\/3 \[#{8}\.{22}\] 1\/4 {2}loss 0\.5000/);
    expect(s.written[1]).toMatch(/^\repoch 2\/3 \[#{30}\] 4\/4 {2}loss 0\.2500/);
    expect(s.written[2]).toBe("\repoch 2/3  loss 0.3000  train 90.0%  test 95.0%  1.3s\x1b[K\n");
  });

  it("elsewhere, writes only one plain line per epoch", () => {
    const s = stream(false);
    const progress = new Progress(10, s.stream);
    progress.step(1, 1, 4, 0.5);
    progress.epoch(1, 0.3, 0.9, 0.95, 2);
    expect(s.written).toEqual(["epoch  1/10  loss 0.3000  train 90.0%  test 95.0%  2.0s\n"]);
  });
});
