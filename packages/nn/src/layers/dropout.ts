// The dropout layers.
export {};
