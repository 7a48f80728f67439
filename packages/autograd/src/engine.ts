import { NDArray, formatShape, sameShape } from "@tapegrad/tensor";
import { AutogradError } from "./errors.js";
import { isAnomalyEnabled, withAnomalyMode } from "./anomaly-mode.js";
import { withGradMode } from "./grad-mode.js";
import { beginScratchRun, checkFinite, claimScratch, type Node } from "./node.js";
import { sumTo } from "./ops/shape.js";
import { Tensor } from "./tensor.js";

/** Options of `backward`, as in PyTorch. */
export interface BackwardOptions {
  /** Keep the saved tensors so backward can run through the same graph again. */
  retainGraph?: boolean;
  /** Record the VJPs themselves, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

/** What one VJP step did, reported to an observer (traces are built from this). */
export interface VjpStep {
  readonly node: Node;
  /** Gradient of the node's output. */
  readonly gradOutput: Tensor;
  /** Gradient sent to each input, already summed back to the input's shape (null: none). */
  readonly gradInputs: readonly (Tensor | null)[];
  /** For each input, the dimensions of the VJP's result that broadcasting summed away. */
  readonly reducedDims: readonly (readonly number[])[];
}

/** Options of runBackward: backward's options plus capturing and observing. */
export interface RunOptions extends BackwardOptions {
  /** When given, gradients of these tensors are returned instead of accumulated into `.grad`. */
  capture?: readonly Tensor[];
  /** Called after each VJP, in the order they run. */
  observer?: (step: VjpStep) => void;
}

/**
 * Nodes reachable from `roots`, each after every node that consumes its output: the tape
 * in the order backward must read it. Iterative, so deep graphs do not overflow the stack.
 */
export function topologicalOrder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>();
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edges = top.node.edges;
      let pushed = false;
      while (top.next < edges.length) {
        const child = edges[top.next++]?.node;
        if (child && !visited.has(child)) {
          visited.add(child);
          stack.push({ node: child, next: 0 });
          pushed = true;
          break;
        }
      }
      if (!pushed && top.next >= edges.length) {
        order.push(top.node);
        stack.pop();
      }
    }
  }
  // Post-order puts inputs first; backward wants consumers first.
  return order.reverse();
}

/** Dimensions of `from` that sumTo removes or collapses to reach `to`. */
function broadcastDims(from: readonly number[], to: readonly number[]): number[] {
  const lead = from.length - to.length;
  const dims: number[] = [];
  for (let d = 0; d < from.length; d++) if (d < lead || (to[d - lead] === 1 && from[d] !== 1)) dims.push(d);
  return dims;
}

/**
 * The reverse sweep: seeds each root with its gradient, applies every VJP once in
 * reverse topological order, sums gradients of tensors used more than once, reduces
 * broadcast gradients to their input's shape, and accumulates into leaves (or captures
 * the requested gradients). Frees saved tensors unless `retainGraph`.
 */
export function runBackward(roots: readonly Tensor[], rootGrads: readonly Tensor[], options: RunOptions = {}): Map<Tensor, Tensor> {
  const { retainGraph = false, createGraph = false, capture, observer } = options;
  const captured = new Map<Tensor, Tensor>();
  const captureLeaves = new Set<Tensor>();
  const captureNodes = new Map<Node, Tensor>();
  for (const t of capture ?? []) {
    if (t.gradFn) captureNodes.set(t.gradFn, t);
    else captureLeaves.add(t);
  }
  const pending = new Map<Node, Tensor>();
  const deliver = (target: Tensor | Node, g: Tensor): void => {
    if (target instanceof Tensor) {
      if (capture) {
        if (captureLeaves.has(target)) captured.set(target, captured.has(target) ? captured.get(target)!.add(g) : g);
      } else {
        target.accumulateGrad(g, createGraph);
      }
      return;
    }
    const previous = pending.get(target);
    pending.set(target, previous ? previous.add(g) : g);
  };

  // Writing a VJP's result into its incoming gradient is safe only when no one else can
  // see that gradient: not while recording, capturing or tracing.
  const reuse = !createGraph && !capture && !observer;

  const endRun = beginScratchRun();
  try {
    withGradMode(createGraph, () => runNodes());
  } finally {
    endRun();
  }
  return captured;

  function runNodes(): void {
    const order = topologicalOrder(roots.flatMap((r) => (r.gradFn ? [r.gradFn] : [])));
    // Check the whole graph before the first VJP, so a refused backward changes nothing.
    order.forEach(checkUsable);
    roots.forEach((root, i) => deliver(root.gradFn ?? root, rootGrads[i]!));
    for (const node of order) {
      const g = pending.get(node);
      if (!g) continue;
      pending.delete(node);
      const owner = captureNodes.get(node);
      if (owner) captured.set(owner, g);
      const context = node.context!;
      // In anomaly mode the VJP's own ops are not checked one by one: a NaN they produce is
      // reported below against this node, which is the op the user wrote.
      const anomaly = isAnomalyEnabled();
      const info = { gradIsScratch: claimScratch(g) && reuse && !owner };
      const raw = anomaly ? withAnomalyMode(false, () => node.spec.vjp(g, context, info)) : node.spec.vjp(g, context, info);
      const reducedDims: number[][] = [];
      const gradInputs = node.edges.map((edge, i) => {
        let gi = raw[i] ?? null;
        reducedDims.push([]);
        if (!edge || !gi) return null;
        const shape = node.inputShapes[i]!;
        if (!sameShape(gi.shape, shape)) {
          reducedDims[i] = broadcastDims(gi.shape, shape);
          gi = sumTo([gi], shape);
        }
        if (anomaly) checkFinite(gi.array, () => `${node.describe()}`, "backward", node.stack);
        return gi;
      });
      observer?.({ node, gradOutput: g, gradInputs, reducedDims });
      node.edges.forEach((edge, i) => {
        const gi = gradInputs[i];
        if (edge && gi) deliver(edge.node ?? edge.leaf!, gi);
      });
      if (!retainGraph) node.release();
    }
  }
}

/**
 * Throws when a node cannot run its VJP: its saved tensors were freed by an earlier
 * backward, or one of them was modified in place after it was saved.
 */
function checkUsable(node: Node): void {
  if (node.context === null) {
    throw new AutogradError(
      `backward: the saved tensors of ${node.describe()} were already freed by an earlier backward(); ` +
        "pass { retainGraph: true } to the first backward() to run backward through the graph twice",
    );
  }
  const modified = node.modifiedSaved();
  if (modified !== null) {
    throw new AutogradError(
      `backward: ${modified} of ${node.describe()} was modified in place after it was saved for backward; ` +
        "its gradient would be wrong. Run the update after backward(), or clone() the tensor before modifying it",
    );
  }
}

/**
 * Checks and builds the seed gradient of `output` for `backward(grad?)`.
 * @throws AutogradError when output does not require grad, or is not one element and no grad is given.
 */
export function seedGradient(output: Tensor, grad: Tensor | undefined, op: string): Tensor {
  if (!output.requiresGrad) {
    throw new AutogradError(
      `${op}: tensor of shape ${formatShape(output.shape)} does not require grad and has no gradFn; ` +
        "create inputs with { requiresGrad: true } and do not call it inside noGrad",
    );
  }
  if (grad === undefined) {
    if (output.size !== 1) {
      throw new AutogradError(`${op}: grad can be omitted only for one-element outputs; pass a gradient of shape ${formatShape(output.shape)}`);
    }
    return new Tensor(NDArray.ones(output.shape));
  }
  if (!(grad instanceof Tensor)) throw new AutogradError(`${op}: grad must be a Tensor`);
  if (!sameShape(grad.shape, output.shape)) {
    throw new AutogradError(`${op}: grad has shape ${formatShape(grad.shape)} but the output has shape ${formatShape(output.shape)}`);
  }
  return grad;
}
