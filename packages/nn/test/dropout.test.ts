import { describe, expect, it } from "vitest";
import { DataError, Generator, manualSeed, ones, rand, randn, tensor, type Tensor } from "@tapegrad/autograd";
import { Dropout, Sequential, functional } from "../src/index.js";

const { dropout } = functional;

/** Indices of the zeroed elements. */
const zeroed = (y: Tensor) => Array.from(y.toFloat64Array()).flatMap((v, i) => (v === 0 ? [i] : []));

/** Count of kept elements of a dropout of ones. */
const kept = (y: Tensor) => Array.from(y.toFloat64Array()).filter((v) => v !== 0).length;

describe("Dropout", () => {
  it("keeps a fraction 1 − p within binomial bounds that a wrong p would miss", () => {
    const n = 100_000;
    for (const p of [0.1, 0.3, 0.5, 0.9]) {
      manualSeed(p * 10);
      const count = kept(new Dropout(p).forward(ones([n])));
      // Kept ~ Binomial(n, 1 − p): 5 standard deviations is at most 790 of 100 000; a p off
      // by 0.01 moves the mean by 1000, and swapping p and 1 − p by 20 000 or more.
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(count - n * (1 - p)), `p = ${p}: kept ${count}`).toBeLessThan(5 * sd);
    }
  });

  it("scales the kept elements by 1/(1 − p) and zeroes the others", () => {
    const x = randn([50, 40], { seed: 1 }).add(5); // no zeros in x
    manualSeed(2);
    const y = new Dropout(0.3).forward(x);
    const xs = x.toFloat64Array();
    const ys = y.toFloat64Array();
    const scale = 1 / (1 - 0.3);
    let zeros = 0;
    ys.forEach((v, i) => {
      if (v === 0) zeros++;
      else expect(v).toBe(xs[i]! * scale);
    });
    expect(zeros).toBeGreaterThan(0);
    // The mean survives in expectation: within 5 standard errors of the mean of x.
    const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
    const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
    expect(Math.abs(meanY - meanX)).toBeLessThan((5 * meanX * Math.sqrt(0.3 / 0.7)) / Math.sqrt(xs.length));
  });

  it("its gradient is the same mask times the same scale", () => {
    const x = rand([30, 20], { seed: 3, requiresGrad: true });
    const g = randn([30, 20], { seed: 4 });
    manualSeed(5);
    const y = new Dropout(0.4).forward(x.add(1));
    y.backward(g);
    const ys = y.toFloat64Array();
    const gs = g.toFloat64Array();
    const grads = x.grad!.toFloat64Array();
    // (−0 for a dropped element with a negative g, as in PyTorch: g·0.)
    grads.forEach((v, i) => expect(v + 0).toBe(ys[i] === 0 ? 0 : gs[i]! * (1 / 0.6)));
  });

  it("is reproducible from manualSeed or a generator, and draws a fresh mask each call", () => {
    const x = ones([200]);
    manualSeed(7);
    const layer = new Dropout(0.5);
    const first = zeroed(layer.forward(x));
    const second = zeroed(layer.forward(x));
    expect(second).not.toEqual(first);
    manualSeed(7);
    expect(zeroed(layer.forward(x))).toEqual(first);
    expect(zeroed(layer.forward(x))).toEqual(second);
    const a = new Dropout(0.5, { generator: new Generator(8) });
    const b = new Dropout(0.5, { generator: new Generator(8) });
    manualSeed(1);
    const fromA = zeroed(a.forward(x));
    manualSeed(2); // the default generator plays no part
    expect(zeroed(b.forward(x))).toEqual(fromA);
    expect(zeroed(dropout(x, 0.5, true, { generator: new Generator(8) }))).toEqual(fromA);
  });

  it("is the identity in eval mode, with p = 0, and p = 1 gives zeros with a zero gradient", () => {
    const x = randn([4, 5], { seed: 9, requiresGrad: true });
    const layer = new Sequential(new Dropout(0.7)).eval();
    expect(layer.forward(x)).toBe(x);
    expect(dropout(x, 0.7, false)).toBe(x);
    expect(dropout(x, 0)).toBe(x);
    const y = dropout(x, 1);
    // x·0, as PyTorch: −0 where x < 0.
    expect(Array.from(y.toFloat64Array(), (v) => v + 0)).toEqual(Array(20).fill(0));
    y.sum().backward();
    expect(Array.from(x.grad!.toFloat64Array())).toEqual(Array(20).fill(0));
  });

  it("works on non-contiguous inputs and keeps the shape", () => {
    const x = randn([6, 4], { seed: 10 }).add(3).t();
    manualSeed(11);
    const y = dropout(x, 0.5);
    expect(y.shape).toEqual([4, 6]);
    const xs = x.toFloat64Array();
    y.toFloat64Array().forEach((v, i) => expect(v === 0 || v === xs[i]! * 2).toBe(true));
  });

  it("refuses a p outside [0, 1], inplace true and unknown options, naming the layer", () => {
    expect(() => new Dropout(1.5)).toThrow("Dropout: dropout probability p must be a number in [0, 1], got 1.5");
    expect(() => new Dropout(-0.1)).toThrow(DataError);
    expect(() => new Dropout(Number.NaN)).toThrow(DataError);
    expect(() => new Dropout("0.5" as never)).toThrow(/got "0.5"/);
    expect(() => dropout(tensor([1]), 2)).toThrow("dropout: dropout probability p must be a number in [0, 1], got 2");
    expect(() => dropout(tensor([1]), 0.5, "yes" as never)).toThrow(/dropout: training must be true or false/);
    expect(() => new Dropout(0.5, { inplace: true })).toThrow("Dropout: inplace=true is not supported (tapegrad returns a new tensor); drop the option or pass false");
    expect(() => dropout(tensor([1]), 0.5, true, { inplace: true })).toThrow(/dropout: inplace=true/);
    expect(() => dropout(tensor([1]), 0.5, true, true)).toThrow(/dropout: inplace=true/);
    expect(dropout(tensor([1]), 0.5, false, false).toArray()).toEqual([1]);
    expect(() => new Dropout(0.5, { seed: 1 } as never)).toThrow(/Dropout: unknown option "seed"/);
    expect(() => new Dropout(0.5, { generator: 3 as never })).toThrow(/generator must be a Generator/);
  });

  it("prints as PyTorch does", () => {
    expect(String(new Dropout())).toBe("Dropout(p=0.5, inplace=false)");
    expect(String(new Dropout(0.1))).toBe("Dropout(p=0.1, inplace=false)");
  });
});
