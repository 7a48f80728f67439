import { DataError, Tensor, avgPool1d, avgPool2d, maxPool1d, maxPool2d, type SizeArg } from "@tapegrad/autograd";
import { ShapeError, formatShape } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { checkOptions, optionalBoolean } from "../options.js";

/** Options of MaxPool1d and MaxPool2d, as torch.nn.MaxPool2d's keywords. */
export interface MaxPoolLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit −∞ on both sides, at most half the kernel size (default 0). */
  padding?: SizeArg;
  /** Spacing between the window's taps (default 1). */
  dilation?: SizeArg;
  /** Round the output size up, so a last partial window counts (default false). */
  ceilMode?: boolean;
}

/** Options of AvgPool1d and AvgPool2d, as torch.nn.AvgPool2d's keywords. */
export interface AvgPoolLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: SizeArg | null;
  /** Implicit zeros on both sides, at most half the kernel size (default 0). */
  padding?: SizeArg;
  /** Round the output size up, so a last partial window counts (default false). */
  ceilMode?: boolean;
  /** Count the padding's zeros in each window's size (default true). */
  countIncludePad?: boolean;
  /** Divide each window's sum by this instead (AvgPool2d only; default none). */
  divisorOverride?: number | null;
}

const show = (v: SizeArg) => (typeof v === "number" ? String(v) : `[${v.join(", ")}]`);

/** Refuses a tensor that is not [N, C, ...spatial] or [C, ...spatial]. */
function checkInput(layer: string, x: unknown, dims: number): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new DataError(`${layer}.forward: expected a Tensor`);
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    const spatial = dims === 1 ? "L" : "H, W";
    throw new ShapeError(`${layer}: expected input [N, C, ${spatial}] or [C, ${spatial}], got ${formatShape(x.shape)}`);
  }
}

/** A size as a tuple of `dims` integers ≥ `min`, or a DataError naming the layer and the option. */
function sizes(layer: string, name: string, value: unknown, dims: number, min: number): number[] {
  const values = typeof value === "number" ? new Array<number>(dims).fill(value) : Array.isArray(value) && value.length === dims ? (value as unknown[]) : null;
  if (values === null || !values.every((v) => typeof v === "number" && Number.isInteger(v) && v >= min)) {
    throw new DataError(`${layer}: ${name} must be ${min === 0 ? "a non-negative" : "a positive"} integer or an array of ${dims}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return values as number[];
}

/** Checks a pooling layer's sizes when it is built, as PyTorch checks them when it runs: padding at most half the kernel. */
function checkSizes(layer: string, dims: number, kernelSize: unknown, stride: unknown, padding: unknown, dilation: unknown): void {
  const kernel = sizes(layer, "kernelSize", kernelSize, dims, 1);
  sizes(layer, "stride", stride, dims, 1);
  sizes(layer, "dilation", dilation, dims, 1);
  const pads = sizes(layer, "padding", padding, dims, 0);
  if (pads.some((p, d) => p > kernel[d]! / 2)) throw new DataError(`${layer}: padding must be at most half the kernel size, got padding ${show(padding as SizeArg)} for kernel ${show(kernelSize as SizeArg)}`);
}

/** Checks a max-pooling layer's options (returnIndices is the functional form's). */
function maxPoolOptions(layer: string, options: MaxPoolLayerOptions): MaxPoolLayerOptions {
  if (options !== null && typeof options === "object" && "returnIndices" in options) {
    throw new DataError(`${layer}: returnIndices is not supported by the layer; call nn.functional.${layer[0]!.toLowerCase()}${layer.slice(1)}(x, kernelSize, { returnIndices: true }) for { values, indices }`);
  }
  return checkOptions(layer, options, ["stride", "padding", "dilation", "ceilMode"]) as MaxPoolLayerOptions;
}

/**
 * What MaxPool1d and MaxPool2d share: options read and checked once, the forward through
 * the functional form of their dimensionality. Exported for the API reference.
 */
export abstract class MaxPoolNd extends Module {
  readonly stride: SizeArg;
  readonly padding: SizeArg;
  readonly dilation: SizeArg;
  readonly ceilMode: boolean;

  /** @throws DataError on an unknown option, a malformed size, padding over half the kernel, or returnIndices (use the functional form). */
  protected constructor(
    private readonly layer: "MaxPool1d" | "MaxPool2d",
    private readonly dims: 1 | 2,
    readonly kernelSize: SizeArg,
    options: MaxPoolLayerOptions,
  ) {
    super();
    const o = maxPoolOptions(layer, options);
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.ceilMode = optionalBoolean(layer, "ceilMode", o.ceilMode, false);
    checkSizes(layer, dims, kernelSize, this.stride, this.padding, this.dilation);
  }

  /**
   * The maximum of each window.
   * @throws ShapeError unless x is [N, C, ...spatial] or [C, ...spatial] with room for a window; DataError on malformed sizes.
   */
  forward(x: Tensor): Tensor {
    checkInput(this.layer, x, this.dims);
    const pool = this.dims === 1 ? maxPool1d : maxPool2d;
    return pool(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }

  /** `kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false`, as PyTorch prints it. */
  override extraRepr(): string {
    return `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}, dilation=${show(this.dilation)}, ceilMode=${this.ceilMode}`;
  }
}

/**
 * Max pooling over the last two dimensions, as torch.nn.MaxPool2d:
 * `[N, C, H, W] → [N, C, oH, oW]` (unbatched `[C, H, W]` too), padding counting as −∞; the
 * gradient goes to the first maximum of each window (nn.functional.maxPool2d).
 */
export class MaxPool2d extends MaxPoolNd {
  /** @throws DataError on an unknown option, a malformed size, padding over half the kernel, or returnIndices (use the functional form). */
  constructor(kernelSize: SizeArg, options: MaxPoolLayerOptions = {}) {
    super("MaxPool2d", 2, kernelSize, options);
  }
}

/**
 * Max pooling along the last dimension, as torch.nn.MaxPool1d: `[N, C, L] → [N, C, oL]`
 * (unbatched `[C, L]` too); see MaxPool2d.
 */
export class MaxPool1d extends MaxPoolNd {
  /** @throws DataError on an unknown option, a malformed size, padding over half the kernel, or returnIndices (use the functional form). */
  constructor(kernelSize: SizeArg, options: MaxPoolLayerOptions = {}) {
    super("MaxPool1d", 1, kernelSize, options);
  }
}

/**
 * Average pooling over the last two dimensions, as torch.nn.AvgPool2d:
 * `[N, C, H, W] → [N, C, oH, oW]` (unbatched `[C, H, W]` too), each window's sum divided by
 * its size with the padding (countIncludePad, the default) or without, or by divisorOverride.
 */
export class AvgPool2d extends Module {
  readonly stride: SizeArg;
  readonly padding: SizeArg;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  /** @throws DataError on an unknown option, a malformed size or padding over half the kernel. */
  constructor(
    readonly kernelSize: SizeArg,
    options: AvgPoolLayerOptions = {},
  ) {
    super();
    const o = checkOptions("AvgPool2d", options, ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"]) as AvgPoolLayerOptions;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = optionalBoolean("AvgPool2d", "ceilMode", o.ceilMode, false);
    this.countIncludePad = optionalBoolean("AvgPool2d", "countIncludePad", o.countIncludePad, true);
    checkSizes("AvgPool2d", 2, kernelSize, this.stride, this.padding, 1);
    this.divisorOverride = o.divisorOverride ?? null;
  }

  /**
   * The mean of each window.
   * @throws ShapeError unless x is [N, C, H, W] or [C, H, W] with room for a window; DataError on malformed sizes.
   */
  forward(x: Tensor): Tensor {
    checkInput("AvgPool2d", x, 2);
    const { stride, padding, ceilMode, countIncludePad, divisorOverride } = this;
    return avgPool2d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride });
  }

  /** `kernelSize=2, stride=2, padding=0`, as PyTorch prints it. */
  override extraRepr(): string {
    return `kernelSize=${show(this.kernelSize)}, stride=${show(this.stride)}, padding=${show(this.padding)}`;
  }
}

/**
 * Average pooling along the last dimension, as torch.nn.AvgPool1d: `[N, C, L] → [N, C, oL]`
 * (unbatched `[C, L]` too); see AvgPool2d (no divisorOverride, as in PyTorch).
 */
export class AvgPool1d extends Module {
  readonly stride: SizeArg;
  readonly padding: SizeArg;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  /** @throws DataError on an unknown option, a malformed size or padding over half the kernel. */
  constructor(
    readonly kernelSize: SizeArg,
    options: Omit<AvgPoolLayerOptions, "divisorOverride"> = {},
  ) {
    super();
    const o = checkOptions("AvgPool1d", options, ["stride", "padding", "ceilMode", "countIncludePad"]) as AvgPoolLayerOptions;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.ceilMode = optionalBoolean("AvgPool1d", "ceilMode", o.ceilMode, false);
    this.countIncludePad = optionalBoolean("AvgPool1d", "countIncludePad", o.countIncludePad, true);
    checkSizes("AvgPool1d", 1, kernelSize, this.stride, this.padding, 1);
  }

  /**
   * The mean of each window.
   * @throws ShapeError unless x is [N, C, L] or [C, L] with room for a window; DataError on malformed sizes.
   */
  forward(x: Tensor): Tensor {
    checkInput("AvgPool1d", x, 1);
    const { stride, padding, ceilMode, countIncludePad } = this;
    return avgPool1d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad });
  }

  /** `kernelSize=[2], stride=[2], padding=[0]`, as PyTorch prints it (one-element tuples). */
  override extraRepr(): string {
    const one = (v: SizeArg) => (typeof v === "number" ? `[${v}]` : show(v));
    return `kernelSize=${one(this.kernelSize)}, stride=${one(this.stride)}, padding=${one(this.padding)}`;
  }
}
