import { describe, expect, it } from "vitest";
import { LossHistory, TrainingSession } from "../src/session.js";
import { defaultState, type PlaygroundState } from "../src/state.js";
import { SETUPS } from "./setups.js";

const session = (over: Partial<PlaygroundState> = {}) => new TrainingSession({ ...defaultState(), ...over });
const weights = (s: TrainingSession) => s.network.parameters().flatMap((p) => [...p.toFloat64Array()]);

describe("LossHistory", () => {
  it("keeps at most `capacity` evenly spaced points over the whole run", () => {
    const h = new LossHistory(8);
    for (let step = 0; step <= 1000; step++) if (h.due(step)) h.record(step, step, -step);
    expect(h.steps.length).toBeLessThanOrEqual(8);
    expect(h.steps[0]).toBe(0);
    const gaps = h.steps.slice(1).map((s, i) => s - h.steps[i]!);
    expect(new Set(gaps)).toEqual(new Set([h.interval]));
    expect(Math.log2(h.interval) % 1).toBe(0);
    expect(h.steps.at(-1)).toBeGreaterThan(1000 - h.interval);
    expect(h.test).toEqual(h.steps.map((s) => -s));
  });
});

describe("TrainingSession", () => {
  // Each data set and regression problem, trained as the page trains it (the page test
  // repeats this in Chromium through the URL).
  it.each(SETUPS)("$name trains past its bar", ({ state, accuracy, loss }) => {
    const s = session(state);
    for (let i = 0; i < 30; i++) {
      s.step(100);
      const e = s.evaluate();
      if (accuracy !== undefined ? e.testAccuracy! > accuracy : e.testLoss < loss!) return;
    }
    const e = s.evaluate();
    expect(accuracy !== undefined ? e.testAccuracy : e.testLoss, JSON.stringify(e)).toBe(accuracy !== undefined ? `> ${accuracy}` : `< ${loss}`);
  });

  it("a learning rate set mid-run is used from the next step on, and the step count goes on", () => {
    const s = session();
    s.step(5);
    s.setLive({ lr: 0.3, regularization: "none", regRate: 0, batchSize: 10, optimizer: "sgd" });
    const w1 = s.network.layers[0]!.weight;
    const before = w1.toFloat64Array();
    const trace = s.tracedStep();
    expect(s.steps).toBe(6);
    // Plain SGD: w ← w − lr·g, with g the gradient the trace reports for W1.
    const vjp = trace.vjps.find((v) => v.inputs.some((input) => input.label === "W1"))!;
    const g = vjp.gradInputs[vjp.inputs.findIndex((input) => input.label === "W1")]!.values;
    const after = w1.toFloat64Array();
    before.forEach((w, i) => expect(after[i]).toBeCloseTo(w - 0.3 * g[i]!, 14));
  });

  it("batch size changes mid-run, and every batch has the size asked for", () => {
    const s = session();
    s.step(3);
    expect(s.tracedStep().batchSize).toBe(10);
    s.setLive({ lr: 0.03, regularization: "none", regRate: 0, batchSize: 7, optimizer: "sgd" });
    // 250 training points: batches of 7 run over epoch ends without shrinking.
    for (let i = 0; i < 40; i++) expect(s.tracedStep().batchSize).toBe(7);
    expect(s.epoch).toBeGreaterThan(0);
  });

  it("L2 pulls the weights towards zero and L1 adds |w| to the graph", () => {
    const plain = session({ optimizer: "sgd" });
    const l2 = session({ optimizer: "sgd", regularization: "l2", regRate: 1 });
    plain.step(200);
    l2.step(200);
    const size = (s: TrainingSession) => Math.hypot(...s.network.layers.flatMap((l) => [...l.weight.toFloat64Array()]));
    expect(size(l2)).toBeLessThan(size(plain) / 2);
    const l1 = session({ regularization: "l1", regRate: 0.01 });
    expect(l1.tracedStep().vjps.map((v) => v.op)).toContain("abs");
    expect(plain.tracedStep().vjps.map((v) => v.op)).not.toContain("abs");
  });

  it("a traced step reports the gradients backward computed, with parameters named", () => {
    const s = session();
    const trace = s.tracedStep();
    expect(trace.step).toBe(1);
    expect(trace.vjps[0]!.op).toBe("mean");
    expect([...trace.vjps[0]!.g.values]).toEqual([1]);
    // The VJP that takes W1 hands it the gradient now in W1.grad.
    const w1 = s.network.layers[0]!.weight;
    const vjp = trace.vjps.find((v) => v.inputs.some((input) => input.label === "W1"))!;
    const position = vjp.inputs.findIndex((input) => input.label === "W1");
    expect(vjp.gradInputs[position]!.shape).toEqual([4, 2]);
    expect([...vjp.gradInputs[position]!.values]).toEqual([...w1.grad!.toFloat64Array()]);
    // Inputs made by an earlier op point at that op's row.
    for (const v of trace.vjps) for (const input of v.inputs) if (input.step !== null) expect(trace.vjps[input.step]!.outputShape).toEqual(input.shape);
    expect(trace.svg).toMatch(/^<\?xml|<svg/);
  });

  it("the grid holds every hidden unit and the output on the −1…1 scale", () => {
    const s = session({ hidden: [3, 2] });
    const grid = s.grid(10);
    expect(grid.layers.map((l) => l.length)).toEqual([3, 2]);
    expect(grid.layers[0]![0]!.length).toBe(100);
    expect(grid.output.every((v) => v > -1 && v < 1)).toBe(true);
  });

  it("setWeight changes exactly one weight or bias", () => {
    const s = session();
    const before = s.weights();
    s.setWeight(1, 1, 2, 0.5);
    s.setWeight(2, 0, -1, -0.25);
    const after = s.weights();
    expect(after[1]!.weight[1 * 4 + 2]).toBe(0.5);
    expect(after[2]!.bias[0]).toBe(-0.25);
    const changed = after.flatMap((w, l) => [...w.weight, ...w.bias].filter((v, i) => v !== [...before[l]!.weight, ...before[l]!.bias][i])).length;
    expect(changed).toBe(2);
    expect(() => s.setWeight(0, 4, 0, 1)).toThrow(/no weight/);
    expect(() => s.setWeight(0, 0, 0, Number.NaN)).toThrow(/finite/);
  });

  it("the same state replays the same run", () => {
    const a = session({ dataset: "spiral", noise: 10 });
    const b = session({ dataset: "spiral", noise: 10 });
    a.step(20);
    b.step(20);
    expect(weights(a)).toEqual(weights(b));
  });
});
