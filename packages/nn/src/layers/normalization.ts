// The normalization layers.
export {};
