import { DataError, type Tensor } from "@tapegrad/autograd";
import { Module } from "../module.js";
import { ReLU } from "./activations.js";
import { Dense, denseThenRelu } from "./dense.js";

/**
 * Applies modules one after another. Children are named "0", "1", … (and readable as
 * `seq[0]`) so state-dict keys read "0.weight", "2.bias", as in PyTorch.
 */
export class Sequential extends Module {
  [index: number]: Module;

  /** @throws DataError when an argument is not a Module. */
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new DataError(`Sequential: argument ${i} is not a Module`);
      this[i] = m;
    });
  }

  /** Number of modules (a module added twice counts twice, as it runs twice). */
  get length(): number {
    let n = 0;
    while (this[n] instanceof Module) n++;
    return n;
  }

  /** Appends a module under the next index. Returns this. */
  append(module: Module): this {
    if (!(module instanceof Module)) throw new DataError("Sequential.append: expected a Module");
    this[this.length] = module;
    return this;
  }

  /**
   * Runs the modules in order. A Dense followed by a ReLU runs as one op (linearRelu, the
   * same values and gradients in one pass fewer) unless either has hooks or is a subclass.
   */
  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0, n = this.length; i < n; i++) {
      const module = this[i]!;
      if (i + 1 < n && module instanceof Dense && fusesWithRelu(module, this[i + 1]!)) {
        y = denseThenRelu(module, y);
        i++;
      } else {
        y = module.forward(y);
      }
    }
    return y;
  }
}

/** A plain Dense then a plain ReLU, neither with hooks (which install an own `forward`). */
function fusesWithRelu(dense: Dense, next: Module): boolean {
  return Object.getPrototypeOf(dense) === Dense.prototype && Object.getPrototypeOf(next) === ReLU.prototype && !Object.hasOwn(dense, "forward") && !Object.hasOwn(next, "forward");
}
