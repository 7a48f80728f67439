import { DataError, Tensor, noGrad, zerosLike } from "@tapegrad/autograd";
import { checkOptions } from "../options.js";

/** Per-parameter optimizer state: counters and buffers shaped like the parameter. */
export type ParamState = Record<string, number | Float64Array>;

/**
 * A parameter group as the optimizer holds it: its parameters and a full set of
 * hyperparameters (the optimizer's defaults overridden by the group's own), so layers can
 * train at different rates or decays and schedulers can change `lr` per group.
 * `initialLr` is set by the first learning-rate scheduler attached, as in torch.optim.
 */
export type ParamGroup<H> = H & { params: Tensor[]; initialLr?: number };

/** A parameter group as passed in: its parameters and any hyperparameters that differ from the defaults. */
export type ParamGroupInput<H> = { params: Iterable<Tensor> | Tensor } & Partial<H> & { initialLr?: number };

/** What an optimizer accepts: parameters (e.g. `model.parameters()`) or a list of parameter groups. */
export type OptimizerParams<H> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/**
 * An optimizer's state in torch.optim's layout, JSON-serialisable: per-parameter state by
 * position (parameters numbered across groups in order) and each group's hyperparameters
 * with its parameters' positions.
 */
export interface OptimizerStateDict<H> {
  state: Record<number, Record<string, number | number[]>>;
  paramGroups: (H & { params: number[]; initialLr?: number })[];
}

/**
 * Checks a hyperparameter and returns it.
 * @throws DataError naming the optimizer and the value when `valid` fails.
 */
export function checkHyper(optimizer: string, name: string, value: unknown, valid: (v: number) => boolean, expected: string): number {
  if (typeof value !== "number" || !valid(value)) {
    throw new DataError(`${optimizer}: invalid ${name} ${typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value)}: expected ${expected}`);
  }
  return value;
}

/**
 * Checks a boolean hyperparameter: `nesterov: "false"` would otherwise be truthy.
 * @throws DataError naming the optimizer and the value.
 */
export function checkFlag(optimizer: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new DataError(`${optimizer}: ${name} must be a boolean, got ${JSON.stringify(value) ?? String(value)}`);
  return value;
}

/** What a subclass tells the base optimizer: its name (for errors), its defaults, and how to check one full set of hyperparameters (for every group and every loaded state). */
export interface OptimizerSpec<H> {
  name: string;
  defaults: H;
  /** Throws a DataError prefixed with `where` when a hyperparameter is invalid. */
  validate(hyper: H, where: string): void;
}

/**
 * Base of the optimizers, with torch.optim's data model: parameter groups that each carry
 * their own hyperparameters, state per parameter, and a `step()` that visits every
 * parameter with a gradient and updates its buffer in place (bumping its version, so a
 * graph that saved the old value refuses to backpropagate through it). Subclasses write
 * only the update of one parameter.
 */
export abstract class Optimizer<H extends { lr: number } = { lr: number }> {
  /** The hyperparameters given to the constructor; groups fill what they do not set from these. */
  readonly defaults: Readonly<H>;
  /** The parameter groups, read at every step: a scheduler may change `lr` (or any hyperparameter) between steps. */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** State per parameter (momentum buffers, Adam moments, step counts). */
  protected readonly state = new Map<Tensor, ParamState>();
  private readonly name: string;
  private readonly spec: OptimizerSpec<H>;

  /**
   * @param params tensors, or groups `{ params, ...overrides }` as in torch.optim.
   * @throws DataError on an empty list, a non-Tensor, a non-leaf, a non-contiguous tensor, a
   *   parameter listed twice (within or across groups), or an unknown or invalid group key.
   */
  protected constructor(params: OptimizerParams<H>, spec: OptimizerSpec<H>) {
    this.name = spec.name;
    this.spec = spec;
    this.defaults = spec.defaults;
    const list = params !== null && typeof params === "object" && typeof (params as Iterable<unknown>)[Symbol.iterator] === "function" && !(params instanceof Tensor) ? [...(params as Iterable<unknown>)] : null;
    if (list === null) throw new DataError(`${this.name}: params must be an iterable of tensors or of parameter groups { params, ...options }, e.g. model.parameters()`);
    if (list.length === 0) throw new DataError(`${this.name}: got an empty parameter list`);
    // As torch: a list whose first entry is not a group is a list of tensors.
    const first = list[0];
    if (first instanceof Tensor || typeof first !== "object" || first === null) {
      this.addGroup({ params: list as Tensor[] }, this.paramGroups.length, true);
    } else {
      list.forEach((group, i) => this.addGroup(group, i, false));
    }
  }

  /**
   * Adds a group of parameters with their own hyperparameters, e.g. to unfreeze layers
   * while training (torch's `add_param_group`).
   * @throws DataError on an unknown key (suggesting the close one), an invalid value, or a
   *   parameter that is already in a group.
   */
  addParamGroup(group: ParamGroupInput<H>): void {
    this.addGroup(group, this.paramGroups.length, false);
  }

  private addGroup(group: unknown, index: number, plainList: boolean): void {
    const where = `${this.name}: param group ${index}`;
    if (group instanceof Tensor) throw new DataError(`${where} is a Tensor: pass either tensors or groups { params, ...options }, not a mix`);
    const options = checkOptions(where, group, [...Object.keys(this.defaults), "params", "initialLr"]);
    if (!("params" in options)) throw new DataError(`${where}: a parameter group needs a 'params' entry`);
    const raw = options.params;
    const list = raw instanceof Tensor ? [raw] : raw !== null && typeof raw === "object" && Symbol.iterator in raw ? [...(raw as Iterable<unknown>)] : null;
    if (list === null) throw new DataError(`${where}: params must be a tensor or an iterable of tensors`);
    const taken = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) taken.add(p);
    const seen = new Set<Tensor>();
    list.forEach((p, i) => {
      const at = plainList ? `${this.name}: parameter ${i}` : `${where}, parameter ${i}`;
      if (!(p instanceof Tensor)) throw new DataError(`${at} is not a Tensor`);
      if (!p.isLeaf) throw new DataError(`${at} is not a leaf tensor (it is the output of ${p.gradFn?.name ?? "an op"}); optimize the leaf it was computed from`);
      if (!p.array.isContiguous()) throw new DataError(`${at} must be contiguous`);
      if (seen.has(p)) throw new DataError(`${at} appears more than once in its group`);
      if (taken.has(p)) throw new DataError(`${at} is already in another parameter group; a parameter may appear in only one group`);
      seen.add(p);
    });
    const { params: _params, ...overrides } = options;
    const hyper = { ...copyValues(this.defaults), ...copyValues(overrides) } as unknown as H & { initialLr?: number };
    this.spec.validate(hyper, where);
    if (hyper.initialLr !== undefined) checkHyper(where, "initialLr", hyper.initialLr, Number.isFinite, "a finite number");
    this.paramGroups.push({ ...hyper, params: list as Tensor[] });
  }

  /**
   * The learning rate, for code written before parameter groups: reading gives the first
   * group's, writing sets every group's.
   */
  get lr(): number {
    return this.paramGroups[0]!.lr;
  }
  set lr(value: number) {
    checkHyper(this.name, "lr", value, (v) => Number.isFinite(v) && v >= 0, "a finite number ≥ 0");
    for (const group of this.paramGroups) group.lr = value;
  }

  /**
   * Applies one update to every parameter that has a gradient, reading each group's
   * hyperparameters now (so schedulers' changes apply). Parameters without `.grad`, such
   * as frozen ones, are skipped.
   */
  step(): void {
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        const g = param.grad;
        if (g === null) continue;
        let state = this.state.get(param);
        if (!state) this.state.set(param, (state = {}));
        const value = param.array.data.subarray(param.array.offset, param.array.offset + param.size);
        this.update(value, g.array.values(), state, group);
        param.bumpVersion();
      }
    }
  }

  /**
   * One parameter's update in place: `value` is the parameter's buffer, `grad` its gradient
   * (read-only), `state` its state, `group` the hyperparameters of its group.
   */
  protected abstract update(value: Float64Array, grad: Float64Array, state: ParamState, group: H): void;

  /**
   * Clears the gradients of every parameter of every group. By default sets `.grad` to null
   * (torch's `set_to_none=True`), which frees memory and lets `step()` skip the parameter;
   * `{ setToNone: false }` fills them with zeros instead.
   * @throws DataError on an unknown option.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const o = checkOptions("zeroGrad", options, ["setToNone"]);
    const setToNone = o.setToNone === undefined ? true : checkFlag("zeroGrad", "setToNone", o.setToNone);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) p.grad = null;
        else if (g.requiresGrad) p.grad = zerosLike(g);
        else noGrad(() => g.zero_());
      }
    }
  }

  /** A copy of the optimizer's state in torch.optim's layout, to resume training later (JSON-safe). */
  stateDict(): OptimizerStateDict<H> {
    const state: OptimizerStateDict<H>["state"] = {};
    const paramGroups: OptimizerStateDict<H>["paramGroups"] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const ids: number[] = [];
      for (const p of group.params) {
        const s = this.state.get(p);
        if (s) state[index] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v)]));
        ids.push(index++);
      }
      const { params: _params, ...hyper } = group;
      paramGroups.push({ ...copyValues(hyper), params: ids } as H & { params: number[] });
    }
    return { state, paramGroups };
  }

  /**
   * Restores state saved by `stateDict()`, from this optimizer or one built the same way:
   * per-parameter state and every group's hyperparameters. Parameters are matched by
   * position, as in torch. Everything is checked before anything changes.
   * @throws DataError when the group count or a group's size differs, state names a
   *   position out of range, a buffer's size differs from its parameter's, or a
   *   hyperparameter is unknown or invalid.
   */
  loadStateDict(saved: OptimizerStateDict<H>): void {
    const op = `${this.name}.loadStateDict`;
    if (typeof saved !== "object" || saved === null || typeof saved.state !== "object" || saved.state === null || !Array.isArray(saved.paramGroups)) {
      throw new DataError(`${op}: expected { state, paramGroups } as stateDict() returns`);
    }
    if (saved.paramGroups.length !== this.paramGroups.length) {
      throw new DataError(`${op}: the state has ${saved.paramGroups.length} parameter groups, the optimizer ${this.paramGroups.length}`);
    }
    const byId = new Map<number, Tensor>();
    const hypers: (H & { initialLr?: number })[] = [];
    saved.paramGroups.forEach((group, g) => {
      const where = `${op}: param group ${g}`;
      const o = checkOptions(where, group, [...Object.keys(this.defaults), "params", "initialLr"]);
      const ids = o.params;
      const mine = this.paramGroups[g]!.params;
      if (!Array.isArray(ids) || ids.length !== mine.length) {
        throw new DataError(`${where} has ${Array.isArray(ids) ? ids.length : "no"} parameters, the optimizer's has ${mine.length}`);
      }
      ids.forEach((id, i) => {
        if (typeof id !== "number" || byId.has(id)) throw new DataError(`${where}: parameter id ${String(id)} is not a number or appears twice`);
        byId.set(id, mine[i]!);
      });
      const { params: _params, ...rest } = o;
      const hyper = { ...this.paramGroups[g]!, ...copyValues(rest) } as unknown as H & { params?: unknown; initialLr?: number };
      delete hyper.params;
      if (!("initialLr" in rest)) delete hyper.initialLr;
      this.spec.validate(hyper, where);
      if (hyper.initialLr !== undefined) checkHyper(where, "initialLr", hyper.initialLr, Number.isFinite, "a finite number");
      hypers.push(hyper);
    });
    const next = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(saved.state)) {
      const param = byId.get(Number(key));
      if (!param) throw new DataError(`${op}: state for parameter ${key}, but the groups hold ids ${[...byId.keys()].join(", ")}`);
      if (typeof entry !== "object" || entry === null) throw new DataError(`${op}: state of parameter ${key} must be an object`);
      const restored: ParamState = {};
      for (const [name, v] of Object.entries(entry)) {
        if (typeof v === "number") restored[name] = v;
        else if (Array.isArray(v) && v.length === param.size && v.every((x) => typeof x === "number")) restored[name] = Float64Array.from(v);
        else throw new DataError(`${op}: buffer ${name} of parameter ${key} must be ${param.size} numbers for shape [${param.shape.join(",")}]`);
      }
      next.set(param, restored);
    }
    this.state.clear();
    for (const [p, s] of next) this.state.set(p, s);
    hypers.forEach((hyper, g) => {
      const group = this.paramGroups[g]!;
      delete group.initialLr;
      Object.assign(group, hyper);
    });
  }
}

/** Copies array values (betas) so a saved dict and the live groups never share them. */
function copyValues<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v])) as T;
}
