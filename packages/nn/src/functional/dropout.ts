// torch.nn.functional: the dropout functions.
export {};
