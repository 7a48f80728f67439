import { formatShape, type NDArray } from "@tapegrad/tensor";
import { checkFinite, isAnomalyEnabled, isGradEnabled } from "./modes.js";
import { Node, type VjpContext, type VjpInfo } from "./node.js";
import { Tensor } from "./tensor.js";

/** What an op's VJP reads, declared so that nothing else is kept alive until backward. */
export interface Saves {
  /** Positions of the inputs the VJP reads. */
  readonly inputs?: readonly number[];
  /** Whether the VJP reads the op's output. */
  readonly output?: boolean;
}

/**
 * The saves of a product of two inputs (mul, matmul, linear's x and W), where each input's
 * gradient reads the other: input 1 is kept when input 0 needs a gradient, and vice versa.
 */
export function savesOther([needs0, needs1]: readonly boolean[]): Saves {
  return { inputs: needs0 && needs1 ? [0, 1] : needs0 ? [1] : needs1 ? [0] : [] };
}

/** What an op's forward may use besides its inputs and parameters. */
export interface ForwardContext {
  /**
   * Contiguous memory of the output's shape to write the result into (the engine passes a
   * gradient it owns to backward ops); a forward may ignore it and allocate.
   */
  readonly out: NDArray | undefined;
  /** True when the op will be recorded: values kept for backward are worth computing. */
  readonly recording: boolean;
  /** Keeps values the forward computed (BatchNorm's mean and 1/σ, max-pool's argmax) for the VJP. */
  keep(values: unknown): void;
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
  /**
   * What the VJP reads, given which inputs need a gradient. Every built-in op declares it;
   * when omitted, every input and the output are saved (safe for ops written outside).
   */
  readonly save?: (needsGrad: readonly boolean[], params: P) => Saves;
  /** Positions of inputs that never get a gradient (indices, masks, conditions). */
  readonly nondifferentiable?: readonly number[];
  /** True when the output is a view sharing input 0's memory (checked by the op-registry tests). */
  readonly view?: boolean;
  /**
   * True when the VJP hands its gradient to user code that may keep it (a module's backward
   * hooks): the engine then never writes into g, nor into what the VJP returns.
   */
  readonly handsGradToUser?: boolean;
  readonly forward: (inputs: readonly NDArray[], params: P, context: ForwardContext) => NDArray;
  /** The VJP, or null for an op without a derivative (argmax, comparisons, floor): its output never requires grad. */
  readonly vjp: ((g: Tensor, context: VjpContext<P>, info: VjpInfo) => readonly (Tensor | null)[]) | null;
}

/** An op ready to call on tensors: `op([a, b], params)`, optionally writing into `out`. */
export type Op<P> = ((inputs: readonly Tensor[], params: P, out?: NDArray) => Tensor) & { readonly spec: OpSpec<P> };

const registry = new Map<string, OpSpec<unknown>>();

/** Every op declared with defineOp, by name: what the op-registry tests iterate. */
export function registeredOps(): ReadonlyMap<string, OpSpec<unknown>> {
  return registry;
}

/**
 * Declares an op: the returned function runs the forward and, when grad mode is on and an
 * input requires grad, records a Node holding the VJP and what it declared it saves. This
 * is the only place ops touch the tape.
 * @throws Error when an op of the same name was declared already.
 */
export function defineOp<P = undefined>(spec: OpSpec<P>): Op<P> {
  if (registry.has(spec.name)) throw new Error(`defineOp: an op named ${JSON.stringify(spec.name)} exists already`);
  registry.set(spec.name, spec as OpSpec<unknown>);
  const nondifferentiable = spec.nondifferentiable ?? [];
  const differentiable = spec.vjp !== null;
  // Plain loops: an op call is the unit of overhead on small networks, where the arrays are
  // small enough that closures and intermediate arrays show up in the step time.
  const op = (inputs: readonly Tensor[], params: P, out?: NDArray): Tensor => {
    const n = inputs.length;
    const arrays = new Array<NDArray>(n);
    const needsGrad = differentiable && isGradEnabled() ? new Array<boolean>(n) : null;
    let recording = false;
    for (let i = 0; i < n; i++) {
      const t = inputs[i]!;
      arrays[i] = t.array;
      if (needsGrad === null) continue;
      const needs = t.requiresGrad && (nondifferentiable.length === 0 || !nondifferentiable.includes(i));
      needsGrad[i] = needs;
      recording ||= needs;
    }
    const context = new Forwarding(out, recording);
    const output = new Tensor(spec.forward(arrays, params, context));
    if (isAnomalyEnabled()) checkFinite(output.array, () => `${spec.name}(${inputs.map((t) => formatShape(t.shape)).join(", ")})`, "forward");
    if (!recording) return output;
    output.attach(new Node(spec as OpSpec<unknown>, inputs, output, params, needsGrad!, context.kept));
    return output;
  };
  return Object.assign(op, { spec });
}

// A class, not an object literal with a closure: one per op call, so it must stay cheap
// for the young generation (see SavedContext in node.ts).
class Forwarding implements ForwardContext {
  kept: unknown = undefined;

  constructor(
    readonly out: NDArray | undefined,
    readonly recording: boolean,
  ) {}

  keep(values: unknown): void {
    this.kept = values;
  }
}
