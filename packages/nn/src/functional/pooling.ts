// torch.nn.functional: the pooling functions, the free functions of @tapegrad/autograd's pooling ops.
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, type MaxPoolOptions, type AvgPoolOptions } from "@tapegrad/autograd";
