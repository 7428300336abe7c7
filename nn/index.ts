// nn/: the network graph and everything that needs only the graph.
export type { ActFn, Graph, Init, Node, Op, OpKind, Param, Tensor } from './graph.js';
export { ACT_FNS, GraphError, LEAKY_SLOPE } from './graph.js';
export { GraphBuilder, type ConvSpec, type T } from './builder.js';
export { checkShapes, inferShapes } from './shapes.js';
export * as blocks from './blocks.js';
export type { BlockCtx } from './blocks.js';
export { detectHead, REG_MAX, type HeadOptions, type HeadOutputs } from './head.js';
export { costs, type Costs, type LayerCost, type NodeCost, type PeakMemory } from './costs.js';
export { initParam, initWeights, type Weights } from './init.js';
export { OPSET, toOnnx, type IAttr, type INode, type ITensor, type IValueInfo, type OnnxExtension, type OnnxOptions } from './onnx.js';
export { createRng, fillNormal, fillUniform, hashString, type Rng } from './random.js';
export { createSession, type SessionOptions } from './session.js';
export * as autodiff from './autodiff/index.js';
export { gradientModel, trainableParams, type GradientModel, type GradientOptions, type LossSpec } from './autodiff/index.js';
