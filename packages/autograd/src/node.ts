import { formatShape } from "@tapegrad/tensor";
import { AutogradError } from "./errors.js";
import { isAnomalyEnabled } from "./modes.js";
import type { OpSpec } from "./op.js";
import type { Tensor } from "./tensor.js";

/** What an op's VJP may read: what it declared it saves, its parameters and the shapes. */
export interface VjpContext<P> {
  /** The inputs the op declared in `save`; undefined at the other positions. */
  readonly inputs: readonly (Tensor | undefined)[];
  /** The op's output. @throws AutogradError when the op did not declare `output` in `save`. */
  readonly output: Tensor;
  readonly params: P;
  /** needsGrad[i] is false when input i needs no gradient in this backward, so the VJP may skip it. */
  readonly needsGrad: readonly boolean[];
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  /** What the forward kept with `context.keep`. */
  readonly kept: unknown;
}

/** What the engine tells a VJP about the gradient it receives. */
export interface VjpInfo {
  /**
   * True when nothing but this VJP holds g's memory: the engine saw it born during this
   * backward, returned once, with no hook, trace, capture or recorded graph watching. The
   * VJP may then write its result into g instead of allocating.
   */
  readonly ownsGrad: boolean;
}

/** Where a node sends an input's gradient: to the node that made it, or into a leaf's `.grad`. */
export interface Edge {
  /** The node that produced the input, when the input is not a leaf. */
  readonly node: Node | null;
  /** The input itself, when it is a leaf that requires grad. */
  readonly leaf: Tensor | null;
}

const NOTHING: readonly number[] = [];

// A WeakMap, not WeakRefs: a WeakRef keeps its target alive until the current job ends,
// which in a synchronous training loop would be every batch of the whole loop.
const constantIds = new WeakMap<Tensor, number>();
let nextConstantId = 1;

/**
 * A number that identifies `t` for as long as it lives, without keeping it alive: how a
 * node remembers which tensor it was given as a constant input (the data X, the targets Y),
 * so that pictures draw one box for it and names find it.
 */
export function constantId(t: Tensor): number {
  let id = constantIds.get(t);
  if (id === undefined) constantIds.set(t, (id = nextConstantId++));
  return id;
}

/** A tensor hook: sees the gradient of a tensor and may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

/**
 * A recorded op on the tape: the edge to each input and what its VJP declared it reads.
 * Edges name producer nodes rather than intermediate tensors, so a node keeps alive only
 * the tensors its VJP needs, and nothing once `release()` drops them.
 */
export class Node {
  /** Edges to the inputs, null for inputs that need no gradient. */
  readonly edges: readonly (Edge | null)[];
  /** Shapes of the inputs and the output, kept after release for traces and errors. */
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  /** Where the op was called from, recorded in anomaly mode. */
  readonly stack: string | undefined;

  /** Hooks registered on the output tensor, run on its summed gradient before the VJP. */
  hooks: GradHook[] | null = null;
  /** The output tensor when it called `retainGrad()`; weak, so retaining pins no memory. */
  retains: WeakRef<Tensor> | null = null;
  /**
   * The inputs that need no gradient (data, targets, indices), so pictures and traces can
   * draw and name them without keeping them alive: the value of a 0-d input (a number
   * operand), the `constantId` of any other; null when every input needs a gradient.
   */
  readonly constants: readonly (number | undefined)[] | null;
  private savedInputs: (Tensor | undefined)[] | null;
  private savedOutput: Tensor | undefined;
  private kept: unknown;
  private readonly savedVersions: readonly number[];
  private readonly outputVersion: number;
  private readonly savesAnything: boolean;

  constructor(
    readonly spec: OpSpec<unknown>,
    inputs: readonly Tensor[],
    output: Tensor,
    readonly params: unknown,
    readonly needsGrad: readonly boolean[],
    kept: unknown,
  ) {
    const n = inputs.length;
    const edges = new Array<Edge | null>(n);
    const inputShapes = new Array<readonly number[]>(n);
    const savedInputs = new Array<Tensor | undefined>(n);
    const savedVersions = new Array<number>(n);
    let constants: (number | undefined)[] | null = null;
    const saves = spec.save ? spec.save(needsGrad, params) : { inputs: inputs.map((_, i) => i), output: true };
    const savedPositions = saves.inputs ?? NOTHING;
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      edges[i] = needsGrad[i] ? { node: t.gradFn, leaf: t.gradFn === null ? t : null } : null;
      if (!needsGrad[i]) (constants ??= new Array(n))[i] = t.ndim === 0 ? t.item() : constantId(t);
      inputShapes[i] = t.shape;
      const kept = savedPositions.includes(i);
      savedInputs[i] = kept ? t : undefined;
      savedVersions[i] = kept ? t.version : 0;
    }
    this.edges = edges;
    this.constants = constants;
    this.inputShapes = inputShapes;
    this.outputShape = output.shape;
    this.savedInputs = savedInputs;
    this.savedVersions = savedVersions;
    this.savedOutput = saves.output ? output : undefined;
    this.outputVersion = output.version;
    this.kept = kept;
    this.savesAnything = savedPositions.length > 0 || saves.output === true || kept !== undefined;
    this.stack = isAnomalyEnabled() ? new Error().stack?.split("\n").slice(3).join("\n") : undefined;
  }

  /** The op's name, e.g. `matmul`. */
  get name(): string {
    return this.spec.name;
  }

  /** True once backward has freed what the VJP saved (a node that saves nothing is never freed). */
  get released(): boolean {
    return this.savedInputs === null;
  }

  /** Drops the saved tensors so their memory can be reclaimed. */
  release(): void {
    if (!this.savesAnything) return;
    this.savedInputs = null;
    this.savedOutput = undefined;
    this.kept = undefined;
  }

  /** The saved tensors, for traces and pictures: inputs by position, then the output. */
  savedTensors(): { inputs: readonly (Tensor | undefined)[]; output: Tensor | undefined } {
    return { inputs: this.savedInputs ?? [], output: this.savedOutput };
  }

  /**
   * Names the saved tensor that was modified in place since this node recorded it
   * ("input 1", "its output"), or returns null when all are as they were.
   */
  modifiedSaved(): string | null {
    const inputs = this.savedInputs;
    if (!inputs) return null;
    const input = inputs.findIndex((t, i) => t !== undefined && t.version !== this.savedVersions[i]);
    if (input >= 0) return `input ${input} (shape ${formatShape(this.inputShapes[input]!)}, now at version ${inputs[input]!.version})`;
    if (this.savedOutput && this.savedOutput.version !== this.outputVersion) return `its output (shape ${formatShape(this.outputShape)})`;
    return null;
  }

  /** The VJP's view of what was saved; needsGrad narrowed to the edges this backward needs. */
  context(needsGrad: readonly boolean[]): VjpContext<unknown> {
    return new SavedContext(this, this.savedInputs ?? [], this.savedOutput, needsGrad, this.kept);
  }

  /** Describes the node for error messages: `mul([3,4], [4])`. */
  describe(): string {
    return `${this.name}(${this.inputShapes.map(formatShape).join(", ")})`;
  }
}

// A class rather than an object literal with a getter: the literal made fresh closures on
// every VJP call, and V8 then promoted them by the thousand into the old space (a full
// collection every few hundred backward passes on a small network).
class SavedContext implements VjpContext<unknown> {
  readonly params: unknown;
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];

  constructor(
    private readonly node: Node,
    readonly inputs: readonly (Tensor | undefined)[],
    private readonly savedOutput: Tensor | undefined,
    readonly needsGrad: readonly boolean[],
    readonly kept: unknown,
  ) {
    this.params = node.params;
    this.inputShapes = node.inputShapes;
    this.outputShape = node.outputShape;
  }

  get output(): Tensor {
    if (this.savedOutput === undefined) throw new AutogradError(`${this.node.name}: its VJP read the output, which the op does not declare in save`);
    return this.savedOutput;
  }
}
