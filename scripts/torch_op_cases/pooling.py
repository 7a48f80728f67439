"""pooling ops. Each expression is written op for op in
packages/autograd/test/torch-ops/pooling.ts under the same name."""
import torch
from inputs import real, positive, values, constant, index, index_values, mask  # noqa: F401

CASES = {
}
