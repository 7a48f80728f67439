import { NDArray, checkOptions } from "@tapegrad/tensor";
import { AutogradError } from "./errors.js";
import { runBackward, seedGradient } from "./engine.js";
import { enableGrad, isGradEnabled } from "./modes.js";
import { Tensor } from "./tensor.js";

/** The gradient type of a function of `A`: one tensor for one input, else one per input. */
export type Gradients<A extends Tensor[]> = A extends [Tensor] ? Tensor : Tensor[];

/**
 * Gradients of `outputs` with respect to `inputs` (one tensor or a list), returned as a
 * list rather than accumulated into `.grad` (as torch.autograd.grad). Only the nodes on a
 * path to the inputs run. An input the outputs do not depend on gets zeros.
 * @throws AutogradError when an output does not require grad or an input is not a Tensor.
 */
export function gradients(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: { gradOutputs?: Tensor | readonly Tensor[]; retainGraph?: boolean; createGraph?: boolean } = {},
): Tensor[] {
  checkOptions("grad", options, ["gradOutputs", "retainGraph", "createGraph"]);
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  if (!Array.isArray(ins)) throw new AutogradError("grad: inputs must be a Tensor or an array of Tensors");
  ins.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new AutogradError(`grad: input ${i} is not a Tensor`);
  });
  const gradOutputs = options.gradOutputs instanceof Tensor ? [options.gradOutputs] : options.gradOutputs;
  const seeds = outs.map((o, i) => seedGradient(o, gradOutputs?.[i], "grad"));
  const captured = runBackward(outs, seeds, {
    retainGraph: options.retainGraph ?? options.createGraph ?? false,
    createGraph: options.createGraph ?? false,
    inputs: ins,
  });
  return ins.map((x) => captured.get(x) ?? new Tensor(NDArray.zeros(x.shape)));
}

/**
 * Prepares inputs for differentiation: tensors already tracked (inside an outer grad)
 * are used as they are so the gradients stay differentiable; others become fresh leaves.
 */
function track(inputs: readonly Tensor[], op: string): { tracked: Tensor[]; nested: boolean } {
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new AutogradError(`${op}: argument ${i} is not a Tensor`);
  });
  const nested = isGradEnabled() && inputs.some((x) => x.requiresGrad);
  return { tracked: inputs.map((x) => (x.requiresGrad ? x : x.detach().requiresGrad_(true))), nested };
}

// The transforms record f even inside noGrad, as torch.func.grad ignores an outer no_grad:
// otherwise they would return zeros with no error.
function evaluate(f: (...args: Tensor[]) => Tensor, inputs: readonly Tensor[], op: string): { value: Tensor; grads: Tensor[] } {
  const { tracked, nested } = track(inputs, op);
  return enableGrad(() => differentiate(f, tracked, nested, op));
}

function differentiate(f: (...args: Tensor[]) => Tensor, tracked: Tensor[], nested: boolean, op: string): { value: Tensor; grads: Tensor[] } {
  const value = f(...tracked);
  if (!(value instanceof Tensor) || value.size !== 1) {
    throw new AutogradError(`${op}: f must return a one-element Tensor, got ${value instanceof Tensor ? `shape [${value.shape.join(",")}]` : typeof value}`);
  }
  if (!value.requiresGrad) return { value, grads: tracked.map((x) => new Tensor(NDArray.zeros(x.shape))) };
  const grads = gradients(value, tracked, { createGraph: nested });
  return { value: nested ? value : value.detach(), grads };
}

function pack<A extends Tensor[]>(grads: Tensor[], count: number): Gradients<A> {
  return (count === 1 ? grads[0] : grads) as Gradients<A>;
}

/**
 * Turns a scalar function into the function of its gradient: `grad(f)(x)` is df/dx (one
 * tensor for one argument, an array for several). Nests: `grad(grad(f))` is the second
 * derivative of a scalar function.
 * @throws AutogradError when f does not return a one-element tensor.
 */
export function grad<A extends Tensor[]>(f: (...args: A) => Tensor): (...args: A) => Gradients<A> {
  return (...args: A) => pack<A>(evaluate(f as (...a: Tensor[]) => Tensor, args, "grad").grads, args.length);
}

/** The value and gradients of a scalar function, returned as `[value, grad]` with `.value` and `.grad` too. */
export type ValueAndGrad<A extends Tensor[]> = [Tensor, Gradients<A>] & { value: Tensor; grad: Gradients<A> };

/** Like `grad(f)` but also returns f's value: `const [value, g] = valueAndGrad(f)(x)`. */
export function valueAndGrad<A extends Tensor[]>(f: (...args: A) => Tensor): (...args: A) => ValueAndGrad<A> {
  return (...args: A) => {
    const { value, grads } = evaluate(f as (...a: Tensor[]) => Tensor, args, "valueAndGrad");
    const g = pack<A>(grads, args.length);
    return Object.assign([value, g] as [Tensor, Gradients<A>], { value, grad: g });
  };
}

/** f's output and the vector-Jacobian products vᵀ·∂f/∂xᵢ, as `[output, vjps]` with named fields too. */
export type VjpResult<V> = [Tensor, V] & { output: Tensor; vjp: V };

/**
 * Evaluates f at `inputs` and returns its output with the product of `cotangent` and f's
 * Jacobian (as torch.autograd.functional.vjp): one tensor per input, or one tensor when
 * `inputs` is a single tensor.
 * @throws AutogradError when the cotangent's shape differs from the output's.
 */
export function vjp<I extends Tensor | Tensor[]>(
  f: (...args: Tensor[]) => Tensor,
  inputs: I,
  cotangent?: Tensor,
): VjpResult<I extends Tensor ? Tensor : Tensor[]> {
  const list = inputs instanceof Tensor ? [inputs] : (inputs as Tensor[]);
  const { tracked, nested } = track(list, "vjp");
  return enableGrad(() => vjpOf(f, inputs, tracked, nested, cotangent));
}

function vjpOf<I extends Tensor | Tensor[]>(
  f: (...args: Tensor[]) => Tensor,
  inputs: I,
  tracked: Tensor[],
  nested: boolean,
  cotangent: Tensor | undefined,
): VjpResult<I extends Tensor ? Tensor : Tensor[]> {
  const output = f(...tracked);
  if (!(output instanceof Tensor)) throw new AutogradError("vjp: f must return a Tensor");
  let grads: Tensor[];
  if (!output.requiresGrad) {
    seedGradient(new Tensor(output.array, { requiresGrad: true }), cotangent, "vjp");
    grads = tracked.map((x) => new Tensor(NDArray.zeros(x.shape)));
  } else {
    grads = gradients(output, tracked, { gradOutputs: cotangent ? [cotangent] : undefined, createGraph: nested });
  }
  const result = (inputs instanceof Tensor ? grads[0] : grads) as I extends Tensor ? Tensor : Tensor[];
  const out = nested ? output : output.detach();
  return Object.assign([out, result] as [Tensor, typeof result], { output: out, vjp: result });
}
