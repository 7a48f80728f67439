import { DataError, NDArray } from "@tapegrad/tensor";

// The safetensors layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
// ({ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {…} }, offsets
// relative to the data that follows), then the raw little-endian tensor bytes.

/** Largest header accepted, as the reference implementation (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Tensors and string metadata read from a safetensors buffer. */
export interface DecodedSafetensors {
  tensors: Record<string, NDArray>;
  metadata: Record<string, string>;
}

/** Dtypes tapegrad writes: F64 keeps every bit; F32 is what a float32 PyTorch model loads. */
export type SafetensorsWriteDtype = "F64" | "F32";

/** Dtypes tapegrad reads, each widened exactly to float64. */
export type SafetensorsReadDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

const BYTES: Record<SafetensorsReadDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/**
 * An IEEE half-precision number from its 16 bits, exactly: subnormals are m·2⁻²⁴, an
 * exponent of 31 is ±∞ (m = 0) or NaN; every half is a float64 without rounding.
 */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** Reads one element of a dtype at byte `at` (little-endian), widened to float64. */
function readElement(view: DataView, dtype: SafetensorsReadDtype, at: number, name: string): number {
  switch (dtype) {
    case "F64":
      return view.getFloat64(at, true);
    case "F32":
      return view.getFloat32(at, true);
    case "F16":
      return halfToNumber(view.getUint16(at, true));
    case "BF16": {
      // bfloat16 is the top half of a float32, so widening is a shift.
      const scratch = new DataView(new ArrayBuffer(4));
      scratch.setUint32(0, view.getUint16(at, true) << 16);
      return scratch.getFloat32(0);
    }
    case "I64": {
      const v = view.getBigInt64(at, true);
      if (v > 2n ** 53n || v < -(2n ** 53n)) throw new DataError(`loadSafetensors: tensor ${JSON.stringify(name)}: I64 value ${v} has no exact float64`);
      return Number(v);
    }
    case "I32":
      return view.getInt32(at, true);
    case "I16":
      return view.getInt16(at, true);
    case "I8":
      return view.getInt8(at);
    case "U8":
      return view.getUint8(at);
    case "BOOL":
      return view.getUint8(at) === 0 ? 0 : 1;
  }
}

/**
 * Encodes arrays as a safetensors buffer: one dtype for every tensor (F64, or F32 rounded
 * to nearest-even as Math.fround), tensors in order of their names (code-unit order; the
 * official writer orders by dtype, then name, which is the same order for one dtype), no
 * gaps, compact JSON with `__metadata__` first and each entry's fields as dtype, shape,
 * data_offsets, padded with spaces so the data starts 8-byte aligned. Equal inputs give
 * equal bytes; without metadata, the same bytes as the official writer.
 * @throws DataError when a name is empty or "__metadata__", metadata is not strings, or the dtype is not F64 or F32.
 */
export function encodeSafetensors(tensors: Record<string, NDArray>, metadata?: Record<string, string>, dtype: SafetensorsWriteDtype = "F64"): Uint8Array {
  if (dtype !== "F64" && dtype !== "F32") throw new DataError(`saveSafetensors: dtype must be "F64" or "F32", got ${JSON.stringify(dtype)}`);
  const width = BYTES[dtype];
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (typeof metadata !== "object" || metadata === null) throw new DataError("saveSafetensors: metadata must be an object of strings");
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new DataError(`saveSafetensors: metadata value for ${JSON.stringify(k)} must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const name of names) {
    if (name === "" || name === "__metadata__") throw new DataError(`saveSafetensors: invalid tensor name ${JSON.stringify(name)}`);
    const array = tensors[name]!;
    if (!(array instanceof NDArray)) throw new DataError(`saveSafetensors: value for ${JSON.stringify(name)} is not an array`);
    header[name] = { dtype, shape: [...array.shape], data_offsets: [offset, offset + width * array.size] };
    offset += width * array.size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const spaced = new Uint8Array(padded).fill(0x20);
    spaced.set(json);
    json = spaced;
  }
  const bytes = new Uint8Array(8 + json.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const values = tensors[name]!.values();
    if (dtype === "F64") for (let i = 0; i < values.length; i++, at += 8) view.setFloat64(at, values[i]!, true);
    else for (let i = 0; i < values.length; i++, at += 4) view.setFloat32(at, values[i]!, true);
  }
  return bytes;
}

const isSize = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/**
 * Decodes a safetensors buffer, widening F64, F32, F16, BF16 and integer/bool tensors
 * exactly to float64 (I64 beyond ±2⁵³ is an error), validating the layout as the reference
 * implementation does: header length within the file, JSON of the right structure,
 * offsets inside the data, sizes that match the shapes, buffers that neither overlap nor
 * leave gaps. The arrays own their memory.
 * @throws DataError naming the problem (and the tensor) for any malformed input.
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  const fail = (why: string): never => {
    throw new DataError(`loadSafetensors: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("expected the bytes of a file");
  if (bytes.length < 8) fail(`file of ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLength} exceeds ${MAX_HEADER_BYTES} bytes`);
  if (headerLength > BigInt(bytes.length - 8)) fail(`header length ${headerLength} runs past the end of a ${bytes.length}-byte file (truncated?)`);
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (error) {
    fail(`header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("header must be a JSON object");
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsReadDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ value for ${JSON.stringify(k)} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `tensor ${JSON.stringify(name)}`;
    if (typeof info !== "object" || info === null) fail(`${where}: entry must be an object`);
    if (typeof info.dtype !== "string" || !Object.hasOwn(BYTES, info.dtype)) {
      fail(`${where}: dtype ${JSON.stringify(info.dtype)} is not supported (supported: ${Object.keys(BYTES).join(", ")})`);
    }
    const dtype = info.dtype as SafetensorsReadDtype;
    if (!Array.isArray(info.shape) || !info.shape.every(isSize)) fail(`${where}: shape must be a list of non-negative integers`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) fail(`${where}: data_offsets must be two non-negative integers`);
    const [begin, end] = offsets as [number, number];
    const shape = info.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength) fail(`${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section`);
    if (end - begin !== BYTES[dtype] * size) fail(`${where}: data_offsets span ${end - begin} bytes but shape [${shape.join(",")}] of ${dtype} needs ${BYTES[dtype] * size}`);
    entries.push({ name, dtype, shape, begin, end });
  }
  // The reference requires the buffers to tile the data section exactly, in offset order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin !== cursor) fail(`tensor ${JSON.stringify(e.name)}: data_offsets [${e.begin}, ${e.end}] ${e.begin < cursor ? "overlap the previous tensor" : "leave a gap"}`);
    cursor = e.end;
  }
  if (cursor !== dataLength) fail(`the data section has ${dataLength} bytes but the tensors cover ${cursor}`);
  const tensors: Record<string, NDArray> = {};
  for (const e of entries) {
    const width = BYTES[e.dtype];
    const size = (e.end - e.begin) / width;
    const values = new Float64Array(size);
    for (let i = 0; i < size; i++) values[i] = readElement(view, e.dtype, dataStart + e.begin + width * i, e.name);
    tensors[e.name] = new NDArray(values, e.shape);
  }
  return { tensors, metadata };
}

/**
 * Node's file system, looked up at call time rather than imported, so this package
 * bundles for browsers (where only the byte-level encode/decode functions apply).
 * @throws DataError outside Node.js.
 */
function fileSystem(op: string): typeof import("node:fs") {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof getBuiltinModule !== "function") {
    throw new DataError(`${op}: reading and writing files needs Node.js (≥ 20.16); in a browser use encodeStateDict / decodeStateDict`);
  }
  return getBuiltinModule("node:fs") as typeof import("node:fs");
}

/** Writes arrays to a safetensors file (Node.js only). */
export function saveSafetensorsFile(path: string, tensors: Record<string, NDArray>, metadata?: Record<string, string>, dtype: SafetensorsWriteDtype = "F64"): void {
  fileSystem("saveSafetensors").writeFileSync(path, encodeSafetensors(tensors, metadata, dtype));
}

/** Reads arrays from a safetensors file (Node.js only). @throws DataError on a malformed file. */
export function loadSafetensorsFile(path: string): DecodedSafetensors {
  return decodeSafetensors(new Uint8Array(fileSystem("loadSafetensors").readFileSync(path)));
}
