// Lowers an nn Graph (batch 1) to the op list an int8 TensorFlow-Lite-Micro deployment runs. The
// rules follow what the TFLite converter does to a Conv-BN-Act network before int8 quantisation:
//  - BatchNorm right after a conv (its only consumer) is folded into the conv's weights and bias;
//    every conv then carries an int32 bias (the converter emits one for each quantised conv).
//  - ReLU / ReLU6 right after such a conv (its only consumer) become the conv's fused activation:
//    in int8 that is only a clamp of the output range, so it costs nothing.
//  - Other activations stay ops of their own: SiLU = LOGISTIC then MUL(x, sigmoid(x)), so the
//    conv output stays alive until the MUL; hardswish HARD_SWISH; leakyrelu LEAKY_RELU; sigmoid
//    LOGISTIC; an unfused relu / relu6 RELU / RELU6.
//  - A BatchNorm that follows no conv (RepVGG's identity branch) becomes MUL then ADD with
//    per-channel constants, as the converter writes it.
//  - Every other node is one op: ADD, SUB, MUL, CONCATENATION, SPLIT_V, MAX_POOL_2D,
//    RESIZE_NEAREST_NEIGHBOR, RESHAPE, TRANSPOSE, SOFTMAX; ConvTranspose is TRANSPOSE_CONV.
//  - A conv with groups == C_in (one group per input channel) is DEPTHWISE_CONV_2D.
//  - Constant operands of element-wise ops (anchor grids, strides) are int8 constant tensors.
// Activation tensors are int8: one byte per element.
import type { Graph, Node, Op } from '../../nn/index.js';

export type McuOpKind =
  | 'CONV_2D'
  | 'DEPTHWISE_CONV_2D'
  | 'TRANSPOSE_CONV'
  | 'LOGISTIC'
  | 'HARD_SWISH'
  | 'LEAKY_RELU'
  | 'RELU'
  | 'RELU6'
  | 'ADD'
  | 'SUB'
  | 'MUL'
  | 'CONCATENATION'
  | 'SPLIT_V'
  | 'MAX_POOL_2D'
  | 'RESIZE_NEAREST_NEIGHBOR'
  | 'RESHAPE'
  | 'TRANSPOSE'
  | 'SOFTMAX';

/** How an op's time is modelled (latency.ts). */
export type CostClass = 'conv1x1' | 'convKxK' | 'depthwise' | 'transposeConv' | 'elementwise' | 'activation' | 'pooling' | 'copy' | 'softmax';

export interface McuTensor {
  readonly name: string;
  /** Per-sample shape (batch 1 implied). */
  readonly shape: readonly number[];
  /** int8 bytes = elements. */
  readonly bytes: number;
}

/** A constant operand: a graph parameter, or the per-channel scale / shift of an unfolded BN. */
export type McuConstSource =
  | { readonly kind: 'param'; readonly param: string }
  | { readonly kind: 'bnScale' | 'bnShift'; readonly node: string; readonly params: readonly string[]; readonly eps: number };

export interface McuConst {
  readonly name: string;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly source: McuConstSource;
}

/** What a conv-like op needs to quantise and export its weights. */
export interface McuConv {
  readonly cin: number;
  readonly cout: number;
  readonly k: number;
  readonly stride: number;
  readonly pad: number;
  readonly dilation: number;
  readonly groups: number;
  readonly transposed: boolean;
  /** Weight parameter ([cout, cin/groups, k, k]; transposed: [cin, cout, k, k]). */
  readonly weight: string;
  readonly weightShape: readonly number[];
  /** The conv's own bias parameter, if it has one. */
  readonly bias?: string;
  /** The folded BatchNorm: its params [gamma, beta, mean, var] and epsilon. */
  readonly bn?: { readonly node: string; readonly params: readonly string[]; readonly eps: number };
}

export type FusedActivation = 'none' | 'relu' | 'relu6';

export interface McuOp {
  readonly name: string;
  readonly kind: McuOpKind;
  readonly costClass: CostClass;
  readonly inputs: readonly McuTensor[];
  readonly outputs: readonly McuTensor[];
  readonly constants: readonly McuConst[];
  /** Operand names in the op's order: activation tensors and constants, e.g. SUB(anchors, x). */
  readonly operands: readonly string[];
  readonly macs: number;
  /** int8 weight elements (= bytes). */
  readonly weights: number;
  /** int32 bias elements. */
  readonly biases: number;
  /** Per-channel quantisation entries (one per output channel of a conv). */
  readonly channels: number;
  /** int8 elements of constant operands. */
  readonly constantElements: number;
  readonly fused: FusedActivation;
  /** The nn op this op came from (the conv for a fused conv, the act for LOGISTIC / MUL of a SiLU). */
  readonly source: Op;
  readonly conv?: McuConv;
  /** The nn nodes folded into this op. */
  readonly nodes: readonly string[];
  readonly scope: string;
  /** The report layer, e.g. `backbone.4` ('' for nodes outside every layer). */
  readonly layer: string;
  readonly module: string;
}

export interface LoweredModel {
  readonly name: string;
  readonly input: McuTensor;
  /** Names of the model's output tensors. */
  readonly outputs: readonly string[];
  readonly tensors: ReadonlyMap<string, McuTensor>;
  readonly ops: readonly McuOp[];
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function lowerGraph(graph: Graph): LoweredModel {
  const tensors = new Map<string, McuTensor>();
  const tensorOf = (name: string): McuTensor => {
    const known = tensors.get(name);
    if (known) return known;
    const t = graph.tensors.get(name);
    if (!t) throw new RangeError(`lowering ${graph.name}: unknown tensor ${name}`);
    const m = { name, shape: t.shape, bytes: product(t.shape) };
    tensors.set(name, m);
    return m;
  };
  const newTensor = (name: string, shape: readonly number[]): McuTensor => {
    const m = { name, shape, bytes: product(shape) };
    tensors.set(name, m);
    return m;
  };

  const consumers = new Map<string, Node[]>();
  for (const node of graph.nodes) for (const i of new Set(node.inputs)) consumers.set(i, [...(consumers.get(i) ?? []), node]);
  const isOutput = new Set(graph.outputs);
  /** The only consumer of tensor t, when t is not also a model output. */
  const soleConsumer = (t: string): Node | undefined => {
    const c = consumers.get(t);
    return c?.length === 1 && !isOutput.has(t) ? c[0] : undefined;
  };

  const ops: McuOp[] = [];
  const absorbed = new Set<string>();
  const base = (node: Node) => ({ scope: node.scope, layer: node.layer, module: node.module });
  const none = { macs: 0, weights: 0, biases: 0, channels: 0, constantElements: 0, fused: 'none' as FusedActivation };

  /** Activation inputs as tensors, parameter inputs as constants. */
  const split = (node: Node): { inputs: McuTensor[]; constants: McuConst[] } => {
    const inputs: McuTensor[] = [];
    const constants: McuConst[] = [];
    for (const i of node.inputs) {
      const p = graph.params.get(i);
      if (p) constants.push({ name: p.name, shape: p.shape, elements: product(p.shape), source: { kind: 'param', param: p.name } });
      else inputs.push(tensorOf(i));
    }
    return { inputs, constants };
  };

  const simple = (node: Node, kind: McuOpKind, costClass: CostClass): McuOp => {
    const { inputs, constants } = split(node);
    return {
      name: node.name,
      kind,
      costClass,
      inputs,
      outputs: node.outputs.map(tensorOf),
      constants,
      operands: [...node.inputs],
      ...none,
      constantElements: constants.reduce((a, c) => a + c.elements, 0),
      source: node.op,
      nodes: [node.name],
      ...base(node),
    };
  };

  for (const node of graph.nodes) {
    if (absorbed.has(node.name)) continue;
    const op = node.op;
    switch (op.kind) {
      case 'conv':
      case 'convTranspose': {
        // Fold a following BatchNorm, then fuse a following ReLU / ReLU6.
        const folded: Node[] = [node];
        let out = node.outputs[0] ?? '';
        let bn: McuConv['bn'];
        const next = soleConsumer(out);
        if (next?.op.kind === 'batchNorm' && next.inputs[0] === out) {
          bn = { node: next.name, params: next.params, eps: next.op.eps };
          folded.push(next);
          out = next.outputs[0] ?? out;
        }
        let fused: FusedActivation = 'none';
        const after = soleConsumer(out);
        if (after?.op.kind === 'act' && (after.op.fn === 'relu' || after.op.fn === 'relu6')) {
          fused = after.op.fn;
          folded.push(after);
          out = after.outputs[0] ?? out;
        }
        for (const f of folded) absorbed.add(f.name);
        const input = tensorOf(node.inputs[0] ?? '');
        const output = tensorOf(out);
        const cin = input.shape[0] ?? 0;
        const weight = node.params[0] ?? '';
        const weightShape = graph.params.get(weight)?.shape ?? [];
        const k = op.k;
        const conv: McuConv =
          op.kind === 'conv'
            ? { cin, cout: op.cout, k, stride: op.stride, pad: op.pad, dilation: op.dilation, groups: op.groups, transposed: false, weight, weightShape, bias: node.params[1], bn }
            : { cin, cout: op.cout, k, stride: op.stride, pad: op.pad, dilation: 1, groups: 1, transposed: true, weight, weightShape, bias: node.params[1], bn };
        const depthwise = op.kind === 'conv' && op.groups > 1 && op.groups === cin;
        const kind: McuOpKind = op.kind === 'convTranspose' ? 'TRANSPOSE_CONV' : depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D';
        const costClass: CostClass = op.kind === 'convTranspose' ? 'transposeConv' : depthwise ? 'depthwise' : k === 1 ? 'conv1x1' : 'convKxK';
        // MACs as nn/costs counts them: conv = out elements * (C_in / groups) * k^2; transposed = in elements * C_out * k^2.
        const macs = op.kind === 'conv' ? output.bytes * (cin / op.groups) * k * k : input.bytes * op.cout * k * k;
        ops.push({
          name: node.name,
          kind,
          costClass,
          inputs: [input],
          outputs: [output],
          constants: [],
          operands: [input.name],
          macs,
          weights: product(weightShape),
          biases: op.cout,
          channels: op.cout,
          constantElements: 0,
          fused,
          source: op,
          conv,
          nodes: folded.map((f) => f.name),
          ...base(node),
        });
        break;
      }
      case 'batchNorm': {
        // Not after a conv: MUL by gamma / sqrt(var + eps), ADD beta - mean * that, per channel.
        const x = tensorOf(node.inputs[0] ?? '');
        const c = x.shape[0] ?? 0;
        const scaled = newTensor(`${node.name}::scaled`, x.shape);
        const cshape = [c, 1, 1];
        const mk = (kind: 'bnScale' | 'bnShift'): McuConst => ({ name: `${node.name}::${kind === 'bnScale' ? 'scale' : 'shift'}`, shape: cshape, elements: c, source: { kind, node: node.name, params: node.params, eps: op.eps } });
        const scale = mk('bnScale');
        const shift = mk('bnShift');
        ops.push({ name: `${node.name}/mul`, kind: 'MUL', costClass: 'elementwise', inputs: [x], outputs: [scaled], constants: [scale], operands: [x.name, scale.name], ...none, constantElements: c, source: { kind: 'mul' }, nodes: [node.name], ...base(node) });
        ops.push({ name: node.name, kind: 'ADD', costClass: 'elementwise', inputs: [scaled], outputs: node.outputs.map(tensorOf), constants: [shift], operands: [scaled.name, shift.name], ...none, constantElements: c, source: { kind: 'add' }, nodes: [node.name], ...base(node) });
        break;
      }
      case 'act': {
        const x = tensorOf(node.inputs[0] ?? '');
        switch (op.fn) {
          case 'silu': {
            // LOGISTIC then MUL(x, sigmoid(x)): x stays alive until the MUL.
            const sig = newTensor(`${node.name}::sigmoid`, x.shape);
            ops.push({ name: `${node.name}/sigmoid`, kind: 'LOGISTIC', costClass: 'activation', inputs: [x], outputs: [sig], constants: [], operands: [x.name], ...none, source: op, nodes: [node.name], ...base(node) });
            ops.push({ name: node.name, kind: 'MUL', costClass: 'elementwise', inputs: [x, sig], outputs: node.outputs.map(tensorOf), constants: [], operands: [x.name, sig.name], ...none, source: op, nodes: [node.name], ...base(node) });
            break;
          }
          case 'sigmoid':
            ops.push(simple(node, 'LOGISTIC', 'activation'));
            break;
          case 'hardswish':
            ops.push(simple(node, 'HARD_SWISH', 'elementwise'));
            break;
          case 'leakyrelu':
            ops.push(simple(node, 'LEAKY_RELU', 'elementwise'));
            break;
          case 'relu':
            ops.push(simple(node, 'RELU', 'elementwise'));
            break;
          case 'relu6':
            ops.push(simple(node, 'RELU6', 'elementwise'));
            break;
        }
        break;
      }
      case 'add':
        ops.push(simple(node, 'ADD', 'elementwise'));
        break;
      case 'sub':
        ops.push(simple(node, 'SUB', 'elementwise'));
        break;
      case 'mul':
        ops.push(simple(node, 'MUL', 'elementwise'));
        break;
      case 'concat':
        ops.push(simple(node, 'CONCATENATION', 'copy'));
        break;
      case 'split':
        ops.push(simple(node, 'SPLIT_V', 'copy'));
        break;
      case 'maxPool':
        ops.push(simple(node, 'MAX_POOL_2D', 'pooling'));
        break;
      case 'resize':
        ops.push(simple(node, 'RESIZE_NEAREST_NEIGHBOR', 'copy'));
        break;
      case 'reshape':
        ops.push(simple(node, 'RESHAPE', 'copy'));
        break;
      case 'transpose':
        ops.push(simple(node, 'TRANSPOSE', 'copy'));
        break;
      case 'softmax':
        ops.push(simple(node, 'SOFTMAX', 'softmax'));
        break;
    }
  }
  return { name: graph.name, input: tensorOf(graph.input.name), outputs: [...graph.outputs], tensors, ops };
}

/** Output elements of an op (all outputs together). */
export function outputElements(op: McuOp): number {
  return op.outputs.reduce((a, t) => a + t.bytes, 0);
}
