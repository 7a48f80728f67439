import { formatShape, type NDArray } from "@tapegrad/tensor";
import { AnomalyError } from "./errors.js";
import { isAnomalyEnabled } from "./anomaly-mode.js";
import { isGradEnabled } from "./grad-mode.js";
import { Tensor } from "./tensor.js";

/** What an op's VJP may read: its inputs, its output and its non-tensor parameters. */
export interface OpContext<P> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly params: P;
  /** needsGrad[i] is false when input i needs no gradient, so the VJP may skip it. */
  readonly needsGrad: readonly boolean[];
}

/** What the engine tells a VJP about the gradient it receives. */
export interface VjpInfo {
  /**
   * True when nothing but this VJP holds g's memory: it was made during this backward by
   * a VJP that marked it as scratch (`scratchGradient`) and was sent to this node alone,
   * and no trace, capture or recorded graph is watching. The VJP may then write its
   * result into g instead of allocating.
   */
  readonly gradIsScratch: boolean;
}

/**
 * One op: its name, its forward (tensor kernels on arrays) and its vector-Jacobian
 * product (differentiable Tensor ops, so gradients of gradients work). The VJP may return
 * a gradient in the output's broadcast shape: the engine sums it back to the input's shape.
 */
export interface OpSpec<P> {
  readonly name: string;
  /** The VJP in mathematical notation, as traces show it, e.g. `∂a = g·b, ∂b = g·a`. */
  readonly rule: string;
  readonly forward: (inputs: readonly NDArray[], params: P) => NDArray;
  readonly vjp: (g: Tensor, context: OpContext<P>, info: VjpInfo) => readonly (Tensor | null)[];
}

/** Where a node sends an input's gradient: to the node that made it, or into a leaf's `.grad`. */
export interface Edge {
  /** The node that produced the input, when the input is not a leaf. */
  readonly node: Node | null;
  /** The input itself, when it is a leaf that requires grad. */
  readonly leaf: Tensor | null;
}

/**
 * A recorded op on the tape: the edge to each input and what its VJP needs. Edges name
 * producer nodes rather than intermediate tensors, so once `release()` drops the context
 * no activation stays alive through the graph.
 */
export class Node {
  /** Edges to the inputs, null for inputs that need no gradient. */
  readonly edges: readonly (Edge | null)[];
  /** Shapes of the inputs and the output, kept after release for traces and errors. */
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  /** Versions of the inputs when recorded, to detect in-place changes before backward. */
  private readonly versions: readonly number[];
  private readonly outputVersion: number;
  /** The VJP's saved inputs, output and parameters; null once released. */
  context: OpContext<unknown> | null;
  /** Where the op was called from, recorded in anomaly mode. */
  readonly stack: string | undefined;

  constructor(
    readonly spec: OpSpec<unknown>,
    context: OpContext<unknown>,
  ) {
    this.context = context;
    this.edges = context.inputs.map((t, i) =>
      context.needsGrad[i] ? { node: t.gradFn, leaf: t.gradFn === null ? t : null } : null,
    );
    this.inputShapes = context.inputs.map((t) => t.shape);
    this.outputShape = context.output.shape;
    this.versions = context.inputs.map((t) => t.version);
    this.outputVersion = context.output.version;
    this.stack = isAnomalyEnabled() ? new Error().stack?.split("\n").slice(3).join("\n") : undefined;
  }

  /** The op's name, e.g. `matmul`. */
  get name(): string {
    return this.spec.name;
  }

  /** True once backward has freed what the VJP saved. */
  get released(): boolean {
    return this.context === null;
  }

  /** Drops the saved tensors so their memory can be reclaimed. */
  release(): void {
    this.context = null;
  }

  /**
   * Names the saved tensor that was modified in place since this node recorded it
   * ("input 1", "its output"), or returns null when all are as they were.
   */
  modifiedSaved(): string | null {
    const context = this.context;
    if (!context) return null;
    const input = context.inputs.findIndex((t, i) => t.version !== this.versions[i]);
    if (input >= 0) return `input ${input} (shape ${formatShape(this.inputShapes[input]!)}, now at version ${context.inputs[input]!.version})`;
    if (context.output.version !== this.outputVersion) return `its output (shape ${formatShape(this.outputShape)})`;
    return null;
  }

  /** Describes the node for error messages: `mul([3,4], [4])`. */
  describe(): string {
    return `${this.name}(${this.inputShapes.map(formatShape).join(", ")})`;
  }
}

/**
 * A VJP result through a fused kernel during a plain backward, or through differentiable
 * ops while the backward itself is being recorded (`createGraph`), so gradients of
 * gradients still work. The two must compute the same formula in the same order; the
 * tests compare them bit for bit.
 */
export function fusedUnlessRecording(fused: () => NDArray, composite: () => Tensor): Tensor {
  return isGradEnabled() ? composite() : new Tensor(fused());
}

// Buffers of gradients that built-in VJPs made fresh during a plain backward, with the
// backward run that made them. The engine takes the mark off when a node receives the
// buffer (a mark lasts one hop) and lets the receiving VJP write in place only if the
// mark was there and from the running backward. A VJP that passes g on unchanged (add,
// reshape) never re-marks it, so an alias is never overwritten; a gradient that leaves a
// backward (captured, or held by the user) can never be claimed by a later one.
const scratch = new WeakMap<Float64Array, number>();
let currentRun = 0;

/** Starts a backward run's scratch marks, retiring every earlier mark. Returns a function ending the run. */
export function beginScratchRun(): () => void {
  currentRun++;
  return () => {
    currentRun++;
  };
}

/**
 * Marks a gradient a VJP just allocated (and keeps no other reference to) as scratch, so
 * the VJP receiving it may overwrite it; a no-op while the backward is being recorded.
 * Returns the gradient.
 */
export function scratchGradient(g: Tensor): Tensor {
  if (!isGradEnabled()) scratch.set(g.array.data, currentRun);
  return g;
}

/** Takes the scratch mark off g's buffer; true if it was marked in this run and g covers it exactly. */
export function claimScratch(g: Tensor): boolean {
  const data = g.array.data;
  const run = scratch.get(data);
  if (run === undefined) return false;
  scratch.delete(data);
  return run === currentRun && g.array.offset === 0 && data.length === g.size && g.array.isContiguous();
}

/** An op ready to call on tensors: `op([a, b], params)`. */
export type Op<P> = ((inputs: readonly Tensor[], params: P) => Tensor) & { readonly spec: OpSpec<P> };

/**
 * Declares an op: the returned function runs the forward and, when grad mode is on and an
 * input requires grad, records a Node holding the VJP. This is the only place ops touch
 * the tape.
 */
export function defineOp<P = undefined>(spec: OpSpec<P>): Op<P> {
  const op = (inputs: readonly Tensor[], params: P): Tensor => {
    const output = new Tensor(spec.forward(inputs.map((t) => t.array), params));
    // A view shares its input's memory, so it must share its count of in-place changes.
    const base = inputs.find((t) => t.array.data === output.array.data);
    if (base) output.shareVersion(base);
    if (isAnomalyEnabled()) checkFinite(output.array, () => `${spec.name}(${inputs.map((t) => formatShape(t.shape)).join(", ")})`, "forward");
    if (!isGradEnabled()) return output;
    let any = false;
    const needsGrad = inputs.map((t) => {
      const needs = t.requiresGrad;
      any ||= needs;
      return needs;
    });
    if (!any) return output;
    output.attach(new Node(spec as OpSpec<unknown>, { inputs, output, params, needsGrad }));
    return output;
  };
  return Object.assign(op, { spec });
}

/**
 * Throws an AnomalyError when `array` holds NaN or ±Infinity.
 * @param what names the op and shapes, computed only when needed.
 */
export function checkFinite(array: NDArray, what: () => string, phase: "forward" | "backward", stack?: string): void {
  const values = array.values();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      const where = stack ? `\nThe op was created at:\n${stack}` : "";
      throw new AnomalyError(`${what()}: ${phase} produced ${v} at flat index ${i} of shape ${formatShape(array.shape)}${where}`);
    }
  }
}
