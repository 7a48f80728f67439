// torch.nn.functional: the pooling functions.
export {};
