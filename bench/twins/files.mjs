// What a twin hands its peers: the example's initial weights and the exact minibatches of
// every step, as two float64 safetensors files. The tapegrad side trains on what it reads
// back from these files, so the peers and tapegrad see the same bits by construction.
import { join } from "node:path";
import { NDArray, Tensor } from "../../packages/autograd/dist/index.js";
import { loadSafetensors, saveSafetensors } from "../../packages/nn/dist/index.js";

/** The two files of the twin `key` in `dir`. */
export function twinFiles(dir, key) {
  return { init: join(dir, `${key}.init.safetensors`), batches: join(dir, `${key}.batches.safetensors`) };
}

/**
 * Writes `model`'s state dict (F64, keys as tapegrad names them) and the batches (each a
 * tensor whose first dimension is the step), then loads both back: the model takes the
 * weights from the file, and the returned batches are the file's.
 * @returns {Record<string, Tensor>} the batches as read from the file.
 */
export function writeAndReload(files, model, batches, metadata) {
  saveSafetensors(files.init, model.stateDict(), { metadata });
  saveSafetensors(files.batches, batches, { metadata });
  model.loadStateDict(loadSafetensors(files.init));
  return loadSafetensors(files.batches);
}

/** A new contiguous tensor holding step `step` of a batches tensor [steps, ...rest] (a copy, made outside the clock). */
export function stepSlice(all, step) {
  const rest = all.shape.slice(1);
  const size = rest.reduce((a, b) => a * b, 1);
  return new Tensor(new NDArray(all.array.values().slice(step * size, (step + 1) * size), rest));
}

/** Float64 tensor from rows of numbers already laid out flat. */
export function flatTensor(values, shape) {
  return new Tensor(new NDArray(values, shape));
}
