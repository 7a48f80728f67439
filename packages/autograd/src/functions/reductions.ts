// Free functions of the reductions ops, as PyTorch has them (torch.gather(x, dim, index)), so code ports line by line.
export {};
