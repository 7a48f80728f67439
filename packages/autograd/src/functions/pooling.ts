// Free functions of the pooling ops.
export {};
