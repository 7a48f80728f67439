export * from "./elementwise.js";
export * from "./reduce.js";
export * from "./matmul.js";
export * from "./join.js";
export * from "./softmax.js";
export * from "./loss.js";
export { coalesce, copyStrided, writeStrided, type StridedView } from "./strided.js";
export { setCompiledLoops, compiledLoopsEnabled } from "./compile.js";
