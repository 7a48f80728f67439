import { DataError, Tensor, conv1d, conv2d, uniform, type SizeArg } from "@tapegrad/autograd";
import { ShapeError, formatShape, pickGenerator, type Generator, type Seed } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { checkOptions, optionalBoolean } from "../options.js";

/** Options of Conv1d and Conv2d, as torch.nn.Conv2d's keywords. */
export interface ConvLayerOptions {
  /** Step between window positions (default 1). */
  stride?: SizeArg;
  /** Zeros on both sides (default 0), or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: SizeArg | "valid" | "same";
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeArg;
  /** Channel groups, each with its own filters; must divide inChannels and outChannels (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only 'zeros' (the default) is supported; 'reflect', 'replicate' and 'circular' are refused. */
  paddingMode?: "zeros";
  /** Seed for the initial weights; the default generator (manualSeed) is used otherwise. */
  seed?: Seed;
  /** Generator for the initial weights. */
  generator?: Generator;
}

const OPTION_NAMES = ["stride", "padding", "dilation", "groups", "bias", "paddingMode", "seed", "generator"];

/** A size option as a tuple of `dims` integers ≥ `min`, as PyTorch's `_single`/`_pair`. */
function tupleOf(layer: string, name: string, value: unknown, dims: number, min: number): number[] {
  const values = typeof value === "number" ? new Array<number>(dims).fill(value) : Array.isArray(value) && value.length === dims ? (value as unknown[]) : null;
  if (values === null || !values.every((v) => typeof v === "number" && Number.isInteger(v) && v >= min)) {
    const what = min === 0 ? "a non-negative integer" : "a positive integer";
    throw new DataError(`${layer}: ${name} must be ${what} or an array of ${dims}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return values as number[];
}

/**
 * What Conv1d and Conv2d share, as torch.nn.modules.conv._ConvNd: the checked settings,
 * `weight` [outChannels, inChannels/groups, ...kernelSize] and `bias` [outChannels], both
 * initialised as PyTorch does (Kaiming-uniform with a = √5 for the weight, which is
 * U(−1/√fanIn, 1/√fanIn), and U(−1/√fanIn, 1/√fanIn) for the bias, fanIn = inChannels/groups·∏kernelSize).
 * Not constructed directly: use Conv1d or Conv2d.
 */
export abstract class ConvNd extends Module {
  /** Taps of the kernel per spatial dimension. */
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  /** Zeros on each side per spatial dimension, or 'valid' / 'same'. */
  readonly padding: readonly number[] | "valid" | "same";
  readonly dilation: readonly number[];
  readonly groups: number;
  readonly paddingMode = "zeros";
  /** [outChannels, inChannels/groups, ...kernelSize]. */
  weight: Parameter;
  /** [outChannels], or null without bias. */
  bias: Parameter | null;

  protected constructor(
    private readonly layer: string,
    dims: number,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: SizeArg,
    options: ConvLayerOptions,
  ) {
    super();
    for (const [name, v] of [["inChannels", inChannels], ["outChannels", outChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new DataError(`${layer}: ${name} must be a positive integer, got ${v}`);
    }
    const o = checkOptions(layer, options, OPTION_NAMES) as ConvLayerOptions;
    if (o.paddingMode !== undefined && o.paddingMode !== "zeros") {
      throw new DataError(`${layer}: paddingMode ${JSON.stringify(o.paddingMode)} is not supported; only "zeros" is (pad the input yourself for reflect, replicate or circular padding)`);
    }
    this.kernelSize = tupleOf(layer, "kernelSize", kernelSize, dims, 1);
    this.stride = tupleOf(layer, "stride", o.stride ?? 1, dims, 1);
    this.dilation = tupleOf(layer, "dilation", o.dilation ?? 1, dims, 1);
    const padding = o.padding ?? 0;
    if (padding === "valid" || padding === "same") {
      if (padding === "same" && this.stride.some((s) => s !== 1)) throw new DataError(`${layer}: padding 'same' is not supported for strided convolutions (stride ${JSON.stringify(this.stride)})`);
      this.padding = padding;
    } else if (typeof padding === "string") {
      throw new DataError(`${layer}: padding must be a number, an array of ${dims}, 'valid' or 'same', got ${JSON.stringify(padding)}`);
    } else this.padding = tupleOf(layer, "padding", padding, dims, 0);
    const groups = o.groups ?? 1;
    if (typeof groups !== "number" || !Number.isInteger(groups) || groups <= 0) throw new DataError(`${layer}: groups must be a positive integer, got ${String(groups)}`);
    if (inChannels % groups !== 0) throw new DataError(`${layer}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0) throw new DataError(`${layer}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    this.groups = groups;
    const bias = optionalBoolean(layer, "bias", o.bias, true);
    const fanIn = (inChannels / groups) * this.kernelSize.reduce((a, b) => a * b, 1);
    // kaiming_uniform_(a=√5): gain √(2 / (1 + a²)) = √(1/3), bound √3·gain/√fanIn = 1/√fanIn.
    const gain = Math.sqrt(2 / (1 + 5));
    const weightBound = (Math.sqrt(3) * gain) / Math.sqrt(fanIn);
    const biasBound = 1 / Math.sqrt(fanIn);
    const random = { generator: pickGenerator(o, layer) };
    this.weight = new Parameter(uniform([outChannels, inChannels / groups, ...this.kernelSize], -weightBound, weightBound, random));
    this.bias = bias ? new Parameter(uniform([outChannels], -biasBound, biasBound, random)) : null;
  }

  /** Refuses an input that is not [N, C, ...spatial] or [C, ...spatial] with C = inChannels. */
  protected checkInput(x: Tensor, spatial: string): void {
    if (!(x instanceof Tensor)) throw new DataError(`${this.layer}.forward: expected a Tensor`);
    const dims = this.kernelSize.length;
    if ((x.ndim !== dims + 1 && x.ndim !== dims + 2) || x.shape[x.ndim - dims - 1] !== this.inChannels) {
      throw new ShapeError(`${this.layer}: expected input [N, ${this.inChannels}, ${spatial}] or [${this.inChannels}, ${spatial}], got ${formatShape(x.shape)}`);
    }
  }

  /** The functional form's options. */
  protected get settings() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  /** As PyTorch prints it: `1, 6, kernelSize=[5, 5], stride=[1, 1]`, then what differs from the defaults. */
  override extraRepr(): string {
    const list = (v: readonly number[]) => `[${v.join(", ")}]`;
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=${list(this.kernelSize)}, stride=${list(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${list(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${list(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=false";
    return s;
  }
}

/**
 * A 2-D convolution layer, as torch.nn.Conv2d: `[N, inChannels, H, W] → [N, outChannels, oH, oW]`
 * (unbatched `[inChannels, H, W]` too), oH = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
 * `weight` is [outChannels, inChannels/groups, kH, kW], `bias` [outChannels]. Runs as
 * im2col plus GEMMs (nn.functional.conv2d).
 */
export class Conv2d extends ConvNd {
  /**
   * @throws DataError when a channel count or size is not a positive integer, groups does
   *   not divide the channels, padding 'same' meets a stride, paddingMode is not 'zeros',
   *   or on an unknown option.
   */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super("Conv2d", 2, inChannels, outChannels, kernelSize, options);
  }

  /**
   * The convolution of x with the layer's filters, plus the bias.
   * @throws ShapeError unless x is [N, inChannels, H, W] or [inChannels, H, W] with room for the kernel.
   */
  forward(x: Tensor): Tensor {
    this.checkInput(x, "H, W");
    return conv2d(x, this.weight, this.bias, this.settings);
  }
}

/**
 * A 1-D convolution layer, as torch.nn.Conv1d: `[N, inChannels, L] → [N, outChannels, oL]`
 * (unbatched `[inChannels, L]` too). `weight` is [outChannels, inChannels/groups, k],
 * `bias` [outChannels].
 */
export class Conv1d extends ConvNd {
  /**
   * @throws DataError when a channel count or size is not a positive integer, groups does
   *   not divide the channels, padding 'same' meets a stride, paddingMode is not 'zeros',
   *   or on an unknown option.
   */
  constructor(inChannels: number, outChannels: number, kernelSize: SizeArg, options: ConvLayerOptions = {}) {
    super("Conv1d", 1, inChannels, outChannels, kernelSize, options);
  }

  /**
   * The convolution of x with the layer's filters, plus the bias.
   * @throws ShapeError unless x is [N, inChannels, L] or [inChannels, L] with room for the kernel.
   */
  forward(x: Tensor): Tensor {
    this.checkInput(x, "L");
    return conv1d(x, this.weight, this.bias, this.settings);
  }
}
