import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tensor, tensor } from "@tapegrad/autograd";
import { Dense, Module, Sequential, Tanh } from "@tapegrad/nn";

// PyTorch registered the same hooks on the same 3-4-2 tanh network and on a module with two
// branches (scripts/torch-fixtures.py, target "hooks"): tapegrad must call them in the same
// order, hand them the same tensors, and let their results replace the same values.
type Values = number[] | null;
interface HookEvent {
  event: string;
  inputs?: Values[];
  output?: Values;
  gradInput?: Values[];
  gradOutput?: Values[];
  grad?: Values;
}
interface Run {
  replace: boolean;
  xRequiresGrad: boolean;
  events: HookEvent[];
  loss: number;
  grads: Record<string, number[] | number[][]>;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/torch-hooks.json", import.meta.url), "utf8")) as {
  params: Record<string, number[] | number[][]>;
  x: number[][];
  runs: Run[];
  branches: { params: Record<string, number[] | number[][]>; events: HookEvent[]; grads: Record<string, number[] | number[][]> };
};

const flat = (t: Tensor | null | undefined): Values => (t ? Array.from(t.toFloat64Array()) : null);

/** Equal to 1e-12 relative to the magnitude, nulls where PyTorch had None. */
function expectClose(actual: unknown, expected: unknown, where: string): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, where).toBeNull();
    return;
  }
  if (typeof expected === "number") {
    expect(typeof actual, where).toBe("number");
    expect(Math.abs((actual as number) - expected), `${where}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)));
    return;
  }
  expect(Array.isArray(actual), `${where} is a list`).toBe(true);
  const a = actual as unknown[];
  const e = expected as unknown[];
  expect(a.length, `${where} length`).toBe(e.length);
  e.forEach((v, i) => expectClose(a[i], v, `${where}[${i}]`));
}

function expectSameEvents(events: HookEvent[], expected: HookEvent[]): void {
  expect(events.map((e) => e.event)).toEqual(expected.map((e) => e.event));
  expected.forEach((e, i) => {
    for (const key of ["inputs", "output", "gradInput", "gradOutput", "grad"] as const) {
      if (key in e) expectClose(events[i]![key], e[key], `${e.event}.${key}`);
    }
  });
}

function run(spec: Run): { events: HookEvent[]; loss: number; grads: Record<string, Values> } {
  const { replace, xRequiresGrad } = spec;
  const model = new Sequential(new Dense(3, 4), new Tanh(), new Dense(4, 2));
  model.loadStateDict(Object.fromEntries(Object.entries(fixture.params).map(([k, v]) => [k, tensor(v)])));
  const x = tensor(fixture.x, { requiresGrad: xRequiresGrad });
  const events: HookEvent[] = [];
  const children = model.children();
  const modules: [string, Module<any, any>][] = [["seq", model], ["0", children[0]!], ["1", children[1]!], ["2", children[2]!]];
  for (const [name, m] of modules) {
    m.registerForwardPreHook((_m, inputs: Tensor[]) => {
      events.push({ event: `pre:${name}`, inputs: inputs.map(flat) });
      if (replace && name === "0") return [inputs[0]!.mul(2)];
    });
    m.registerForwardHook((_m, inputs: Tensor[], output: Tensor) => {
      events.push({ event: `fwd:${name}`, inputs: inputs.map(flat), output: flat(output) });
      if (name === "0") {
        output.registerHook((g) => {
          events.push({ event: "tensor:hidden", grad: flat(g) });
          if (replace) return g.mul(2);
        });
      }
      if (replace && name === "2") return output.mul(3);
    });
    m.registerFullBackwardHook((_m, gradInput, gradOutput) => {
      events.push({ event: `bwd:${name}`, gradInput: gradInput.map(flat), gradOutput: gradOutput.map(flat) });
      if (replace && name === "0" && gradInput[0]) return [gradInput[0].mul(0.5)];
    });
  }
  const weight = (children[2] as Dense).weight;
  weight.registerHook((g) => {
    events.push({ event: "tensor:2.weight", grad: flat(g) });
    if (replace) return g.mul(10);
  });
  if (xRequiresGrad) {
    x.registerHook((g) => {
      events.push({ event: "tensor:x", grad: flat(g) });
      if (replace) return g.add(1);
    });
  }
  const loss = (model.forward(x) as Tensor).pow(2).sum();
  events.push({ event: "backward" });
  loss.backward();
  const grads: Record<string, Values> = Object.fromEntries(model.namedParameters().map(([k, p]) => [k, flat(p.grad)]));
  if (xRequiresGrad) grads.x = flat(x.grad);
  return { events, loss: loss.item(), grads };
}

describe("hooks agree with PyTorch's order and replacements", () => {
  it.each(fixture.runs.map((r) => [r.replace ? "replacing" : "watching", r.xRequiresGrad ? "x requires grad" : "x needs no grad", r] as const))(
    "%s hooks, %s",
    (_what, _x, spec) => {
      const { events, loss, grads } = run(spec);
      expectSameEvents(events, spec.events);
      expectClose(loss, spec.loss, "loss");
      expect(Object.keys(grads).sort()).toEqual(Object.keys(spec.grads).sort());
      for (const [k, v] of Object.entries(spec.grads)) expectClose(grads[k], (v as number[]).flat(), `${k}.grad`);
    },
  );

  it("visits two branches that meet in one op in PyTorch's order (the later branch first)", () => {
    class Branches extends Module {
      left = new Dense(3, 2);
      right = new Dense(3, 2);
      forward(x: Tensor): Tensor {
        return this.left.forward(x).mul(this.right.forward(x).tanh());
      }
    }
    const branches = new Branches();
    branches.loadStateDict(Object.fromEntries(Object.entries(fixture.branches.params).map(([k, v]) => [k, tensor(v)])));
    const x = tensor(fixture.x, { requiresGrad: true });
    const events: HookEvent[] = [];
    for (const [name, m] of [["branches", branches], ["left", branches.left], ["right", branches.right]] as const) {
      m.registerFullBackwardHook((_m, gradInput) => void events.push({ event: `bwd:${name}`, gradInput: gradInput.map(flat) }));
    }
    for (const [name, p] of branches.namedParameters()) p.registerHook((g) => void events.push({ event: `tensor:${name}`, grad: flat(g) }));
    x.registerHook((g) => void events.push({ event: "tensor:x", grad: flat(g) }));
    branches.forward(x).sum().backward();
    // One difference, by design: Dense is one fused op (linear) whose gradients reach its
    // weight and bias together, in input order, so the weight's hook runs first; PyTorch's
    // Linear is addmm(bias, x, weightᵀ), whose bias gradient is ready one node earlier.
    const expected = fixture.branches.events.slice();
    for (let i = 0; i + 1 < expected.length; i++) {
      const [a, b] = [expected[i]!.event, expected[i + 1]!.event];
      if (a.endsWith(".bias") && b === a.replace(/bias$/, "weight")) [expected[i], expected[i + 1]] = [expected[i + 1]!, expected[i]!];
    }
    expect(expected.map((e) => e.event)).not.toEqual(fixture.branches.events.map((e) => e.event));
    expectSameEvents(events, expected);
    for (const [k, v] of Object.entries(fixture.branches.grads)) {
      const got = k === "x" ? x.grad : branches.namedParameters().find(([n]) => n === k)![1].grad;
      expectClose(flat(got), (v as number[]).flat(), `${k}.grad`);
    }
  });
});
