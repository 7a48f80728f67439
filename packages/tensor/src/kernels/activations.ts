// Kernels of the activations ops (filled in by the ops issue).
export {};
