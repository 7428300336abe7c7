// Features of a graph that latency depends on, counted from shapes alone (batch 1): MACs per kind of
// convolution, elements through element-wise and data-movement ops, weight bytes and op count.
// BatchNorm is left out: every runtime we target folds it into the preceding convolution.
import type { Graph, Node } from '../../nn/index.js';

export const FEATURES = [
  'macs_conv1x1',
  'macs_convkxk',
  'macs_grouped',
  'macs_convtranspose',
  'elems_act_cheap',
  'elems_act_exp',
  'elems_elementwise',
  'elems_movement',
  'weight_bytes',
  'ops',
] as const;
export type FeatureName = (typeof FEATURES)[number];
export type FeatureVector = Readonly<Record<FeatureName, number>>;

/** One line each, for reports and the predictor file. */
export const FEATURE_DOC: Readonly<Record<FeatureName, string>> = {
  macs_conv1x1: 'MACs of 1x1 dense convolutions',
  macs_convkxk: 'MACs of kxk (k>1) dense convolutions',
  macs_grouped: 'MACs of grouped and depthwise convolutions',
  macs_convtranspose: 'MACs of transposed convolutions',
  elems_act_cheap: 'output elements of ReLU, ReLU6, LeakyReLU',
  elems_act_exp: 'output elements of SiLU, sigmoid, hardswish, softmax',
  elems_elementwise: 'output elements of add, sub, mul',
  elems_movement: 'output elements of concat, split, maxpool, resize, reshape, transpose',
  weight_bytes: 'fp32 bytes of weights and biases',
  ops: 'operators run (BatchNorm excluded: folded)',
};

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function outElems(graph: Graph, node: Node): number {
  return node.outputs.reduce((a, o) => a + product(graph.tensors.get(o)?.shape ?? []), 0);
}

export function graphFeatures(graph: Graph): FeatureVector {
  const f: Record<FeatureName, number> = Object.fromEntries(FEATURES.map((n) => [n, 0])) as Record<FeatureName, number>;
  for (const node of graph.nodes) {
    const op = node.op;
    const inShape = graph.tensors.get(node.inputs[0] ?? '')?.shape ?? [];
    const out = outElems(graph, node);
    if (op.kind === 'batchNorm') continue;
    f.ops += 1;
    switch (op.kind) {
      case 'conv': {
        const macs = out * ((inShape[0] ?? 0) / op.groups) * op.k * op.k;
        if (op.groups > 1) f.macs_grouped += macs;
        else if (op.k === 1) f.macs_conv1x1 += macs;
        else f.macs_convkxk += macs;
        break;
      }
      case 'convTranspose':
        f.macs_convtranspose += product(inShape) * op.cout * op.k * op.k;
        break;
      case 'act':
        if (op.fn === 'relu' || op.fn === 'relu6' || op.fn === 'leakyrelu') f.elems_act_cheap += out;
        else f.elems_act_exp += out;
        break;
      case 'softmax':
        f.elems_act_exp += out;
        break;
      case 'add':
      case 'sub':
      case 'mul':
        f.elems_elementwise += out;
        break;
      default:
        f.elems_movement += out;
    }
  }
  for (const p of graph.params.values()) if (p.counted) f.weight_bytes += product(p.shape) * 4;
  return f;
}
