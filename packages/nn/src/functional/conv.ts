// torch.nn.functional: the conv functions.
export {};
