// torch.nn.functional: the embedding functions.
export {};
