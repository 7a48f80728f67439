import { DataError, Tensor } from "@tapegrad/autograd";
import { ShapeError, formatShape } from "@tapegrad/tensor";
import { Module } from "../module.js";

function checkDim(layer: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new DataError(`${layer}: ${name} must be an integer, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

/**
 * Flattens dimensions startDim..endDim (inclusive) into one, as torch.nn.Flatten: with the
 * defaults `[N, C, H, W] → [N, C·H·W]`, the step between a convolutional stack and a dense
 * layer. A view when the layout allows.
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  /** @throws DataError when a dimension is not an integer. */
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = checkDim("Flatten", "startDim", startDim);
    this.endDim = checkDim("Flatten", "endDim", endDim);
  }

  /**
   * x with dimensions startDim..endDim merged.
   * @throws ShapeError when a dimension is out of range for x or startDim comes after endDim.
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new DataError("Flatten.forward: expected a Tensor");
    const n = Math.max(x.ndim, 1);
    const start = this.startDim < 0 ? this.startDim + n : this.startDim;
    const end = this.endDim < 0 ? this.endDim + n : this.endDim;
    if (start < 0 || start >= n || end < 0 || end >= n || start > end) {
      throw new ShapeError(`Flatten: cannot flatten dimensions ${this.startDim}..${this.endDim} of an input ${formatShape(x.shape)}`);
    }
    return x.flatten(start, end);
  }

  /** `startDim=1, endDim=-1`, as PyTorch prints it. */
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/**
 * Splits dimension `dim` into `unflattenedSize`, as torch.nn.Unflatten: e.g.
 * `new Unflatten(1, [16, 4, 4])` takes `[N, 256] → [N, 16, 4, 4]`. One size may be −1, inferred.
 */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];

  /** @throws DataError when dim is not an integer or the sizes are not positive integers (one −1 allowed). */
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    this.dim = checkDim("Unflatten", "dim", dim);
    const sizes = Array.isArray(unflattenedSize) ? unflattenedSize : null;
    if (sizes === null || sizes.length === 0 || !sizes.every((s) => Number.isInteger(s) && (s >= 0 || s === -1)) || sizes.filter((s) => s === -1).length > 1) {
      throw new DataError(`Unflatten: unflattenedSize must be a non-empty array of sizes (one may be -1), got ${JSON.stringify(unflattenedSize)}`);
    }
    this.unflattenedSize = sizes.slice();
  }

  /**
   * x with dimension dim split into unflattenedSize.
   * @throws ShapeError when dim is out of range or the sizes do not multiply to x's size along dim.
   */
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new DataError("Unflatten.forward: expected a Tensor");
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) throw new ShapeError(`Unflatten: dim ${this.dim} is out of range for an input ${formatShape(x.shape)}`);
    const size = x.shape[d]!;
    const known = this.unflattenedSize.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    const inferred = this.unflattenedSize.includes(-1) && known !== 0 && size % known === 0 ? size / known : null;
    const sizes = this.unflattenedSize.map((s) => (s === -1 ? inferred ?? -1 : s));
    if (sizes.includes(-1) || sizes.reduce((a, b) => a * b, 1) !== size) {
      throw new ShapeError(`Unflatten: sizes ${formatShape(this.unflattenedSize)} do not fit dimension ${this.dim} of size ${size} in an input ${formatShape(x.shape)}`);
    }
    return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }

  /** `dim=1, unflattenedSize=[2, 3]`, as PyTorch prints it. */
  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=[${this.unflattenedSize.join(", ")}]`;
  }
}
