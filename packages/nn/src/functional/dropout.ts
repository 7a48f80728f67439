// torch.nn.functional: the dropout functions.
import { NDArray, Tensor } from "@tapegrad/autograd";
import { pickGenerator, type Generator } from "@tapegrad/tensor";
import { checkBoolean, checkOptions } from "../options.js";
import { checkInplace, dropoutProbability, tensorArgument } from "../layer-checks.js";

/** Options of `dropout` (and of the Dropout layer). */
export interface DropoutOptions {
  /** Must be false (the default): tapegrad always returns a new tensor. */
  inplace?: boolean;
  /** Where the random mask comes from; the default generator (see manualSeed) otherwise. */
  generator?: Generator;
}

/**
 * Inverted dropout, as torch.nn.functional.dropout(input, p=0.5, training=True): in
 * training each element is kept with probability 1 − p and scaled by 1/(1 − p), else set
 * to 0, so the expected value is unchanged; the gradient is the same mask times the same
 * scale. With `training` false, or p = 0, the input itself is returned; p = 1 gives zeros
 * (x·0). The mask draws one uniform number per element from `options.generator` or the
 * default generator (see manualSeed), so seeding makes it reproducible. The fourth
 * argument may also be PyTorch's positional `inplace` (only false). Any shape → same shape.
 * @throws DataError when x is not a Tensor, p is not in [0, 1], training is not a boolean,
 *   on an unknown option, `inplace: true` or a generator that is not a Generator.
 */
export function dropout(x: Tensor, p = 0.5, training = true, options: DropoutOptions | boolean = {}): Tensor {
  const op = "dropout";
  const input = tensorArgument(op, x);
  const probability = dropoutProbability(op, p);
  const train = checkBoolean(op, "training", training, true);
  const o = typeof options === "boolean" ? { inplace: options } : (checkOptions(op, options, ["inplace", "generator"]) as DropoutOptions);
  checkInplace(op, o.inplace);
  const generator = pickGenerator({ generator: o.generator }, op);
  if (!train || probability === 0 || input.size === 0) return input;
  if (probability === 1) return input.mul(0);
  const keep = 1 - probability;
  const scale = 1 / keep;
  // One uniform number per element, in row-major order of the input's shape: u < 1 − p keeps it.
  const noise = new Float64Array(input.size);
  for (let i = 0; i < noise.length; i++) noise[i] = generator.random() < keep ? scale : 0;
  return input.mul(new Tensor(new NDArray(noise, [...input.shape])));
}
