// The attention layers.
export {};
