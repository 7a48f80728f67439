// Kernels of the statistics ops (filled in by the ops issue).
export {};
