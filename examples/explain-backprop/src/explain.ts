import { Tensor, manualSeed, noGrad, toSvg, traceBackward, type BackwardTrace } from "@tapegrad/autograd";
import { BCELoss, Dense, ReLU, Sequential, Sigmoid, data } from "@tapegrad/nn";
import { checkSamples } from "./models.js";

/** One layer's gradients two ways: from the graph, and from the tutorials' formulas. */
export interface LayerCheck {
  layer: number;
  /** The formulas used for this layer, as the numpy tutorials write them. */
  formulas: string[];
  /** max |graph − formula| over dW and db. */
  maxDifference: number;
}

/** Everything the explanation prints. */
export interface Explanation {
  trace: BackwardTrace;
  layers: LayerCheck[];
  loss: number;
  svg: string;
}

/** What to explain. */
export interface ExplainOptions {
  /** Moons points in the batch (default 4). */
  samples?: number;
  /** Seed of the data and the weights (default 0). */
  seed?: number;
  /** Layer sizes (default 2-25-50-50-25-1). */
  sizes?: readonly number[];
  /** Record gradient values in the trace, as traceBackward's `values` (default false). */
  values?: boolean | number;
}

/** The classic network: 2-25-50-50-25-1, ReLU between, sigmoid at the end. */
export function tutorialNetwork(sizes: readonly number[] = [2, 25, 50, 50, 25, 1]): Sequential {
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Dense(sizes[i]!, sizes[i + 1]!), i + 2 < sizes.length ? new ReLU() : new Sigmoid());
  }
  return new Sequential(...layers);
}

const maxAbs = (a: Tensor, b: Tensor): number => noGrad(() => a.sub(b).abs().max().item());

/**
 * Builds the network on `samples` moons points, runs one backward pass with a trace, and
 * recomputes every layer's gradient with the tutorials' hand-written formulas:
 * dZ_L = A_L − Y (sigmoid + BCE), dW = dZᵀ·A_prev / m (our weights are [out, in]),
 * db = mean(dZ), dA_prev = dZ·W, dZ_prev = dA_prev ⊙ 1[Z_prev > 0].
 * @throws Error when samples is outside `models.moons`' bounds (1 to 1000).
 */
export function explain(options: ExplainOptions = {}): Explanation {
  const { samples = 4, seed = 0, sizes, values = false } = options;
  checkSamples("moons", samples);
  manualSeed(seed);
  const { X, y: Y } = data.makeMoons({ nSamples: samples, noise: 0.2, seed });
  const model = tutorialNetwork(sizes);
  // Run the chain by hand so every Z (Dense output) and A (activation output) is kept.
  const Z: Tensor[] = [];
  const A: Tensor[] = [X];
  let h = X;
  for (const child of model.children()) {
    h = child.forward(h);
    if (child instanceof Dense) Z.push(h);
    else A.push(h);
  }
  const loss = new BCELoss().forward(h, Y);
  // Parameters by their dotted names (0.weight, …), the data and the targets by theirs.
  const names = Object.fromEntries([["X", X], ["Y", Y], ...model.namedParameters()]);
  const trace = traceBackward(loss, { values, names });
  const dense = model.children().filter((c): c is Dense => c instanceof Dense);
  const m = samples;
  const layers: LayerCheck[] = [];
  noGrad(() => {
    let dZ = A[A.length - 1]!.sub(Y); // dZ_L = A_L − Y
    for (let l = dense.length - 1; l >= 0; l--) {
      const dW = dZ.t().matmul(A[l]!).div(m); // dW = dZᵀ·A_prev / m
      // The tutorials' dZ already carries no 1/m (it is A − Y), so the mean over the batch
      // appears here: db = Σ dZ / m.
      const db = dZ.sum(0).div(m);
      const formulas = l === dense.length - 1 ? ["dZ = A − Y", "dW = dZᵀ·A_prev / m", "db = Σ dZ / m"] : ["dA = dZ_next·W_next", "dZ = dA ⊙ 1[Z > 0]", "dW = dZᵀ·A_prev / m", "db = Σ dZ / m"];
      layers.unshift({
        layer: l + 1,
        formulas,
        maxDifference: Math.max(maxAbs(dense[l]!.weight.grad!, dW), maxAbs(dense[l]!.bias!.grad!, db)),
      });
      if (l > 0) {
        const dA = dZ.matmul(dense[l]!.weight); // dA_prev = dZ·W
        dZ = dA.mul(Z[l - 1]!.gt(0)); // dZ_prev = dA_prev ⊙ 1[Z_prev > 0]
      }
    }
  });
  const svg = toSvg(loss, { names, title: `Graph of the BCE loss of a ${(sizes ?? [2, 25, 50, 50, 25, 1]).join("-")} network` });
  return { trace, layers, loss: loss.item(), svg };
}
