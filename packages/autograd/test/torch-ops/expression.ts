import type { Tensor } from "@tapegrad/autograd";

/**
 * A case's expression: the inputs in the fixture's order (indices and masks as float64
 * tensors), returning one tensor or several (split's pieces, sort's values and indices).
 */
export type Expression = (...inputs: Tensor[]) => Tensor | readonly Tensor[];
export type Expressions = Record<string, Expression>;
