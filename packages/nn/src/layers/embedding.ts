// The embedding layers.
export {};
