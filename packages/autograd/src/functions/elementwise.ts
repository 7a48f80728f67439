// Free functions of the elementwise ops, as PyTorch has them (torch.gather(x, dim, index)), so code ports line by line.
export {};
