// The pooling layers.
export {};
