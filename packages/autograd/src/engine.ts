import { NDArray, beginCollecting, checkBoolean, checkOptions, endCollecting, formatShape, kernels, sameShape, type Storage } from "@tapegrad/tensor";
import { AutogradError } from "./errors.js";
import { checkFinite, isAnomalyEnabled, withAnomalyMode, withGradMode } from "./modes.js";
import type { GradHook, Node } from "./node.js";
import { sumTo } from "./ops/broadcast.js";
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

/** Options of runBackward: backward's options plus returning gradients and observing. */
export interface RunOptions extends BackwardOptions {
  /**
   * As torch.autograd.grad: return the gradients of these tensors instead of accumulating
   * into `.grad`, and run only the nodes on a path to them.
   */
  inputs?: readonly Tensor[];
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

/** True when `t` is the whole of its memory, contiguous from its start: safe to write in place. */
function coversStorage(t: Tensor): boolean {
  const a = t.array;
  return a.offset === 0 && a.size === a.storage.length && a.isContiguous();
}

/**
 * Which nodes lie on a path from the roots to a requested tensor (torch.autograd.grad
 * runs only those), and which of each node's edges lead there.
 */
function prune(order: readonly Node[], wantedNodes: ReadonlySet<Node>, wantedLeaves: ReadonlySet<Tensor>): Map<Node, boolean[]> {
  const needed = new Map<Node, boolean[]>();
  // Producers come after consumers in `order`, so walk it backwards.
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const edgesNeeded = node.edges.map((e) => e !== null && (e.node ? needed.has(e.node) : wantedLeaves.has(e.leaf!)));
    if (wantedNodes.has(node) || edgesNeeded.some(Boolean)) needed.set(node, edgesNeeded);
  }
  return needed;
}

/** Runs a tensor's hooks in order; each may replace the gradient with one of the same shape. */
function runHooks(hooks: readonly GradHook[], g: Tensor, what: string): Tensor {
  for (const hook of hooks) {
    const result = hook(g);
    if (result === undefined) continue;
    if (!(result instanceof Tensor) || !sameShape(result.shape, g.shape)) {
      const got = result instanceof Tensor ? formatShape(result.shape) : typeof result;
      throw new AutogradError(`hook on ${what}: returned ${got} where a gradient of shape ${formatShape(g.shape)} (or nothing) was expected`);
    }
    g = result;
  }
  return g;
}

/**
 * The reverse sweep: seeds each root with its gradient, applies every VJP once in reverse
 * topological order, sums gradients of tensors used more than once, reduces broadcast
 * gradients to their input's shape, runs hooks, and accumulates once into each leaf (or
 * returns the requested gradients). Frees saved tensors unless `retainGraph`.
 *
 * Memory: a gradient whose storage was born during one VJP and handed on once is owned
 * by the engine. A VJP told it owns its incoming gradient may write into it; pending
 * gradients are summed into an owned one; a leaf's first gradient is taken, not copied.
 * Nothing is owned while a trace watches or the backward is recorded.
 */
export function runBackward(roots: readonly Tensor[], rootGrads: readonly Tensor[], options: RunOptions = {}): Map<Tensor, Tensor> {
  checkOptions("backward", options, ["retainGraph", "createGraph", "inputs", "observer"]);
  const retainGraph = checkBoolean("backward", "retainGraph", options.retainGraph, false);
  const createGraph = checkBoolean("backward", "createGraph", options.createGraph, false);
  const observer = options.observer;
  const requested = options.inputs;
  const captured = new Map<Tensor, Tensor>();
  const wantedLeaves = new Set<Tensor>();
  const wantedNodes = new Map<Node, Tensor>();
  for (const t of requested ?? []) {
    if (t.gradFn) wantedNodes.set(t.gradFn, t);
    else wantedLeaves.add(t);
  }
  const order = topologicalOrder(roots.flatMap((r) => (r.gradFn ? [r.gradFn] : [])));
  const needed = requested ? prune(order, new Set(wantedNodes.keys()), wantedLeaves) : null;
  const toRun = needed ? order.filter((n) => needed.has(n)) : order;
  // Check the whole graph before the first VJP, so a refused backward changes nothing.
  // Count each leaf's uses on the way: its gradient is complete once its last user has run.
  const leafUses = new Map<Tensor, number>();
  for (const node of toRun) {
    checkUsable(node);
    for (const edge of node.edges) if (edge?.leaf) leafUses.set(edge.leaf, (leafUses.get(edge.leaf) ?? 0) + 1);
  }

  const reuse = !createGraph && !observer;
  const owned = new Set<Storage>();
  const born = new Set<Storage>();
  const pending = new Map<Node, Tensor>();
  const sinks = new Map<Tensor, Tensor>();

  // Sums a second gradient into a pending one: in place into whichever the engine owns.
  const sumInto = (into: Tensor, other: Tensor): boolean => {
    if (!owned.has(into.array.storage) || into.array.storage === other.array.storage || !sameShape(into.shape, other.shape)) return false;
    kernels.add(into.array, other.array, into.array);
    owned.delete(other.array.storage);
    return true;
  };
  const sum = (previous: Tensor | undefined, g: Tensor): Tensor => {
    if (previous === undefined) return g;
    if (!reuse) return previous.add(g);
    if (sumInto(previous, g)) return previous;
    if (sumInto(g, previous)) return g;
    owned.delete(previous.array.storage);
    owned.delete(g.array.storage);
    const total = previous.add(g);
    owned.add(total.array.storage);
    return total;
  };
  const deliver = (edge: { node: Node | null; leaf: Tensor | null }, g: Tensor): void => {
    if (edge.node) pending.set(edge.node, sum(pending.get(edge.node), g));
    else if (!requested || wantedLeaves.has(edge.leaf!)) sinks.set(edge.leaf!, sum(sinks.get(edge.leaf!), g));
  };
  // A leaf's hooks run, and its gradient is accumulated, as soon as its gradient is complete,
  // as PyTorch's AccumulateGrad nodes do: a module's backward hook sees its weight's .grad.
  const finishLeaf = (leaf: Tensor): void => {
    let g = sinks.get(leaf);
    if (g === undefined) return;
    sinks.delete(leaf);
    const hooks = leaf.leafHooks !== null && leaf.leafHooks.length > 0 ? leaf.leafHooks : null;
    if (hooks) g = runHooks(hooks, g, `a leaf of shape ${formatShape(leaf.shape)}`);
    if (requested) captured.set(leaf, g);
    else accumulateGrad(leaf, g, reuse && !hooks && owned.delete(g.array.storage) && coversStorage(g), createGraph);
  };
  const nodeDone = (node: Node): void => {
    for (const edge of node.edges) {
      const leaf = edge?.leaf;
      if (!leaf) continue;
      const left = leafUses.get(leaf)! - 1;
      leafUses.set(leaf, left);
      if (left === 0) finishLeaf(leaf);
    }
  };

  withGradMode(createGraph, () => {
    roots.forEach((root, i) => deliver({ node: root.gradFn, leaf: root.gradFn ? null : root }, rootGrads[i]!));
    for (const node of toRun) {
      const g = pending.get(node);
      if (g) {
        pending.delete(node);
        runNode(node, g);
      }
      nodeDone(node);
    }
    // Leaves that were roots themselves.
    for (const leaf of [...sinks.keys()]) finishLeaf(leaf);
  });
  return captured;

  /** Runs one node: its tensor hooks, retained gradient, capture, VJP, and delivery to its inputs. */
  function runNode(node: Node, g: Tensor): void {
    // A VJP that hands g to user code (a module's backward hooks) lets it keep what it saw.
    let watched = node.spec.handsGradToUser === true;
    if (node.hooks && node.hooks.length > 0) {
      g = runHooks(node.hooks, g, node.describe());
      watched = true;
    }
    const retained = node.retains?.deref();
    if (retained) {
      retained.grad = retained.grad === null ? g.clone() : retained.grad.add(g);
    }
    const wanted = wantedNodes.get(node);
    if (wanted) {
      captured.set(wanted, g);
      watched = true;
    }
    const ownsGrad = owned.delete(g.array.storage) && !watched && coversStorage(g);
    // The edges this run needs: all of them, or those on a path to a requested tensor.
    const needsGrad = needed?.get(node) ?? node.needsGrad;
    if (!needsGrad.includes(true)) {
      if (!retainGraph) node.release();
      return;
    }
    born.clear();
    const previousCollector = beginCollecting(born);
    let gradInputs: (Tensor | null)[];
    const reducedDims: number[][] = [];
    try {
      gradInputs = runVjp(node, g, needsGrad, ownsGrad, reducedDims);
    } finally {
      endCollecting(previousCollector);
    }
    observer?.({ node, gradOutput: g, gradInputs, reducedDims });
    if (reuse && node.spec.handsGradToUser !== true) claimOwnership(gradInputs, born, ownsGrad ? g.array.storage : null, owned);
    node.edges.forEach((edge, i) => {
      const gi = gradInputs[i];
      if (edge && gi) deliver(edge, gi);
    });
    if (!retainGraph) node.release();
  }
}

/**
 * Adds to `owned` the storage of each VJP result that nobody else can hold: born during the
 * VJP (or the owned incoming gradient, written in place), covering all of its memory, and
 * handed on once.
 */
function claimOwnership(gradInputs: readonly (Tensor | null)[], born: ReadonlySet<Storage>, ownedIncoming: Storage | null, owned: Set<Storage>): void {
  for (let i = 0; i < gradInputs.length; i++) {
    const gi = gradInputs[i];
    if (!gi) continue;
    const storage = gi.array.storage;
    if (!born.has(storage) && storage !== ownedIncoming) continue;
    let once = true;
    for (let j = 0; j < gradInputs.length; j++) if (j !== i && gradInputs[j]?.array.storage === storage) once = false;
    if (once && coversStorage(gi)) owned.add(storage);
  }
}

/**
 * Runs one node's VJP and returns the gradient for each input, summed back to the input's
 * shape where broadcasting widened it (recording those dimensions in `reducedDims`).
 */
function runVjp(node: Node, g: Tensor, needsGrad: readonly boolean[], ownsGrad: boolean, reducedDims: number[][]): (Tensor | null)[] {
  // In anomaly mode the VJP's own ops are not checked one by one: a NaN they produce is
  // reported below against this node, which is the op the user wrote.
  const anomaly = isAnomalyEnabled();
  const context = node.context(needsGrad);
  const info = { ownsGrad };
  const raw = anomaly ? withAnomalyMode(false, () => node.spec.vjp!(g, context, info)) : node.spec.vjp!(g, context, info);
  const count = node.edges.length;
  const gradInputs = new Array<Tensor | null>(count);
  for (let i = 0; i < count; i++) {
    reducedDims.push(NO_DIMS);
    let gi = raw[i] ?? null;
    if (!node.edges[i] || !needsGrad[i] || !gi) {
      gradInputs[i] = null;
      continue;
    }
    const shape = node.inputShapes[i]!;
    if (!sameShape(gi.shape, shape)) {
      reducedDims[i] = broadcastDims(gi.shape, shape);
      gi = sumTo([gi], shape);
    }
    if (anomaly) checkFinite(gi.array, () => `${node.describe()}`, "backward", node.stack);
    gradInputs[i] = gi;
  }
  return gradInputs;
}

const NO_DIMS: number[] = [];

/**
 * Adds one backward's gradient into a leaf's `.grad`, as PyTorch's AccumulateGrad: the
 * first gradient is taken when the engine owns it (else copied, or cloned on the recorded
 * graph under createGraph); later ones are added in place through `.grad`'s own strides,
 * or out of place while recording or when `.grad` is a broadcast view or requires grad.
 */
function accumulateGrad(leaf: Tensor, g: Tensor, owned: boolean, createGraph: boolean): void {
  const current = leaf.grad;
  if (current === null) {
    leaf.grad = createGraph ? g.clone() : owned ? g : new Tensor(g.array.clone());
    return;
  }
  const target = current.array;
  const broadcastView = target.strides.some((s, i) => s === 0 && target.shape[i]! > 1);
  if (createGraph || current.requiresGrad || broadcastView) {
    leaf.grad = current.add(g);
    return;
  }
  if (target.isContiguous()) kernels.add(target, g.array, target);
  else kernels.writeInto(target, kernels.add(target, g.array));
  current.bumpVersion();
}

/**
 * Throws when a node cannot run its VJP: its saved tensors were freed by an earlier
 * backward, or one of them was modified in place after it was saved.
 */
function checkUsable(node: Node): void {
  if (node.released) {
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
