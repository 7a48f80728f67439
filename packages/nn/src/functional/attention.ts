// torch.nn.functional: the attention functions.
export {};
