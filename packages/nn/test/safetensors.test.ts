import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DataError, tensor } from "@tapegrad/autograd";
import { Dense, ReLU, Sequential, decodeStateDict, encodeStateDict, loadSafetensors, saveSafetensors } from "../src/index.js";

// Files written from torch tensors with the safetensors layout by safetensors_fixtures() in
// scripts/torch-fixtures.py; expected values are float64 bit patterns (hex), so -0, ±∞ and
// NaN are exact too.
const fixtures = new URL("./fixtures/", import.meta.url);
const file = (name: string) => new URL(name, fixtures).pathname;
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, fixtures)));
const expected = JSON.parse(readFileSync(new URL("torch-safetensors.json", fixtures), "utf8")) as {
  dtypes: Record<string, { dtype: string; shape: number[]; bits: string[] }>;
  rounding: { float64Bits: string[] };
  sequential: { keys: string[]; input: number[][]; outputBits: string[] };
};

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}
const sequential = () => new Sequential(new Dense(2, 3), new ReLU(), new Dense(3, 1));

describe("loadSafetensors reads what PyTorch wrote", () => {
  const loaded = loadSafetensors(file("torch-dtypes.safetensors"));

  it("holds every tensor of the file", () => {
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(expected.dtypes).sort());
  });

  it.each(Object.entries(expected.dtypes))("%s widens exactly to float64 (-0, subnormals, ±∞, NaN included)", (name, want) => {
    const t = loaded[name]!;
    expect(t.shape).toEqual(want.shape);
    const values = Array.from(t.toFloat64Array());
    want.bits.map(fromBits).forEach((w, i) => {
      if (Number.isNaN(w)) expect(values[i]).toBeNaN();
      else expect(Object.is(values[i], w), `${name}[${i}]: ${values[i]} vs ${w}`).toBe(true);
    });
  });

  it("a float32 torch.nn.Sequential state dict loads into the same tapegrad Sequential and gives torch's output", () => {
    const state = loadSafetensors(file("torch-sequential-f32.safetensors"));
    expect(Object.keys(state).sort()).toEqual([...expected.sequential.keys].sort());
    const model = sequential();
    model.loadStateDict(state);
    const output = (model.forward(tensor(expected.sequential.input)).toArray() as number[][]).flat();
    // torch computed in float32, tapegrad in float64 from the same float32 weights.
    expected.sequential.outputBits.map(fromBits).forEach((w, i) => expect(Math.abs(output[i]! - w)).toBeLessThan(1e-6 * Math.max(1, Math.abs(w))));
  });
});

describe("saveSafetensors({ dtype: 'F32' }) writes what PyTorch writes", () => {
  it("rounds float64 to nearest float32 as torch's .to(float32): ties to even, tiny to 0 or the least subnormal, huge to ∞", () => {
    const values = Float64Array.from(expected.rounding.float64Bits.map(fromBits));
    const ours = encodeStateDict({ x: tensor(values) }, { dtype: "F32" });
    expect(Buffer.from(ours).equals(Buffer.from(bytesOf("torch-rounding-f32.safetensors")))).toBe(true);
  });

  it("a torch float32 state dict, loaded and written again as F32, gives the file byte for byte", () => {
    const torchFile = bytesOf("torch-sequential-f32.safetensors");
    const again = encodeStateDict(decodeStateDict(torchFile), { dtype: "F32" });
    expect(Buffer.from(again).equals(Buffer.from(torchFile))).toBe(true);
  });

  it("tapegrad's F32 file for a Sequential is the committed file that PyTorch loads (check_tapegrad_safetensors)", () => {
    const model = new Sequential(new Dense(2, 3, { seed: 7 }), new ReLU(), new Dense(3, 1, { seed: 8 }));
    const bytes = encodeStateDict(model.stateDict(), { dtype: "F32" });
    expect(Buffer.from(bytes).equals(Buffer.from(bytesOf("tapegrad-sequential-f32.safetensors")))).toBe(true);
    const recorded = JSON.parse(readFileSync(new URL("tapegrad-sequential-f32.json", fixtures), "utf8")) as { input: number[][]; output: number[][] };
    const reloaded = sequential();
    reloaded.loadStateDict(decodeStateDict(bytes));
    expect(reloaded.forward(tensor(recorded.input)).toArray()).toEqual(recorded.output);
  });

  it("F32 round trip gives Math.fround of every value (fast-check, seed 12)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 20 }), (xs) => {
        const back = decodeStateDict(encodeStateDict({ w: tensor(xs) }, { dtype: "F32" })).w!.toFloat64Array();
        xs.forEach((x, i) => expect(Object.is(back[i], Math.fround(x))).toBe(true));
      }),
      { seed: 12 },
    );
  });

  it("F64 stays the default and keeps every bit; the file is half the size in F32", () => {
    const dict = { w: tensor([0.1, 1 / 3]) };
    expect(Array.from(decodeStateDict(encodeStateDict(dict)).w!.toFloat64Array())).toEqual([0.1, 1 / 3]);
    expect(encodeStateDict(dict, { dtype: "F32" }).length).toBeLessThan(encodeStateDict(dict).length);
  });

  it("saveSafetensors writes the file and metadata is an option", () => {
    const path = join(mkdtempSync(join(tmpdir(), "tapegrad-")), "m.safetensors");
    saveSafetensors(path, { w: tensor([1.5, 0.1]) }, { dtype: "F32", metadata: { format: "pt" } });
    expect(Array.from(loadSafetensors(path).w!.toFloat64Array())).toEqual([1.5, Math.fround(0.1)]);
    expect(new TextDecoder().decode(readFileSync(path)).includes('"__metadata__":{"format":"pt"}')).toBe(true);
  });
});

describe("safetensors options", () => {
  it("unknown keys and dtypes are errors that say what to write", () => {
    const dict = { w: tensor([1]) };
    expect(() => encodeStateDict(dict, { dtyp: "F32" } as never)).toThrow('encodeStateDict: unknown option "dtyp"; did you mean "dtype"?');
    expect(() => encodeStateDict(dict, { dtype: "float32" } as never)).toThrow('encodeStateDict: dtype must be "F64" or "F32", got "float32"; did you mean "F32"?');
    expect(() => saveSafetensors("/nonexistent/x", dict, { dtype: "F16" } as never)).toThrow(DataError);
    // The old positional metadata record is caught rather than silently ignored.
    expect(() => encodeStateDict(dict, { note: "x" } as never)).toThrow(/unknown option "note"/);
  });
});
