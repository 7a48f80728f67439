import { AutogradError, Tensor, noGrad } from "@tapegrad/autograd";
import { formatShape } from "@tapegrad/tensor";

/** Result of `loadStateDict`: keys the dict lacked and keys it had that the module does not. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Base class of every layer and model. Parameters and sub-modules are plain properties
 * (`this.weight = …`, `this.encoder = new Dense(…)`, also arrays of modules); the base
 * class finds them by walking the properties, so no registry of names is kept by hand.
 * Leaf tensors that require grad are parameters; other leaf tensors are buffers (saved in
 * the state dict but not trained).
 */
export abstract class Module {
  /** True in training mode (the default); switched by `train()` and `eval()`. */
  training = true;

  /** Computes the module's output. Subclasses define it; backward comes from the graph. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Direct sub-modules with their property names (array elements named `name.i`). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  /** Direct sub-modules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, depth first, with dotted names ("" for this one). */
  namedModules(prefix = ""): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  /** Leaf tensors held directly by this module, with their property names. */
  private ownTensors(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Tensor && value.isLeaf) out.push([key, value]);
    return out;
  }

  /** Every parameter with its dotted name, e.g. `["0.weight", w]`, in definition order. */
  namedParameters(): [string, Tensor][] {
    return this.namedTensors().filter(([, t]) => t.requiresGrad);
  }

  /** Every parameter (leaf tensors that require grad), each once. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every non-trainable leaf tensor (buffer) with its dotted name. */
  namedBuffers(): [string, Tensor][] {
    return this.namedTensors().filter(([, t]) => !t.requiresGrad);
  }

  private namedTensors(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const [key, t] of module.ownTensors()) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${key}` : key, t]);
      }
    }
    return out;
  }

  /**
   * Parameters and buffers by dotted name, as detached tensors sharing memory with the
   * module (as PyTorch's state_dict): save them before training changes them.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.namedTensors()) out[name] = t.detach();
    return out;
  }

  /**
   * Copies values from `dict` into the parameters and buffers of the same names. Every key
   * and shape is checked before any value is written, so a failed load changes nothing.
   * @throws AutogradError naming the key on a shape mismatch or a non-Tensor value, and
   * (when `strict`, the default) on missing or unexpected keys.
   */
  loadStateDict(dict: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    if (typeof dict !== "object" || dict === null) throw new AutogradError("loadStateDict: expected an object of tensors by name");
    const own = new Map(this.namedTensors());
    const missingKeys = [...own.keys()].filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !own.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys ${missingKeys.map((k) => JSON.stringify(k)).join(", ")}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys ${unexpectedKeys.map((k) => JSON.stringify(k)).join(", ")}`);
      throw new AutogradError(`loadStateDict: ${parts.join("; ")}`);
    }
    const writes: [Tensor, Tensor][] = [];
    for (const [key, target] of own) {
      if (!(key in dict)) continue;
      const source = dict[key];
      if (!(source instanceof Tensor)) throw new AutogradError(`loadStateDict: value for ${JSON.stringify(key)} is not a Tensor`);
      if (source.shape.length !== target.shape.length || source.shape.some((s, i) => s !== target.shape[i])) {
        throw new AutogradError(
          `loadStateDict: shape mismatch for ${JSON.stringify(key)}: the dict has ${formatShape(source.shape)}, the module has ${formatShape(target.shape)}`,
        );
      }
      writes.push([target, source]);
    }
    // Read every source before writing any target, so a dict that aliases the module's own
    // tensors (e.g. a permutation of them) still loads correctly.
    const values = writes.map(([, source]) => source.array.clone());
    noGrad(() => writes.forEach(([target], i) => target.copy_(new Tensor(values[i]!))));
    return { missingKeys, unexpectedKeys };
  }

  /** Switches this module and all below it to training mode. Returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Switches this module and all below it to evaluation mode. Returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets `.grad` to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }
}
