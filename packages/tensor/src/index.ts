/**
 * @tapegrad/tensor: strided float64 n-dimensional arrays with views, broadcasting,
 * kernels and a seeded random number generator. No autograd lives here.
 * @packageDocumentation
 */
export { NDArray, shapeFromArgs, type ShapeArgs } from "./ndarray.js";
export { Storage, allocate, beginCollecting, endCollecting } from "./storage.js";
export { checkOptions, checkBoolean, optionalNumber, suggestName } from "./options.js";
export { TapegradError, ShapeError, DataError, formatShape } from "./errors.js";
export {
  broadcastShapes,
  broadcastStrides,
  checkShape,
  contiguousStrides,
  normalizeDim,
  normalizeDims,
  resolveReshape,
  sameShape,
  sizeOf,
  viewStrides,
  MAX_ELEMENTS,
  type Shape,
} from "./layout.js";
export { flattenNested, type NestedArray } from "./nested.js";
export { Generator, defaultGenerator, manualSeed, pickGenerator, rand, randn, DEFAULT_SEED, type RandomOptions, type Seed } from "./random.js";
export * as kernels from "./kernels/index.js";
export { getNumThreads, setNumThreads } from "./threads.js";
export { wasmGemmAvailable, type WasmGemmBuild } from "./kernels/fastgemm/wasm.js";
export { nativeKernelsAvailable } from "./kernels/fastgemm/native.js";
