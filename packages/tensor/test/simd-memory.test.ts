import { describe, expect, it } from "vitest";
import { NDArray, kernels } from "@tapegrad/tensor";

// Its own file, so the kernel's memory is fresh: the first SIMD call of the process must size
// the memory it needs itself, not rely on an earlier matrix product having grown it.
describe("SIMD ReLU on fresh kernel memory", () => {
  it("relu and its backward on 3·10⁶ values as the first wasm calls give the scalar results", () => {
    const size = 3_000_000;
    const x = NDArray.empty([size]);
    for (let i = 0; i < size; i++) x.data[i] = ((i * 7919) % 1000) - 499.5;
    const y = kernels.relu(x);
    let mismatches = 0;
    for (let i = 0; i < size; i++) if (y.data[i] !== Math.max(x.data[i]!, 0)) mismatches++;
    expect(mismatches).toBe(0);
    const g = NDArray.full([size], 2);
    const gx = kernels.passWherePositive(g, x);
    for (let i = 0; i < size; i++) if (gx.data[i] !== (x.data[i]! > 0 ? 2 : 0)) mismatches++;
    expect(mismatches).toBe(0);
  });
});
