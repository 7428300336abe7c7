// nn/autodiff: reverse-mode differentiation of nn graphs, emitted as ONNX (forward + backward in one model).
export { emitBackward, onnxShape, type BackwardOptions, type ConvHook } from './backward.js';
export { attr, DTYPE, Emitter, type Elem } from './emitter.js';
export { emitLoss, gradientModel, trainableParams, type GradientModel, type GradientOptions, type LossContext, type LossParts, type LossSpec } from './model.js';
export { float64GradientModel, type Float64GradientModel, type Float64GradientOptions } from './float64.js';
