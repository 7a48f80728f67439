import fc from "fast-check";

// One fixed seed for every property in CI, so a red run replays exactly; FC_SEED overrides
// it to explore. fast-check prints the seed and the shrunk counterexample on failure.
const seed = Number(process.env.FC_SEED ?? 20261124);
fc.configureGlobal({ seed, numRuns: Number(process.env.FC_RUNS ?? 100) });
