// Free functions of the shape ops, as PyTorch has them (torch.gather(x, dim, index)), so code ports line by line.
export {};
