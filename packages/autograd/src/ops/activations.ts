/** The activations methods of Tensor, installed on its prototype below (declared on Tensor in tensor.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ActivationMethods {}
