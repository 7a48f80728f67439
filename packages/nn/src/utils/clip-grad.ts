// torch.nn.utils: gradient clipping.
export {};
