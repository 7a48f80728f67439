import { DataError, Tensor } from "@tapegrad/autograd";
import { decodeSafetensors, encodeSafetensors, loadSafetensorsFile, saveSafetensorsFile, type SafetensorsWriteDtype } from "./safetensors-codec.js";
import type { NDArray } from "@tapegrad/tensor";
import { checkOptions } from "../options.js";

export type { SafetensorsWriteDtype, SafetensorsReadDtype } from "./safetensors-codec.js";

/** Options of saveSafetensors and encodeStateDict, as safetensors' `save_file(tensors, filename, metadata)` plus a dtype. */
export interface SafetensorsSaveOptions {
  /**
   * Element type of the file (default "F64", every bit kept). "F32" rounds each value to
   * the nearest float32 (Math.fround): what a float32 PyTorch model loads, at half the size.
   */
  dtype?: SafetensorsWriteDtype;
  /** String key/value pairs stored in the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

function arrays(stateDict: Record<string, Tensor>, op: string): Record<string, NDArray> {
  if (typeof stateDict !== "object" || stateDict === null) throw new DataError(`${op}: expected an object of tensors by name`);
  const out: Record<string, NDArray> = {};
  for (const [key, t] of Object.entries(stateDict)) {
    if (!(t instanceof Tensor)) throw new DataError(`${op}: value for ${JSON.stringify(key)} is not a Tensor`);
    out[key] = t.array;
  }
  return out;
}

function saveOptions(op: string, options: unknown): { dtype: SafetensorsWriteDtype; metadata: Record<string, string> | undefined } {
  const o = checkOptions(op, options, ["dtype", "metadata"]);
  const dtype = o.dtype ?? "F64";
  if (dtype !== "F64" && dtype !== "F32") {
    const hint = typeof dtype === "string" && ["float32", "f32", "float", "torch.float32"].includes(dtype.toLowerCase()) ? '; did you mean "F32"?' : "";
    throw new DataError(`${op}: dtype must be "F64" or "F32", got ${JSON.stringify(dtype)}${hint}`);
  }
  return { dtype, metadata: o.metadata as Record<string, string> | undefined };
}

function tensors(decoded: Record<string, NDArray>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(decoded).map(([k, a]) => [k, new Tensor(a)]));
}

/**
 * The bytes of a safetensors file holding `stateDict` (F64 by default, or F32 for
 * PyTorch's default float32 models), readable by Python's `safetensors` package. Works
 * anywhere, including browsers. Keys are written in sorted order, so equal dicts give
 * equal bytes.
 * @throws DataError when a value is not a Tensor, on an unknown option or an unsupported dtype.
 */
export function encodeStateDict(stateDict: Record<string, Tensor>, options?: SafetensorsSaveOptions): Uint8Array {
  const { dtype, metadata } = saveOptions("encodeStateDict", options);
  return encodeSafetensors(arrays(stateDict, "encodeStateDict"), metadata, dtype);
}

/**
 * Tensors by name from the bytes of a safetensors file; F64, F32, F16, BF16 (and integer
 * and bool) tensors are widened exactly to float64, so PyTorch's float32 and half-precision
 * checkpoints load as they are.
 * @throws DataError on a malformed file or an unsupported dtype.
 */
export function decodeStateDict(bytes: Uint8Array): Record<string, Tensor> {
  return tensors(decodeSafetensors(bytes).tensors);
}

/**
 * Writes `stateDict` to `path` in the safetensors format (Node.js only); `{ dtype: "F32" }`
 * writes what `torch.nn.Module.load_state_dict` takes into a float32 model.
 * @throws DataError when a value is not a Tensor, on an unknown option or dtype; the file system's error when writing fails.
 */
export function saveSafetensors(path: string, stateDict: Record<string, Tensor>, options?: SafetensorsSaveOptions): void {
  const { dtype, metadata } = saveOptions("saveSafetensors", options);
  saveSafetensorsFile(path, arrays(stateDict, "saveSafetensors"), metadata, dtype);
}

/**
 * Reads tensors by name from a safetensors file (Node.js only), e.g. for `loadStateDict`;
 * F64, F32, F16 and BF16 are widened exactly to float64.
 * @throws DataError on a truncated or malformed file or an unsupported dtype.
 */
export function loadSafetensors(path: string): Record<string, Tensor> {
  return tensors(loadSafetensorsFile(path).tensors);
}
