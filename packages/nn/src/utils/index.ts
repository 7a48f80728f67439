// torch.nn.utils.
export * from "./clip-grad.js";
