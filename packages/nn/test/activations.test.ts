import { describe, expect, it } from "vitest";
import { DataError, randn, tensor, type Tensor } from "@tapegrad/autograd";
import { ELU, GELU, Identity, LeakyReLU, LogSoftmax, Module, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh, functional as F } from "../src/index.js";
import { decode, expectClose, loadLayerFixture, type Flat } from "./layer-fixtures.js";

// Values from torch 1.13 in float64: scripts/torch_layer_cases/activations.py.
interface Case {
  module: string;
  args: unknown[];
  input: Flat;
  output: Flat;
  cotangent: Flat;
  inputGrad: Flat;
}
const fixture = loadLayerFixture<{ cases: Record<string, Case> }>("activations");

const modules: Record<string, new (...args: any[]) => Module> = { ReLU, Sigmoid, Tanh, Softmax, GELU, LeakyReLU, ELU, SiLU, Softplus, LogSoftmax };

/** The functional form of each module, called with the module's settings in PyTorch's argument order. */
const functionalOf: Record<string, (x: Tensor, args: any[]) => Tensor> = {
  ReLU: (x) => F.relu(x),
  Sigmoid: (x) => F.sigmoid(x),
  Tanh: (x) => F.tanh(x),
  Softmax: (x, [dim]) => F.softmax(x, dim),
  GELU: (x, [options]) => F.gelu(x, options),
  LeakyReLU: (x, [slope]) => F.leakyRelu(x, slope),
  ELU: (x, [alpha]) => F.elu(x, alpha),
  SiLU: (x) => F.silu(x),
  Softplus: (x, [options]) => (options ? F.softplus(x, options.beta, options.threshold) : F.softplus(x)),
  LogSoftmax: (x, [dim]) => F.logSoftmax(x, dim),
};

describe("activation modules agree with torch 1.13, kinks included (1e-12)", () => {
  for (const [name, c] of Object.entries(fixture.cases)) {
    it(name, () => {
      const layer = new modules[c.module]!(...c.args);
      expect(layer.stateDict()).toEqual({});
      const x = decode(c.input, { requiresGrad: true });
      const y = layer.forward(x);
      expectClose(y, c.output, 1e-12, "output");
      y.mul(decode(c.cotangent)).sum().backward();
      expectClose(x.grad, c.inputGrad, 1e-12, "input gradient");
      const viaFunction = functionalOf[c.module]!(decode(c.input), c.args);
      expect(Array.from(viaFunction.toFloat64Array())).toEqual(Array.from(y.toFloat64Array()));
    });
  }
});

describe("the functional activations", () => {
  const x = tensor([-2, -0.5, 0, 0.5, 3]);
  const values = (t: Tensor) => t.toArray() as number[];

  it("take PyTorch's positional arguments", () => {
    expect(values(F.leakyRelu(x, 0.2))).toEqual([-0.4, -0.1, 0, 0.5, 3]);
    expect(values(F.leakyRelu(x))).toEqual([-0.02, -0.005, 0, 0.5, 3]);
    expect(values(F.elu(x, 2))).toEqual([2 * Math.expm1(-2), 2 * Math.expm1(-0.5), 0, 0.5, 3]);
    expect(values(F.relu(x))).toEqual([0, 0, 0, 0.5, 3]);
    // softplus(x, beta, threshold): β = 2 and threshold 1 make βx = 6 > 1 linear, the rest log(1 + e^(2x))/2.
    expect(values(F.softplus(x, 2, 1))).toEqual(values(F.softplus(x, { beta: 2, threshold: 1 })));
    const soft = values(F.softplus(x, 2, 1));
    expect(soft[4]).toBe(3);
    expect(soft[0]).toBeCloseTo(Math.log1p(Math.exp(-4)) / 2, 15);
    expect(values(F.gelu(x, { approximate: "tanh" }))[4]).toBeCloseTo(0.5 * 3 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (3 + 0.044715 * 27))), 14);
  });

  it("logSigmoid is log σ, finite where the naive form is not", () => {
    const ys = values(F.logSigmoid(tensor([-800, -1, 0, 2])));
    expect(ys[0]).toBe(-800);
    expect(ys[1]).toBeCloseTo(Math.log(1 / (1 + Math.E)), 15);
    expect(ys[2]).toBeCloseTo(-Math.LN2, 15);
    expect(ys[3]).toBeCloseTo(-Math.log1p(Math.exp(-2)), 15);
  });

  it("softmax and logSoftmax need a dim, as PyTorch without its deprecated implicit one", () => {
    const z = randn([2, 3], { seed: 2 });
    const rows = F.softmax(z, 1).sum(1).toArray() as number[];
    for (const r of rows) expect(r).toBeCloseTo(1, 15);
    expect(values(F.logSoftmax(z, -1).exp().reshape([6]))).toEqual(values(F.softmax(z, -1).reshape([6])));
    expect(() => F.softmax(z, undefined as never)).toThrow("softmax: dim is required (PyTorch's implicit choice of dim is deprecated); pass -1 for the last dimension");
    expect(() => F.logSoftmax(z, 1.5)).toThrow("logSoftmax: dim must be an integer, got 1.5");
    expect(() => new LogSoftmax(undefined as never)).toThrow(/LogSoftmax: dim is required/);
  });

  it("accept inplace false and refuse inplace true with a clear message", () => {
    expect(values(F.relu(x, false))).toEqual(values(F.relu(x)));
    expect(() => F.relu(x, true)).toThrow("relu: inplace=true is not supported (tapegrad returns a new tensor); drop the option or pass false");
    expect(() => F.leakyRelu(x, 0.1, true)).toThrow(/leakyRelu: inplace=true is not supported/);
    expect(() => F.elu(x, 1, true)).toThrow(/elu: inplace=true/);
    expect(() => F.silu(x, true)).toThrow(/silu: inplace=true/);
    expect(() => F.silu(x, "no" as never)).toThrow("silu: inplace must be true or false, got \"no\"");
    expect(() => F.tanh([1, 2] as never)).toThrow(DataError);
  });
});

describe("activation modules", () => {
  it("accept inplace false and refuse inplace true, naming the layer", () => {
    expect(() => new ReLU({ inplace: false })).not.toThrow();
    expect(() => new ReLU({ inplace: true })).toThrow("ReLU: inplace=true is not supported (tapegrad returns a new tensor); drop the option or pass false");
    expect(() => new LeakyReLU(0.1, { inplace: true })).toThrow(/LeakyReLU: inplace=true/);
    expect(() => new ELU(1, { inplace: true })).toThrow(/ELU: inplace=true/);
    expect(() => new SiLU({ inplace: true })).toThrow(/SiLU: inplace=true/);
    expect(() => new SiLU({ inPlace: false } as never)).toThrow(/SiLU: unknown option "inPlace"; did you mean "inplace"\?/);
  });

  it("check their settings", () => {
    expect(() => new GELU({ approximate: "erf" as never })).toThrow('GELU: approximate must be "none" or "tanh", got "erf"');
    expect(() => new LeakyReLU("0.1" as never)).toThrow(/LeakyReLU: negativeSlope must be a finite number, got "0.1"/);
    expect(() => new ELU(Number.NaN)).toThrow(/ELU: alpha must be a finite number/);
    expect(() => new Softplus({ beta: 0 })).toThrow(/Softplus: beta must be a finite non-zero number, got 0/);
    expect(() => new Softplus({ betta: 2 } as never)).toThrow(/did you mean "beta"\?/);
  });

  it("Softplus takes its settings as PyTorch's positional arguments or as options", () => {
    const x = tensor([-1, 0.3, 2]);
    expect(new Softplus(2, 1).forward(x).toArray()).toEqual(new Softplus({ beta: 2, threshold: 1 }).forward(x).toArray());
  });

  it("print as PyTorch does, in camelCase", () => {
    expect(String(new GELU())).toBe("GELU(approximate='none')");
    expect(String(new GELU({ approximate: "tanh" }))).toBe("GELU(approximate='tanh')");
    expect(String(new LeakyReLU())).toBe("LeakyReLU(negativeSlope=0.01)");
    expect(String(new ELU(0.5))).toBe("ELU(alpha=0.5)");
    expect(String(new SiLU())).toBe("SiLU()");
    expect(String(new Softplus())).toBe("Softplus(beta=1, threshold=20)");
    expect(String(new LogSoftmax(1))).toBe("LogSoftmax(dim=1)");
    expect(String(new ReLU())).toBe("ReLU()");
    expect(String(new Identity())).toBe("Identity()");
  });
});
