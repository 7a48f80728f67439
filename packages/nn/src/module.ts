import { DataError, Tensor, isGradEnabled, noGrad } from "@tapegrad/autograd";
import { formatShape } from "@tapegrad/tensor";
import { Parameter } from "./parameter.js";
import { withBackwardHooks, type FullBackwardHook } from "./backward-hook.js";
import { checkOptions, optionalBoolean } from "./options.js";

/** Result of `loadStateDict`: keys the dict lacked and keys it had that the module does not. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** What `registerForwardHook` and friends return: call `remove()` to unregister the hook. */
export interface RemovableHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

/** Options of `registerBuffer`. */
export interface BufferOptions {
  /** Save the buffer in the state dict (default true); false for caches that can be recomputed. */
  persistent?: boolean;
}

/** Options of `namedModules`, as torch's `named_modules(memo, prefix)`. */
export interface NamedModulesOptions {
  /** Modules already listed; they and everything reached only through them are skipped. */
  memo?: Set<Module<any, any>>;
  /** Prepended, with a dot, to every name. */
  prefix?: string;
}

interface BufferEntry {
  tensor: Tensor | null;
  persistent: boolean;
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** A leaf that would receive a gradient: what a user means as a parameter. */
const isTrainable = (v: unknown): v is Tensor => v instanceof Tensor && v.isLeaf && (v instanceof Parameter || v.requiresGrad);

/** Containers that property scanning looks inside to catch unregistered modules and parameters. */
function containerKind(v: unknown): string | null {
  if (Array.isArray(v)) return "an array";
  if (v instanceof Map) return "a Map";
  if (v instanceof Set) return "a Set";
  if (typeof v === "object" && v !== null) {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) return "a plain object";
  }
  return null;
}

function containerValues(v: unknown): Iterable<unknown> {
  if (v instanceof Map || v instanceof Set) return v.values();
  return Array.isArray(v) ? v : Object.values(v as object);
}

/**
 * The first module or trainable tensor inside a container property that the module did
 * not register, or null. Depth-limited and cycle-safe, since any object graph may hang
 * off a property.
 */
function findUnregistered(value: unknown, registered: Set<unknown>, seen: Set<unknown>, depth: number): Module<any, any> | Tensor | null {
  if (depth > 4 || seen.has(value)) return null;
  seen.add(value);
  for (const v of containerValues(value)) {
    if (typeof v !== "object" || v === null || registered.has(v)) continue;
    if (v instanceof Module || isTrainable(v)) return v;
    if (containerKind(v) !== null) {
      const found = findUnregistered(v, registered, seen, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Refuses a module whose properties hold something trainable that traversal would skip:
 * silently skipping it would leave it untrained and unsaved.
 */
function checkRegistrations(module: Module<any, any>, owned: [string, Tensor][], children: [string, Module<any, any>][]): void {
  const registered = new Set<unknown>([...owned.map(([, t]) => t), ...children.map(([, m]) => m)]);
  const where = `${module.constructor.name}.`;
  for (const [key, value] of Object.entries(module)) {
    if (typeof value !== "object" || value === null || registered.has(value)) continue;
    if (isTrainable(value)) {
      throw new DataError(
        `parameters: ${where}${key} is a plain Tensor that requires grad, so it would be neither trained nor saved; ` +
          `wrap it in new Parameter(...) (nn.Parameter) or registerBuffer(...)`,
      );
    }
    const kind = containerKind(value);
    if (kind === null) continue;
    const found = findUnregistered(value, registered, new Set(), 0);
    if (found === null) continue;
    const keyed = kind !== "an array" ? "ModuleDict" : "ModuleList";
    const [what, use] =
      found instanceof Module ? ["a Module", keyed] : found instanceof Parameter ? ["a Parameter", "ParameterList"] : ["a tensor that requires grad", "ParameterList"];
    throw new DataError(
      `parameters: ${where}${key} is ${kind} holding ${what}, which is not registered, so its parameters would be neither trained nor saved; use a ${use}`,
    );
  }
}

/** Indents every line but the first, as PyTorch's `_addindent`. */
const indent = (text: string, spaces: number) => text.split("\n").join(`\n${" ".repeat(spaces)}`);

/**
 * Base class of every layer and model, as torch.nn.Module. Sub-modules and parameters are
 * plain properties (`this.encoder = new Dense(…)`, `this.weight = new Parameter(…)`), found
 * by walking the properties, so no registry of names is kept by hand. The type decides:
 * a `Parameter` is a parameter (frozen or not), a `Module` is a child, and a tensor is
 * state only when registered with `registerBuffer`. Arrays of modules on a property are
 * children named `name.0`, `name.1`, …; for other collections use `ModuleList`,
 * `ModuleDict` or `ParameterList`.
 *
 * `In` is the tuple of `forward`'s arguments and `Out` its result, so a layer such as
 * attention can declare `forward(q, k, v, options?)` returning `{ output, weights }`.
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (the default); switched by `train()` and `eval()`. */
  training = true;

  // Private fields stay out of Object.entries, so property scanning never sees them.
  readonly #buffers = new Map<string, BufferEntry>();
  readonly #forwardPreHooks = new Map<number, (module: any, inputs: any) => unknown>();
  readonly #forwardHooks = new Map<number, (module: any, inputs: any, output: any) => unknown>();
  readonly #backwardHooks = new Map<number, FullBackwardHook<any>>();
  #nextHookId = 0;

  /** Computes the module's output. Subclasses define it; backward comes from the graph. */
  abstract forward(...inputs: In): Out;

  /**
   * Direct sub-modules with their names: by default the properties holding a Module, and
   * the Modules in array properties as `name.i`. Containers override it. A module registered
   * under two names is listed under both here; `children()` and `namedModules()` list it once.
   */
  namedChildren(): [string, Module<any, any>][] {
    const out: [string, Module<any, any>][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  /**
   * Parameters this module holds itself (not those of its children): by default the
   * properties holding a `Parameter`, in definition order (a `null`, e.g. `bias = null`, is
   * skipped). `ParameterList` overrides it.
   */
  protected namedOwnParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [key, value] of Object.entries(this)) if (value instanceof Parameter) out.push([key, value]);
    return out;
  }

  /** Direct sub-modules, each once. */
  children(): Module<any, any>[] {
    return [...new Set(this.namedChildren().map(([, m]) => m))];
  }

  /**
   * This module and every module below it, depth first, with dotted names ("" for this
   * one). Each module is listed once, under the first name it is reached by, so shared
   * modules and back-references (a child holding its parent) are safe. A string argument
   * is taken as the prefix, as in earlier versions.
   */
  namedModules(options: NamedModulesOptions | string = {}): [string, Module<any, any>][] {
    const { memo = new Set<Module<any, any>>(), prefix = "" } = (typeof options === "string" ? { prefix: options } : checkOptions("namedModules", options, ["memo", "prefix"])) as NamedModulesOptions;
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module<any, any>][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules({ memo, prefix: join(prefix, name) }));
    return out;
  }

  /** This module and every module below it, each once. */
  modules(): Module<any, any>[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its dotted name, e.g. `["0.weight", w]`, in definition order, each
   * once (a parameter shared by two layers is listed under its first name). Frozen
   * parameters (`requiresGrad` false) are included, as in PyTorch.
   * @throws DataError when a module holds something trainable that is not registered: a
   * plain Tensor that requires grad on a property, or a Module or such a tensor inside a
   * plain object, Map, Set or array of tensors (the message names the container to use).
   */
  namedParameters(): [string, Parameter][] {
    const seen = new Set<Tensor>();
    const out: [string, Parameter][] = [];
    for (const [prefix, module] of this.namedModules()) {
      for (const [name, p] of module.checkedOwnParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([join(prefix, name), p]);
      }
    }
    return out;
  }

  /**
   * Every parameter, each once, in definition order.
   * @throws DataError as `namedParameters`.
   */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, t]) => t);
  }

  private checkedOwnParameters(): [string, Parameter][] {
    const own = this.namedOwnParameters();
    checkRegistrations(this, own, this.namedChildren());
    return own;
  }

  /**
   * Registers a tensor that is state but not a parameter (running statistics, a fixed
   * mask), as torch's `register_buffer`. It is read and replaced as `this[name]`; it is
   * saved in the state dict unless `persistent` is false. `null` reserves the name without
   * a tensor. In a subclass, declare the property with `declare name: Tensor` so TypeScript
   * knows it without creating a field.
   * @throws DataError when the name is empty or has a dot, is already a parameter, module,
   * method or other property, or when `tensor` is neither a Tensor nor null; on an unknown
   * option or a `persistent` that is not a boolean.
   */
  registerBuffer(name: string, tensor: Tensor | null, options: BufferOptions = {}): void {
    const persistent = optionalBoolean("registerBuffer", "persistent", checkOptions("registerBuffer", options, ["persistent"]).persistent, true);
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new DataError(`registerBuffer: name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
    }
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new DataError(`registerBuffer: buffer ${JSON.stringify(name)} must be a Tensor or null`);
    }
    const existing = this.#buffers.get(name);
    if (existing) {
      existing.tensor = tensor;
      existing.persistent = persistent;
      return;
    }
    if (name in this) {
      // A declared field left undefined, or a plain tensor being promoted, may become a buffer.
      const value = Object.hasOwn(this, name) ? (this as Record<string, unknown>)[name] : "inherited";
      if (!(value === undefined || value === null || (value instanceof Tensor && !(value instanceof Parameter)))) {
        throw new DataError(`registerBuffer: ${this.constructor.name} already has an attribute ${JSON.stringify(name)} that is not a buffer`);
      }
    }
    const entry: BufferEntry = { tensor, persistent };
    this.#buffers.set(name, entry);
    const owner = this.constructor.name;
    Object.defineProperty(this, name, {
      configurable: true,
      enumerable: false,
      get: () => entry.tensor,
      set: (value: unknown) => {
        if (value !== null && !(value instanceof Tensor)) {
          throw new DataError(`${owner}.${name}: cannot assign ${typeof value} to buffer ${JSON.stringify(name)} (a Tensor or null expected)`);
        }
        entry.tensor = value;
      },
    });
  }

  /** Every buffer with its dotted name (persistent or not), each once; unset (null) buffers are skipped. */
  namedBuffers(): [string, Tensor][] {
    return this.namedState(() => true);
  }

  /** Every buffer, each once. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  private namedState(keepBuffer: (entry: BufferEntry) => boolean, withParameters = false): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    const add = (name: string, t: Tensor) => {
      if (seen.has(t)) return;
      seen.add(t);
      out.push([name, t]);
    };
    for (const [prefix, module] of this.namedModules()) {
      if (withParameters) for (const [name, p] of module.checkedOwnParameters()) add(join(prefix, name), p);
      for (const [name, entry] of module.#buffers) if (entry.tensor !== null && keepBuffer(entry)) add(join(prefix, name), entry.tensor);
    }
    return out;
  }

  /**
   * Parameters and persistent buffers by dotted name, as detached tensors sharing memory
   * with the module (as PyTorch's state_dict): save them before training changes them.
   * Tensors on properties that are neither parameters nor registered buffers are left out.
   * @throws DataError as `namedParameters`.
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of this.namedState((entry) => entry.persistent, true)) out[name] = t.detach();
    return out;
  }

  /**
   * Copies values from `dict` into the parameters and persistent buffers of the same
   * names. Every key and shape is checked before any value is written, so a failed load
   * changes nothing.
   * @throws DataError naming the key on a shape mismatch or a non-Tensor value, and (when
   * `strict`, the default) on missing or unexpected keys; on an unknown option or a `strict`
   * that is not a boolean (`strict: "false"` would otherwise load strictly).
   */
  loadStateDict(dict: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const strict = optionalBoolean("loadStateDict", "strict", checkOptions("loadStateDict", options, ["strict"]).strict, true);
    if (typeof dict !== "object" || dict === null) throw new DataError("loadStateDict: expected an object of tensors by name");
    const own = new Map(this.namedState((entry) => entry.persistent, true));
    const missingKeys = [...own.keys()].filter((k) => !(k in dict));
    const unexpectedKeys = Object.keys(dict).filter((k) => !own.has(k));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys ${missingKeys.map((k) => JSON.stringify(k)).join(", ")}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys ${unexpectedKeys.map((k) => JSON.stringify(k)).join(", ")}`);
      throw new DataError(`loadStateDict: ${parts.join("; ")}`);
    }
    const writes: [Tensor, Tensor][] = [];
    for (const [key, target] of own) {
      if (!(key in dict)) continue;
      const source = dict[key];
      if (!(source instanceof Tensor)) throw new DataError(`loadStateDict: value for ${JSON.stringify(key)} is not a Tensor`);
      if (source.shape.length !== target.shape.length || source.shape.some((s, i) => s !== target.shape[i])) {
        throw new DataError(
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

  /**
   * Calls `fn` on every sub-module, then on this module (children first, as PyTorch's
   * `apply`), e.g. to re-initialise weights. Each module is visited once. Returns this.
   */
  apply(fn: (module: Module<any, any>) => void): this {
    const visit = (m: Module<any, any>, memo: Set<Module<any, any>>) => {
      memo.add(m);
      for (const child of m.children()) if (!memo.has(child)) visit(child, memo);
      fn(m);
    };
    visit(this, new Set());
    return this;
  }

  /**
   * Sets `requiresGrad` of every parameter, e.g. `requiresGrad_(false)` to freeze a
   * pretrained encoder. Frozen parameters stay parameters. Returns this.
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /** Clears every parameter's gradient (sets `.grad` to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Number of scalars in `parameters()`, frozen ones included. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /**
   * Registers `hook(module, inputs)` to run before every `forward`, in registration order,
   * as torch's `register_forward_pre_hook`. An array it returns replaces the inputs.
   */
  registerForwardPreHook(hook: (module: this, inputs: In) => In | void): RemovableHandle {
    return this.addHook(this.#forwardPreHooks, hook);
  }

  /**
   * Registers `hook(module, inputs, output)` to run after every `forward`, in registration
   * order, as torch's `register_forward_hook`; `inputs` are those forward received (after
   * pre-hooks). A value other than undefined that it returns replaces the output.
   */
  registerForwardHook(hook: (module: this, inputs: In, output: Out) => Out | void): RemovableHandle {
    return this.addHook(this.#forwardHooks, hook);
  }

  /**
   * Registers `hook(module, gradInput, gradOutput)` to run once per backward through this
   * module, as torch's `register_full_backward_hook`: `gradInput` holds the gradients of
   * forward's tensor arguments (null where none is needed), `gradOutput` those of its
   * tensor outputs. An array it returns replaces `gradInput`. Hooks run in registration
   * order, each seeing the previous one's result.
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>): RemovableHandle {
    return this.addHook(this.#backwardHooks, hook as FullBackwardHook<any>);
  }

  private addHook<F>(hooks: Map<number, F>, hook: F): RemovableHandle {
    if (typeof hook !== "function") throw new DataError(`${this.constructor.name}: a hook must be a function`);
    this.installForwardWrapper();
    const id = this.#nextHookId++;
    hooks.set(id, hook);
    return { remove: () => void hooks.delete(id) };
  }

  /**
   * Users call `forward` directly (there is no `__call__`), so hooks need a wrapper on the
   * call path. It is installed on the first hook only, as a non-enumerable own property
   * that property scanning ignores; modules without hooks pay nothing.
   */
  private installForwardWrapper(): void {
    if (this.#nextHookId > 0) return; // already installed by an earlier hook
    const original = this.forward as (...inputs: unknown[]) => unknown;
    const pre = this.#forwardPreHooks;
    const post = this.#forwardHooks;
    const backward = this.#backwardHooks;
    const wrapped = (...inputs: unknown[]): unknown => {
      let args = inputs;
      for (const hook of [...pre.values()]) {
        const result = hook(this, args);
        if (result !== undefined) args = Array.isArray(result) ? result : [result];
      }
      // As torch's Module.__call__: forward hooks run on forward's own output, before the
      // backward hooks wrap it, so grad_output is the gradient of what a forward hook returned.
      const forwardThenHooks = (forwardArgs: unknown[]): unknown => {
        let output = original.apply(this, forwardArgs);
        for (const hook of [...post.values()]) {
          const result = hook(this, forwardArgs, output);
          if (result !== undefined) output = result;
        }
        return output;
      };
      return backward.size > 0 && isGradEnabled() ? withBackwardHooks(this, () => [...backward.values()], args, forwardThenHooks) : forwardThenHooks(args);
    };
    Object.defineProperty(this, "forward", { value: wrapped, enumerable: false, configurable: true, writable: true });
  }

  /**
   * The settings shown between the parentheses of `toString()`, e.g.
   * `inFeatures=2, outFeatures=25, bias=true` for a Dense layer; "" by default. Names and
   * values are written as our options are (camelCase, `true`), not as PyTorch's snake_case.
   */
  extraRepr(): string {
    return "";
  }

  /**
   * The module tree as PyTorch's `print(model)` shows it:
   * ```
   * Sequential(
   *   (0): Dense(inFeatures=2, outFeatures=25, bias=true)
   *   (1): ReLU()
   * )
   * ```
   * A module met again below itself (a back-reference) is shown as `Name(...)`.
   */
  toString(): string {
    return this.repr(new Set());
  }

  private repr(path: Set<Module<any, any>>): string {
    const name = this.constructor.name;
    if (path.has(this)) return `${name}(...)`;
    path.add(this);
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this.namedChildren().map(([key, m]) => `(${key}): ${indent(m.repr(path), 2)}`);
    path.delete(this);
    const lines = [...extraLines, ...childLines];
    if (lines.length === 0) return `${name}()`;
    if (extraLines.length === 1 && childLines.length === 0) return `${name}(${extraLines[0]})`;
    return `${name}(\n  ${lines.join("\n  ")}\n)`;
  }
}
