import { DataError, type Tensor } from "@tapegrad/autograd";
import { Module } from "../module.js";

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

  /** Runs the modules in order. */
  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0, n = this.length; i < n; i++) y = this[i]!.forward(y);
    return y;
  }
}
