// Free functions of the conv ops.
export {};
