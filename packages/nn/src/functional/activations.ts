// torch.nn.functional: the activation functions.
export {};
