import { DataError, Tensor } from "@tapegrad/autograd";
import { formatShape } from "@tapegrad/tensor";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";

/** Containers hold modules; they are not layers, so calling one is a mistake worth naming. */
function notCallable(name: string, hint: string): never {
  throw new DataError(`${name} is a container and has no forward (as in PyTorch): ${hint}`);
}

/** Python-style index: negative counts from the end. */
function position(op: string, index: number, length: number): number {
  const i = Number.isInteger(index) && index < 0 ? index + length : index;
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new DataError(`${op}: index ${index} is out of range for length ${length}`);
  }
  return i;
}

function checkModule(op: string, module: unknown): void {
  if (!(module instanceof Module)) throw new DataError(`${op}: expected a Module, got ${module === null ? "null" : typeof module}`);
}

/**
 * Holds sub-modules in a list, as torch.nn.ModuleList: they are registered (trained,
 * saved, switched by `train()`), named "0", "1", … so a ModuleList on property `layers`
 * gives state-dict keys "layers.0.weight". Iterating yields the modules.
 */
export class ModuleList<M extends Module<any, any> = Module<any, any>> extends Module<unknown[], never> {
  // Kept out of the instance's own properties, so entries never collide with members.
  readonly #modules: M[] = [];

  /** @throws DataError when an element is not a Module. */
  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** Number of modules. */
  get length(): number {
    return this.#modules.length;
  }

  /**
   * The module at `index` (negative counts from the end).
   * @throws DataError when the index is out of range.
   */
  get(index: number): M {
    return this.#modules[position("ModuleList.get", index, this.#modules.length)]!;
  }

  /**
   * Replaces the module at `index`. Returns this.
   * @throws DataError when the index is out of range or the value is not a Module.
   */
  set(index: number, module: M): this {
    checkModule("ModuleList.set", module);
    this.#modules[position("ModuleList.set", index, this.#modules.length)] = module;
    return this;
  }

  /** Appends a module. Returns this. */
  append(module: M): this {
    checkModule("ModuleList.append", module);
    this.#modules.push(module);
    return this;
  }

  /** Appends every module of `modules`. Returns this. */
  extend(modules: Iterable<M>): this {
    if (modules === null || typeof (modules as Iterable<M>)[Symbol.iterator] !== "function") {
      throw new DataError("ModuleList: expected an iterable of Modules");
    }
    for (const m of [...modules]) this.append(m);
    return this;
  }

  /** Inserts a module before `index` (negative counts from the end), as list.insert. */
  insert(index: number, module: M): this {
    checkModule("ModuleList.insert", module);
    const n = this.#modules.length;
    // Python's insert clamps instead of raising.
    const i = Number.isInteger(index) ? Math.min(Math.max(index < 0 ? index + n : index, 0), n) : position("ModuleList.insert", index, n);
    this.#modules.splice(i, 0, module);
    return this;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<M> {
    return this.#modules[Symbol.iterator]();
  }

  /** Entries named by position, after any modules held on own properties of a subclass. */
  override namedChildren(): [string, Module<any, any>][] {
    return [...super.namedChildren(), ...this.#modules.map((m, i): [string, M] => [String(i), m])];
  }

  /** @throws DataError always: iterate over the list and call each module's forward. */
  forward(..._inputs: unknown[]): never {
    return notCallable("ModuleList", "iterate over it and call each module's forward");
  }
}

/**
 * Holds sub-modules by name, as torch.nn.ModuleDict; a ModuleDict on property `heads`
 * gives state-dict keys "heads.<key>.weight". Entries live in an internal Map, not on the
 * instance, so keys such as "training" or "forward" are safe. Like PyTorch's, iterating
 * yields the keys; `get` of a missing key returns undefined, as a Map does.
 */
export class ModuleDict<M extends Module<any, any> = Module<any, any>> extends Module<unknown[], never> {
  readonly #modules = new Map<string, M>();

  /** @throws DataError on a bad key or a value that is not a Module. */
  constructor(modules: Record<string, M> | Iterable<readonly [string, M]> = {}) {
    super();
    this.update(modules);
  }

  /** Number of entries. */
  get size(): number {
    return this.#modules.size;
  }

  /** The module under `key`, or undefined. */
  get(key: string): M | undefined {
    return this.#modules.get(key);
  }

  /**
   * Adds or replaces the module under `key`. Returns this.
   * @throws DataError when the key is empty or contains "." (it would break dotted names),
   * or the value is not a Module.
   */
  set(key: string, module: M): this {
    if (typeof key !== "string" || key === "" || key.includes(".")) {
      throw new DataError(`ModuleDict.set: key must be a non-empty string without ".", got ${JSON.stringify(key)}`);
    }
    checkModule(`ModuleDict.set(${JSON.stringify(key)})`, module);
    this.#modules.set(key, module);
    return this;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.#modules.has(key);
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: string): boolean {
    return this.#modules.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#modules.clear();
  }

  /** Adds every entry of a record or of [key, module] pairs, in order. Returns this. */
  update(modules: Record<string, M> | Iterable<readonly [string, M]>): this {
    if (typeof modules !== "object" || modules === null) throw new DataError("ModuleDict: expected a record or [key, Module] pairs");
    const pairs = Symbol.iterator in modules ? [...(modules as Iterable<readonly [string, M]>)] : Object.entries(modules);
    for (const [key, m] of pairs) this.set(key, m);
    return this;
  }

  /** The keys in insertion order. */
  keys(): IterableIterator<string> {
    return this.#modules.keys();
  }

  /** The modules in insertion order. */
  values(): IterableIterator<M> {
    return this.#modules.values();
  }

  /** [key, module] pairs in insertion order. */
  entries(): IterableIterator<[string, M]> {
    return this.#modules.entries();
  }

  /** The keys, as iterating a PyTorch ModuleDict gives. */
  [Symbol.iterator](): IterableIterator<string> {
    return this.keys();
  }

  /** Entries named by key, after any modules held on own properties of a subclass. */
  override namedChildren(): [string, Module<any, any>][] {
    return [...super.namedChildren(), ...this.#modules.entries()];
  }

  /** @throws DataError always: pick a module with get(key) and call its forward. */
  forward(..._inputs: unknown[]): never {
    return notCallable("ModuleDict", "pick a module with get(key) and call its forward");
  }
}

/**
 * Holds parameters in a list, as torch.nn.ParameterList: they are registered (trained,
 * saved as "<property>.0", "<property>.1", …). A plain Tensor added to it becomes a
 * `Parameter` sharing its memory (requiring grad), as in PyTorch. Iterating yields the
 * parameters.
 */
export class ParameterList extends Module<unknown[], never> {
  readonly #parameters: Parameter[] = [];

  /** @throws DataError when an element is not a Tensor. */
  constructor(parameters: Iterable<Tensor> = []) {
    super();
    this.extend(parameters);
  }

  /** Number of parameters. */
  get length(): number {
    return this.#parameters.length;
  }

  /**
   * The parameter at `index` (negative counts from the end).
   * @throws DataError when the index is out of range.
   */
  get(index: number): Parameter {
    return this.#parameters[position("ParameterList.get", index, this.#parameters.length)]!;
  }

  /** Replaces the parameter at `index` (a plain Tensor is wrapped). Returns this. */
  set(index: number, parameter: Tensor): this {
    this.#parameters[position("ParameterList.set", index, this.#parameters.length)] = toParameter("ParameterList.set", parameter);
    return this;
  }

  /** Appends a parameter (a plain Tensor is wrapped). Returns this. */
  append(parameter: Tensor): this {
    this.#parameters.push(toParameter("ParameterList.append", parameter));
    return this;
  }

  /** Appends every tensor of `parameters`. Returns this. */
  extend(parameters: Iterable<Tensor>): this {
    if (parameters === null || typeof (parameters as Iterable<Tensor>)[Symbol.iterator] !== "function") {
      throw new DataError("ParameterList: expected an iterable of Tensors");
    }
    for (const p of [...parameters]) this.append(p);
    return this;
  }

  /** The parameters in order. */
  [Symbol.iterator](): Iterator<Parameter> {
    return this.#parameters[Symbol.iterator]();
  }

  /** Entries named by position, after any held on own properties of a subclass. */
  protected override namedOwnParameters(): [string, Parameter][] {
    return [...super.namedOwnParameters(), ...this.#parameters.map((p, i): [string, Parameter] => [String(i), p])];
  }

  /** One line per parameter, as PyTorch prints a ParameterList. */
  override extraRepr(): string {
    return this.#parameters
      .map((p, i) => `(${i}): Parameter containing: [float64 of shape ${formatShape(p.shape)}${p.requiresGrad ? "" : ", requiresGrad=false"}]`)
      .join("\n");
  }

  /** @throws DataError always: iterate over the list and use each parameter. */
  forward(..._inputs: unknown[]): never {
    return notCallable("ParameterList", "iterate over it and use each parameter");
  }
}

function toParameter(op: string, value: unknown): Parameter {
  if (value instanceof Parameter) return value;
  if (value instanceof Tensor) return new Parameter(value);
  throw new DataError(`${op}: expected a Tensor, got ${value === null ? "null" : typeof value}`);
}
