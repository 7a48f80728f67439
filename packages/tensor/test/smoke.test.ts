import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NDArray, kernels } from "@tapegrad/tensor";

describe("smoke", () => {
  it("sum of a transposed view equals the sum of its copy", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 6, maxLength: 6 }), (values) => {
        const a = NDArray.from(Float64Array.from(values), [2, 3]);
        const t = a.transpose(0, 1);
        expect(kernels.sum(t, 0).toArray()).toEqual(kernels.sum(t.clone(), 0).toArray());
      }),
    );
  });
});
