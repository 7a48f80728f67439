// The TensorFlow Playground's data sets, written again here (nn.data has moons and circles
// only, in scikit-learn's unit scale): points in the square [−6, 6]², class labels 0 and 1
// (the Playground's −1 and +1), regression targets in [−1, 1]. Seeded, so a shared link
// shows the same points. Plus moons, scaled to the same square.
import { Generator } from "@tapegrad/tensor";
import { data } from "@tapegrad/nn";
import type { DatasetName, FeatureName } from "./state.js";
import { problemOf } from "./state.js";

/** Points and labels: `xy` holds x₁, x₂ of point i at 2i, 2i + 1. */
export interface Points {
  xy: Float64Array;
  label: Float64Array;
}

/** Half the side of the square every data set lies in. */
export const DOMAIN = 6;
export const CLASSIFICATION_SAMPLES = 500;
export const REGRESSION_SAMPLES = 1200;

/** Names shown on the data set buttons. */
export const DATASET_TITLES: Record<DatasetName, string> = {
  circle: "Circle",
  xor: "Exclusive or",
  gauss: "Gaussian",
  spiral: "Spiral",
  moons: "Moons",
  plane: "Plane",
  multigauss: "Multi-Gaussian",
};

class Builder {
  readonly xy: number[] = [];
  readonly label: number[] = [];
  add(x: number, y: number, label: number): void {
    this.xy.push(x, y);
    this.label.push(label);
  }
  done(): Points {
    return { xy: Float64Array.from(this.xy), label: Float64Array.from(this.label) };
  }
}

const uniform = (g: Generator, low: number, high: number) => low + (high - low) * g.random();

/**
 * A disc of class 1 (radius < 2.5) inside a ring of class 0 (radius 3.5 to 5). Noise acts
 * on the labels, as in the Playground: a point keeps its place but takes the label of a
 * randomly moved copy, so near the boundary some labels are wrong.
 */
function circle(n: number, noise: number, g: Generator): Points {
  const b = new Builder();
  const radius = 5;
  const labelOf = (x: number, y: number) => (Math.hypot(x, y) < radius * 0.5 ? 1 : 0);
  const ring = (inner: number, outer: number) => {
    const r = uniform(g, inner, outer);
    const angle = uniform(g, 0, 2 * Math.PI);
    const x = r * Math.sin(angle);
    const y = r * Math.cos(angle);
    b.add(x, y, labelOf(x + uniform(g, -radius, radius) * noise, y + uniform(g, -radius, radius) * noise));
  };
  for (let i = 0; i < n / 2; i++) ring(0, radius * 0.5);
  for (let i = 0; i < n / 2; i++) ring(radius * 0.7, radius);
  return b.done();
}

/** Class 1 where x₁ and x₂ have the same sign; points kept 0.3 away from the axes. Noise acts on the labels, as for the circle. */
function xor(n: number, noise: number, g: Generator): Points {
  const b = new Builder();
  const padding = 0.3;
  for (let i = 0; i < n; i++) {
    let x = uniform(g, -5, 5);
    x += x > 0 ? padding : -padding;
    let y = uniform(g, -5, 5);
    y += y > 0 ? padding : -padding;
    const nx = x + uniform(g, -5, 5) * noise;
    const ny = y + uniform(g, -5, 5) * noise;
    b.add(x, y, nx * ny >= 0 ? 1 : 0);
  }
  return b.done();
}

/** Two Gaussian blobs at (2, 2), class 1, and (−2, −2), class 0; noise widens them (σ² from 0.5 to 4). */
function gauss(n: number, noise: number, g: Generator): Points {
  const b = new Builder();
  const variance = 0.5 + (noise / 0.5) * 3.5;
  const sd = Math.sqrt(variance);
  for (let i = 0; i < n / 2; i++) b.add(2 + sd * g.normal(), 2 + sd * g.normal(), 1);
  for (let i = 0; i < n / 2; i++) b.add(-2 + sd * g.normal(), -2 + sd * g.normal(), 0);
  return b.done();
}

/** Two interleaved spirals of 1.75 turns, out to radius 5. */
function spiral(n: number, noise: number, g: Generator): Points {
  const b = new Builder();
  const half = n / 2;
  const arm = (deltaT: number, label: number) => {
    for (let i = 0; i < half; i++) {
      const r = (i / half) * 5;
      const t = ((1.75 * i) / half) * 2 * Math.PI + deltaT;
      b.add(r * Math.sin(t) + uniform(g, -1, 1) * noise, r * Math.cos(t) + uniform(g, -1, 1) * noise, label);
    }
  };
  arm(0, 1);
  arm(Math.PI, 0);
  return b.done();
}

/** scikit-learn's two moons (via nn.data), moved and scaled by 4 from [−1, 2] × [−0.5, 1] onto the square. */
function moons(n: number, noise: number, g: Generator): Points {
  const { X, y } = data.makeMoonsArrays({ nSamples: n, noise: noise * 0.5, seed: g.integer(0, 2 ** 31) });
  const xy = Float64Array.from(X.values(), (v, i) => (i % 2 === 0 ? (v - 0.5) * 4 : (v - 0.25) * 4));
  return { xy, label: Float64Array.from(y.values()) };
}

/** Target (x₁ + x₂)/10 of the noisy point, clamped to [−1, 1]: a tilted plane. */
function plane(n: number, noise: number, g: Generator): Points {
  const b = new Builder();
  for (let i = 0; i < n; i++) {
    const x = uniform(g, -DOMAIN, DOMAIN);
    const y = uniform(g, -DOMAIN, DOMAIN);
    const nx = x + uniform(g, -DOMAIN, DOMAIN) * noise;
    const ny = y + uniform(g, -DOMAIN, DOMAIN) * noise;
    b.add(x, y, Math.max(-1, Math.min(1, (nx + ny) / 10)));
  }
  return b.done();
}

/** Six bumps of alternating sign on a 3 × 2 grid; a point takes the strongest bump's value, 1 − distance/2 clamped to [0, 1]. */
export function multiGaussTarget(x: number, y: number): number {
  const bumps = [
    [-4, 2.5, 1],
    [0, 2.5, -1],
    [4, 2.5, 1],
    [-4, -2.5, -1],
    [0, -2.5, 1],
    [4, -2.5, -1],
  ] as const;
  let label = 0;
  for (const [cx, cy, sign] of bumps) {
    const value = sign * Math.max(0, Math.min(1, 1 - Math.hypot(x - cx, y - cy) / 2));
    if (Math.abs(value) > Math.abs(label)) label = value;
  }
  return label;
}

function multigauss(n: number, noise: number, g: Generator): Points {
  const b = new Builder();
  for (let i = 0; i < n; i++) {
    const x = uniform(g, -DOMAIN, DOMAIN);
    const y = uniform(g, -DOMAIN, DOMAIN);
    b.add(x, y, multiGaussTarget(x + uniform(g, -DOMAIN, DOMAIN) * noise, y + uniform(g, -DOMAIN, DOMAIN) * noise));
  }
  return b.done();
}

const MAKERS: Record<DatasetName, (n: number, noise: number, g: Generator) => Points> = { circle, xor, gauss, spiral, moons, plane, multigauss };

/**
 * The points of a data set: 500 for classification, 1200 for regression (as the
 * TensorFlow Playground). `noise` is the page's percentage, 0 to 50.
 */
export function makeDataset(name: DatasetName, noisePercent: number, seed: number, count?: number): Points {
  const n = count ?? (problemOf(name) === "regression" ? REGRESSION_SAMPLES : CLASSIFICATION_SAMPLES);
  return MAKERS[name](n, noisePercent / 100, new Generator(`${name}:${seed}`));
}

/** Splits points with one seeded permutation: the first `ratio`% train, the rest test. */
export function splitPoints(points: Points, ratioPercent: number, seed: number): { train: Points; test: Points } {
  const n = points.label.length;
  const order = new Generator(`split:${seed}`).permutation(n);
  const nTrain = Math.min(n - 1, Math.max(1, Math.round((n * ratioPercent) / 100)));
  const take = (rows: number[]): Points => ({
    xy: Float64Array.from(rows.flatMap((r) => [points.xy[2 * r]!, points.xy[2 * r + 1]!])),
    label: Float64Array.from(rows, (r) => points.label[r]!),
  });
  return { train: take(order.slice(0, nTrain)), test: take(order.slice(nTrain)) };
}

/** The input features, as the network sees them, and how the page names them. */
export const FEATURE_FUNCTIONS: Record<FeatureName, { title: string; of: (x1: number, x2: number) => number }> = {
  x1: { title: "x₁", of: (x1) => x1 },
  x2: { title: "x₂", of: (_, x2) => x2 },
  x1sq: { title: "x₁²", of: (x1) => x1 * x1 },
  x2sq: { title: "x₂²", of: (_, x2) => x2 * x2 },
  x1x2: { title: "x₁x₂", of: (x1, x2) => x1 * x2 },
  sinx1: { title: "sin x₁", of: (x1) => Math.sin(x1) },
  sinx2: { title: "sin x₂", of: (_, x2) => Math.sin(x2) },
};

/** The [n, features] matrix of the chosen features, row-major. */
export function featureMatrix(xy: Float64Array, features: readonly FeatureName[]): Float64Array {
  const n = xy.length / 2;
  const k = features.length;
  const out = new Float64Array(n * k);
  const fns = features.map((f) => FEATURE_FUNCTIONS[f].of);
  for (let i = 0; i < n; i++) {
    const x1 = xy[2 * i]!;
    const x2 = xy[2 * i + 1]!;
    for (let j = 0; j < k; j++) out[i * k + j] = fns[j]!(x1, x2);
  }
  return out;
}

/**
 * The centres of a size × size lattice over the square, row 0 at the top (largest x₂), as
 * the heat maps draw them.
 */
export function gridPoints(size: number): Float64Array {
  const xy = new Float64Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      xy[(r * size + c) * 2] = -DOMAIN + ((c + 0.5) / size) * 2 * DOMAIN;
      xy[(r * size + c) * 2 + 1] = DOMAIN - ((r + 0.5) / size) * 2 * DOMAIN;
    }
  }
  return xy;
}
