// Kernels of the sort ops (filled in by the ops issue).
export {};
