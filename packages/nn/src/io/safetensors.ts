import { DataError, Tensor } from "@tapegrad/autograd";
import { decodeSafetensors, encodeSafetensors, loadSafetensorsFile, saveSafetensorsFile } from "./safetensors-codec.js";
import type { NDArray } from "@tapegrad/tensor";

function arrays(stateDict: Record<string, Tensor>, op: string): Record<string, NDArray> {
  if (typeof stateDict !== "object" || stateDict === null) throw new DataError(`${op}: expected an object of tensors by name`);
  const out: Record<string, NDArray> = {};
  for (const [key, t] of Object.entries(stateDict)) {
    if (!(t instanceof Tensor)) throw new DataError(`${op}: value for ${JSON.stringify(key)} is not a Tensor`);
    out[key] = t.array;
  }
  return out;
}

function tensors(decoded: Record<string, NDArray>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(decoded).map(([k, a]) => [k, new Tensor(a)]));
}

/**
 * The bytes of a safetensors file (dtype F64) holding `stateDict`, readable by Python's
 * `safetensors` package. Works anywhere, including browsers.
 * @throws DataError when a value is not a Tensor.
 */
export function encodeStateDict(stateDict: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  return encodeSafetensors(arrays(stateDict, "encodeStateDict"), metadata);
}

/**
 * Tensors by name from the bytes of a safetensors file.
 * @throws DataError on a malformed file or a dtype other than F64.
 */
export function decodeStateDict(bytes: Uint8Array): Record<string, Tensor> {
  return tensors(decodeSafetensors(bytes).tensors);
}

/**
 * Writes `stateDict` to `path` in the safetensors format (Node.js only).
 * @throws DataError when a value is not a Tensor; the file system's error when writing fails.
 */
export function saveSafetensors(path: string, stateDict: Record<string, Tensor>, metadata?: Record<string, string>): void {
  saveSafetensorsFile(path, arrays(stateDict, "saveSafetensors"), metadata);
}

/**
 * Reads tensors by name from a safetensors file (Node.js only), e.g. for `loadStateDict`.
 * @throws DataError on a truncated or malformed file.
 */
export function loadSafetensors(path: string): Record<string, Tensor> {
  return tensors(loadSafetensorsFile(path).tensors);
}
