// torch.nn.functional: one module per family, gathered here (nn.functional.<name>).
export * from "./losses.js";
export * from "./activations.js";
export * from "./dropout.js";
export * from "./normalization.js";
export * from "./embedding.js";
export * from "./conv.js";
export * from "./pooling.js";
export * from "./attention.js";
