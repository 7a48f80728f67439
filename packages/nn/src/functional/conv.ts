// torch.nn.functional: the conv functions. They are the free functions of @tapegrad/autograd's
// conv ops (unfold and fold, each the other's gradient; conv1d and conv2d as unfold + GEMM).
export { conv1d, conv2d, unfold, fold, type ConvOptions, type UnfoldOptions, type SizeArg } from "@tapegrad/autograd";
