// The conv layers.
export {};
