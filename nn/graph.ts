// The network graph: activation tensors (shapes per sample, batch excluded), constant
// parameters (with how to initialise them) and nodes in execution order.

/** Activation functions of the space, plus the ones the head needs. */
export type ActFn = 'silu' | 'relu' | 'relu6' | 'hardswish' | 'leakyrelu' | 'sigmoid';

export const ACT_FNS: readonly ActFn[] = ['silu', 'relu', 'relu6', 'hardswish', 'leakyrelu', 'sigmoid'];

/** Slope of LeakyReLU in the space (Darknet's 0.1). */
export const LEAKY_SLOPE = 0.1;

export type Op =
  | {
      readonly kind: 'conv';
      readonly cout: number;
      readonly k: number;
      readonly stride: number;
      readonly pad: number;
      readonly dilation: number;
      readonly groups: number;
    }
  | { readonly kind: 'convTranspose'; readonly cout: number; readonly k: number; readonly stride: number; readonly pad: number }
  | { readonly kind: 'batchNorm'; readonly eps: number }
  | { readonly kind: 'act'; readonly fn: ActFn }
  | { readonly kind: 'add' }
  | { readonly kind: 'sub' }
  | { readonly kind: 'mul' }
  | { readonly kind: 'concat'; readonly axis: number }
  | { readonly kind: 'split'; readonly axis: number; readonly sizes: readonly number[] }
  | { readonly kind: 'maxPool'; readonly k: number; readonly stride: number; readonly pad: number }
  | { readonly kind: 'resize'; readonly scale: number }
  | { readonly kind: 'reshape'; readonly shape: readonly number[] }
  | { readonly kind: 'transpose'; readonly perm: readonly number[] }
  | { readonly kind: 'softmax'; readonly axis: number };

export type OpKind = Op['kind'];

/** How a parameter gets its initial values (PyTorch's defaults unless stated). */
export type Init =
  | { readonly kind: 'uniform'; readonly bound: number }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'arange' }
  | { readonly kind: 'values'; readonly data: Float32Array };

export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
  /** Counted in the parameter total (weights and biases, BN affine; not running statistics). */
  readonly counted: boolean;
  /** Learned during training (the DFL conv and BN statistics are not). */
  readonly trainable: boolean;
}

export interface Tensor {
  readonly name: string;
  /** Per-sample shape, batch excluded: [C, H, W] for feature maps. */
  readonly shape: readonly number[];
}

export interface Node {
  readonly name: string;
  readonly op: Op;
  /** Activation tensors consumed, or constant parameters used as operands (e.g. anchor grids). */
  readonly inputs: readonly string[];
  /** The op's own parameters in ONNX input order (conv: weight, bias; BN: scale, bias, mean, var). */
  readonly params: readonly string[];
  readonly outputs: readonly string[];
  /** Module path such as `backbone.4.m.0.cv1`; its first two parts name the layer. */
  readonly scope: string;
  /** The module type this node belongs to, e.g. `C2f`. */
  readonly module: string;
  /** The report layer (a module two scopes deep, e.g. `backbone.4`) holding this node, or ''. */
  readonly layer: string;
}

export interface Graph {
  readonly name: string;
  readonly input: Tensor;
  readonly outputs: readonly string[];
  readonly tensors: ReadonlyMap<string, Tensor>;
  readonly params: ReadonlyMap<string, Param>;
  readonly nodes: readonly Node[];
  /** Top-level layers in order, for per-layer reports: scope prefix and module type. */
  readonly layers: readonly { readonly scope: string; readonly module: string }[];
  /** The feature maps a detect head reads (P3, P4, P5), when the graph has one. */
  readonly features: readonly string[];
}

/** A graph that cannot be built as asked (shapes that do not line up, bad arguments). */
export class GraphError extends Error {
  override readonly name = 'GraphError';
}
