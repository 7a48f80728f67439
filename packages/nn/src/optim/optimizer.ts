import { AutogradError, DataError, Tensor } from "@tapegrad/autograd";

/** Per-parameter optimizer state: counters and buffers shaped like the parameter. */
export type ParamState = Record<string, number | Float64Array>;

/** A serializable optimizer state: hyperparameters and per-parameter state by position. */
export interface OptimizerState {
  hyperparameters: Record<string, unknown>;
  state: Record<number, Record<string, number | number[]>>;
}

/**
 * Checks a hyperparameter and returns it.
 * @throws DataError naming the optimizer and the value when `valid` fails.
 */
export function checkHyper(optimizer: string, name: string, value: number, valid: (v: number) => boolean, expected: string): number {
  if (typeof value !== "number" || !valid(value)) {
    throw new DataError(`${optimizer}: invalid ${name} ${String(value)}: expected ${expected}`);
  }
  return value;
}

/**
 * Base of the optimizers: holds the parameters and their state, and updates the
 * parameters' buffers in place (bumping their versions, so a graph that saved an old value
 * refuses to backpropagate through it).
 */
export abstract class Optimizer {
  /** The parameters this optimizer updates, in order. */
  readonly params: readonly Tensor[];
  /** State per parameter (momentum buffers, Adam moments, step counts). */
  protected readonly state = new Map<Tensor, ParamState>();

  /** @throws DataError on an empty list, a non-Tensor, a duplicate, or a tensor that does not require grad. */
  constructor(params: Iterable<Tensor>, name: string) {
    const list = params && typeof (params as Iterable<Tensor>)[Symbol.iterator] === "function" ? [...params] : null;
    if (list === null) throw new DataError(`${name}: params must be an array of tensors, e.g. model.parameters()`);
    if (list.length === 0) throw new DataError(`${name}: got an empty parameter list`);
    const seen = new Set<Tensor>();
    list.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new DataError(`${name}: parameter ${i} is not a Tensor`);
      if (!p.isLeaf || !p.requiresGrad) throw new DataError(`${name}: parameter ${i} must be a leaf tensor that requires grad`);
      if (!p.array.isContiguous()) throw new DataError(`${name}: parameter ${i} must be contiguous`);
      if (seen.has(p)) throw new DataError(`${name}: parameter ${i} appears more than once`);
      seen.add(p);
    });
    this.params = list;
  }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;

  /** Hyperparameters, for saving and for error messages. */
  protected abstract hyperparameters(): Record<string, unknown>;

  /** Clears the gradients of every parameter (sets `.grad` to null). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** The parameters with gradients, with their buffers: what `step()` updates. */
  protected *updates(): Generator<{ param: Tensor; value: Float64Array; grad: Float64Array; state: ParamState }> {
    for (const param of this.params) {
      const g = param.grad;
      if (g === null) continue;
      let state = this.state.get(param);
      if (!state) this.state.set(param, (state = {}));
      const value = param.array.data.subarray(param.array.offset, param.array.offset + param.size);
      yield { param, value, grad: g.array.values(), state };
      param.bumpVersion();
    }
  }

  /** A copy of the optimizer's state, to resume training later. */
  stateDict(): OptimizerState {
    const state: OptimizerState["state"] = {};
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (!s) return;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v)]));
    });
    return { hyperparameters: this.hyperparameters(), state };
  }

  /**
   * Restores state saved by `stateDict()`. Everything is checked before anything changes.
   * @throws AutogradError when the state names a parameter this optimizer lacks or a buffer's size differs.
   */
  loadStateDict(saved: OptimizerState): void {
    if (typeof saved !== "object" || saved === null || typeof saved.state !== "object") {
      throw new AutogradError("loadStateDict: expected an object with a 'state' field, as stateDict() returns");
    }
    const next = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(saved.state)) {
      const param = this.params[Number(key)];
      if (!param) throw new AutogradError(`loadStateDict: state for parameter ${key}, but the optimizer has ${this.params.length}`);
      const restored: ParamState = {};
      for (const [name, v] of Object.entries(entry)) {
        if (typeof v === "number") restored[name] = v;
        else if (Array.isArray(v) && v.length === param.size) restored[name] = Float64Array.from(v);
        else throw new AutogradError(`loadStateDict: buffer ${name} of parameter ${key} has the wrong size for shape [${param.shape.join(",")}]`);
      }
      next.set(param, restored);
    }
    this.state.clear();
    for (const [p, s] of next) this.state.set(p, s);
  }
}
