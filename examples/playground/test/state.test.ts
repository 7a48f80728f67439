import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ACTIVATIONS,
  CLASSIFICATION_SETS,
  FEATURES,
  LEARNING_RATES,
  OPTIMIZERS,
  REGRESSION_SETS,
  REGULARIZATIONS,
  REGULARIZATION_RATES,
  SPEEDS,
  defaultState,
  needsRestart,
  stateFromHash,
  stateToHash,
  validateState,
  type PlaygroundState,
} from "../src/state.js";

// Any state the controls can produce.
const states: fc.Arbitrary<PlaygroundState> = fc.record({
  dataset: fc.constantFrom(...CLASSIFICATION_SETS, ...REGRESSION_SETS),
  ratio: fc.integer({ min: 1, max: 9 }).map((r) => r * 10),
  noise: fc.integer({ min: 0, max: 10 }).map((n) => n * 5),
  batchSize: fc.integer({ min: 1, max: 30 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  features: fc.subarray([...FEATURES], { minLength: 1 }),
  hidden: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }),
  activation: fc.constantFrom(...ACTIVATIONS),
  lr: fc.constantFrom(...LEARNING_RATES),
  regularization: fc.constantFrom(...REGULARIZATIONS),
  regRate: fc.constantFrom(...REGULARIZATION_RATES),
  optimizer: fc.constantFrom(...OPTIMIZERS),
  speed: fc.constantFrom(...SPEEDS),
  showTest: fc.boolean(),
  discretize: fc.boolean(),
});

describe("playground state", () => {
  it("the defaults are the TensorFlow Playground's first screen and are valid", () => {
    const s = defaultState();
    expect(validateState(s)).toEqual([]);
    expect(s).toMatchObject({ dataset: "circle", features: ["x1", "x2"], hidden: [4, 2], activation: "tanh", lr: 0.03, batchSize: 10, ratio: 50 });
  });

  it("every state the controls can produce survives the URL unchanged", () => {
    fc.assert(
      fc.property(states, (s) => {
        expect(validateState(s)).toEqual([]);
        const { state, problems } = stateFromHash(stateToHash(s));
        expect(problems).toEqual([]);
        expect(state).toEqual(s);
      }),
    );
  });

  it("writes lists with plain commas, so a shared link stays readable", () => {
    expect(stateToHash({ ...defaultState(), hidden: [8, 8, 3], features: ["x1", "x1x2"] })).toContain("features=x1,x1x2&hidden=8,8,3&");
  });

  it("keeps the default for a bad value and says which one", () => {
    const { state, problems } = stateFromHash("#dataset=spiral&lr=-1&hidden=4,99&features=&speed=2&colour=red");
    expect(state.dataset).toBe("spiral");
    expect(state.speed).toBe(2);
    expect(state.lr).toBe(defaultState().lr);
    expect(state.hidden).toEqual(defaultState().hidden);
    expect(state.features).toEqual(defaultState().features);
    expect(problems).toHaveLength(4);
    expect(problems.join(" ")).toMatch(/lr=-1 ignored.*learning rate/);
    expect(problems.join(" ")).toMatch(/unknown setting "colour"/);
  });

  it("an empty hidden list is a network without hidden layers", () => {
    expect(stateFromHash("#hidden=").state.hidden).toEqual([]);
  });

  it("learning rate, regularisation, batch size, optimizer, speed and display options change a run; anything else restarts it", () => {
    const s = defaultState();
    const live: Partial<PlaygroundState>[] = [{ lr: 0.3 }, { regularization: "l2", regRate: 0.1 }, { batchSize: 3 }, { optimizer: "adam" }, { speed: 0 }, { showTest: true }, { discretize: true }];
    for (const change of live) expect(needsRestart(s, { ...s, ...change }), JSON.stringify(change)).toBe(false);
    const restart: Partial<PlaygroundState>[] = [{ dataset: "xor" }, { ratio: 70 }, { noise: 5 }, { seed: 2 }, { features: ["x1"] }, { hidden: [4] }, { activation: "relu" }];
    for (const change of restart) expect(needsRestart(s, { ...s, ...change }), JSON.stringify(change)).toBe(true);
  });
});
