// Costs of a graph, counted from shapes alone (the network never runs): parameters, MACs,
// activation sizes and the peak of live activation memory in execution order.
import type { Graph, Node } from './graph.js';

export interface NodeCost {
  readonly name: string;
  readonly kind: Node['op']['kind'];
  readonly params: number;
  readonly macs: number;
}

export interface LayerCost {
  /** Layer scope, e.g. `backbone.4`. */
  readonly scope: string;
  readonly module: string;
  /** Per-sample shape of the layer's last output. */
  readonly outputShape: readonly number[];
  readonly params: number;
  readonly macs: number;
}

export interface PeakMemory {
  readonly elements: number;
  readonly bytesFp32: number;
  readonly bytesInt8: number;
  /** The node during which the peak occurs. */
  readonly atNode: string;
}

export interface Costs {
  /** Counted parameters: conv weights and biases, BN affine, the DFL conv; not BN running stats. */
  readonly params: number;
  /** Multiply-accumulates of convolutions (and transposed convolutions) at batch 1. */
  readonly macs: number;
  readonly nodes: readonly NodeCost[];
  readonly layers: readonly LayerCost[];
  /** Elements of every activation tensor (batch 1), graph input included. */
  readonly activations: ReadonlyMap<string, number>;
  readonly peak: PeakMemory;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function nodeMacs(graph: Graph, node: Node): number {
  const op = node.op;
  const inShape = graph.tensors.get(node.inputs[0] ?? '')?.shape ?? [];
  const outShape = graph.tensors.get(node.outputs[0] ?? '')?.shape ?? [];
  if (op.kind === 'conv') return product(outShape) * ((inShape[0] ?? 0) / op.groups) * op.k * op.k;
  if (op.kind === 'convTranspose') return product(inShape) * op.cout * op.k * op.k;
  return 0;
}

/** Counted parameters a node uses, as its own weights or as operands (a BottleRep's alpha). */
function nodeParams(graph: Graph, node: Node): number {
  let n = 0;
  for (const p of new Set([...node.params, ...node.inputs])) {
    const param = graph.params.get(p);
    if (param?.counted) n += product(param.shape);
  }
  return n;
}

/** Peak of live activations: a tensor lives from its producer until its last consumer has run. */
function peakMemory(graph: Graph, sizes: ReadonlyMap<string, number>): PeakMemory {
  const lastUse = new Map<string, number>();
  graph.nodes.forEach((node, i) => node.inputs.forEach((t) => sizes.has(t) && lastUse.set(t, i)));
  const keep = new Set(graph.outputs);
  let live = sizes.get(graph.input.name) ?? 0;
  let peak = live;
  let atNode = graph.nodes[0]?.name ?? '';
  graph.nodes.forEach((node, i) => {
    for (const o of node.outputs) live += sizes.get(o) ?? 0;
    if (live > peak) {
      peak = live;
      atNode = node.name;
    }
    for (const t of new Set(node.inputs)) if (lastUse.get(t) === i && !keep.has(t)) live -= sizes.get(t) ?? 0;
    for (const o of node.outputs) if (!lastUse.has(o) && !keep.has(o)) live -= sizes.get(o) ?? 0;
  });
  return { elements: peak, bytesFp32: peak * 4, bytesInt8: peak, atNode };
}

export function costs(graph: Graph): Costs {
  const activations = new Map<string, number>();
  for (const [name, t] of graph.tensors) activations.set(name, product(t.shape));
  const nodes = graph.nodes.map((node) => ({ name: node.name, kind: node.op.kind, params: nodeParams(graph, node), macs: nodeMacs(graph, node) }));

  const layerIndex = new Map<string, number>();
  const layerTotals = graph.layers.map((l, i) => {
    layerIndex.set(l.scope, i);
    return { scope: l.scope, module: l.module, outputShape: [] as readonly number[], params: 0, macs: 0 };
  });
  graph.nodes.forEach((node, i) => {
    const idx = layerIndex.get(node.layer);
    const layer = idx === undefined ? undefined : layerTotals[idx];
    const cost = nodes[i];
    if (!layer || !cost) return;
    layer.params += cost.params;
    layer.macs += cost.macs;
    layer.outputShape = graph.tensors.get(node.outputs[node.outputs.length - 1] ?? '')?.shape ?? layer.outputShape;
  });

  return {
    params: nodes.reduce((a, n) => a + n.params, 0),
    macs: nodes.reduce((a, n) => a + n.macs, 0),
    nodes,
    layers: layerTotals,
    activations,
    peak: peakMemory(graph, activations),
  };
}
