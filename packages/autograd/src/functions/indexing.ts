// Free functions of the indexing ops, as PyTorch has them (torch.gather(x, dim, index)), so code ports line by line.
export {};
