import type { Tensor } from "@tapegrad/autograd";
import { Module } from "../module.js";

/** max(x, 0) elementwise. Any shape → same shape. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** 1/(1+e⁻ˣ) elementwise, finite for any input. Any shape → same shape. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** tanh elementwise. Any shape → same shape. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** softmax along `dim` (default the last). */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  /** `dim=-1`, for `toString()`. */
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Returns its input unchanged; a placeholder layer. */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
