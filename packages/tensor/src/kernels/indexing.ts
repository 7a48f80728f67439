// Kernels of the indexing ops (filled in by the ops issue).
export {};
