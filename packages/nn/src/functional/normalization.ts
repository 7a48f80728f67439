// torch.nn.functional: the normalization functions.
export {};
