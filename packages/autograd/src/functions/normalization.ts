// Free functions of the normalization ops.
export {};
