import { DataError, Tensor } from "@tapegrad/autograd";
import { NDArray } from "@tapegrad/tensor";

/**
 * A tensor that a module owns as a trainable value, as torch.nn.Parameter. A module's
 * parameters are exactly its properties holding a `Parameter` (the type, not the
 * `requiresGrad` flag, decides), so freezing one with `requiresGrad_(false)` keeps it in
 * `parameters()` and in the state dict.
 *
 * The parameter shares memory (and the in-place version counter) with `data` but is always
 * a leaf: wrapping the output of an op cuts it from the graph that made it.
 * @throws DataError when `data` is neither a Tensor nor an NDArray.
 */
export class Parameter extends Tensor {
  // Makes the type nominal: without it a plain Tensor would type-check where a Parameter
  // is declared (`dense.weight = tensor(…)`), and then be skipped by parameters().
  private declare readonly parameterBrand: true;

  constructor(data: Tensor | NDArray, requiresGrad = true) {
    if (!(data instanceof Tensor) && !(data instanceof NDArray)) {
      throw new DataError(`Parameter: expected a Tensor or an NDArray, got ${data === null ? "null" : typeof data}`);
    }
    // Sharing the array shares its Storage, so in-place writes through either handle
    // bump the one version counter that graphs saving the other check.
    super(data instanceof Tensor ? data.array : data, { requiresGrad: requiresGrad === true });
  }

  /** Shape and values, for logs; says Parameter so a printout tells it from a plain tensor. */
  override toString(): string {
    return `Parameter${super.toString().slice("Tensor".length)}`;
  }
}
