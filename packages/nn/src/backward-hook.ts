import { DataError, Tensor, backwardHook, cat } from "@tapegrad/autograd";
import { formatShape, sameShape } from "@tapegrad/tensor";

/**
 * A full backward hook, as torch's `register_full_backward_hook`: called once per backward
 * with the gradients of the module's tensor inputs (null for inputs that need none) and of
 * its tensor outputs; an array it returns replaces the input gradients.
 */
export type FullBackwardHook<M> = (module: M, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void;

/**
 * Wraps one forward call so the module's backward hooks run with PyTorch's semantics.
 * Inputs that require grad pass through one identity node whose VJP sees all their
 * gradients at once (several inputs are packed into one vector and cut back into views,
 * because a node has a single output); each tensor output passes through an identity node
 * that records its gradient. The input node runs after every output node, so the hooks see
 * complete gradients and their result flows on.
 */
export function withBackwardHooks<M>(module: M, hooks: () => FullBackwardHook<M>[], inputs: unknown[], run: (inputs: unknown[]) => unknown): unknown {
  const name = (module as object).constructor.name;
  const tracked = inputs.map((x, i) => (x instanceof Tensor && x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const gradOutputs: (Tensor | null)[] = [];
  let outputsExpected = 0;
  let outputsSeen = 0;

  const callHooks = (gradInput: (Tensor | null)[]): (Tensor | null)[] => {
    let current = gradInput;
    for (const hook of hooks()) {
      const result = hook(module, current, gradOutputs.slice());
      if (result === undefined) continue;
      if (!Array.isArray(result) || result.length !== current.length) {
        throw new DataError(`${name}: a full backward hook must return nothing or an array of ${current.length} gradients (one per input)`);
      }
      result.forEach((g, i) => {
        const before = current[i];
        if (g !== null && !(g instanceof Tensor && before && sameShape(g.shape, before.shape))) {
          throw new DataError(`${name}: a full backward hook returned a gradient of shape ${g instanceof Tensor ? formatShape(g.shape) : typeof g} for input ${i} of shape ${before ? formatShape(before.shape) : "(no gradient)"}`);
        }
      });
      current = result;
    }
    return current;
  };

  const args = inputs.slice();
  if (tracked.length === 1) {
    const i = tracked[0]!;
    args[i] = backwardHook([inputs[i] as Tensor], {
      onGrad: (g) => {
        const gradInput = inputs.map((_, k) => (k === i ? g : null));
        return callHooks(gradInput)[i] ?? g.mul(0);
      },
    });
  } else if (tracked.length > 1) {
    const pieces = tracked.map((i) => inputs[i] as Tensor);
    const sizes = pieces.map((t) => t.size);
    const packed = backwardHook([cat(pieces.map((t) => t.reshape(-1)))], {
      onGrad: (g) => {
        const gradInput: (Tensor | null)[] = inputs.map(() => null);
        let start = 0;
        tracked.forEach((i, k) => {
          gradInput[i] = g.narrow(0, start, sizes[k]!).reshape(pieces[k]!.shape);
          start += sizes[k]!;
        });
        const replaced = callHooks(gradInput);
        return cat(tracked.map((i) => (replaced[i] ?? gradInput[i]!.mul(0)).reshape(-1)));
      },
    });
    let start = 0;
    tracked.forEach((i, k) => {
      args[i] = packed.narrow(0, start, sizes[k]!).reshape(pieces[k]!.shape);
      start += sizes[k]!;
    });
  }

  const wrapOutput = (value: unknown): unknown => {
    if (!(value instanceof Tensor) || !value.requiresGrad) return value;
    const slot = gradOutputs.length;
    gradOutputs.push(null);
    outputsExpected++;
    return backwardHook([value], {
      onGrad: (g) => {
        gradOutputs[slot] = g;
        // With no input that needs a gradient, PyTorch calls the hooks once the outputs'
        // gradients are known, with every input gradient null.
        if (++outputsSeen === outputsExpected && tracked.length === 0) callHooks(inputs.map(() => null));
      },
    });
  };
  const output = run(args);
  if (Array.isArray(output)) return output.map(wrapOutput);
  if (output instanceof Tensor || output === null || typeof output !== "object") return wrapOutput(output);
  return Object.fromEntries(Object.entries(output).map(([k, v]) => [k, wrapOutput(v)]));
}
