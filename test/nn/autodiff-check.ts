// Helpers of the gradient checks: a float64 batch evaluator (the naive reference evaluator of
// test/helpers, node by node, plus BatchNorm by batch statistics), losses evaluated in float64, and
// onnxruntime runs of gradient models.
import * as ort from 'onnxruntime-node';
import { createRng, type Graph, type Node, type Param, type Tensor } from '../../nn/index.js';
import { referenceEval } from '../helpers/reference-eval.js';

export type Values = Map<string, Float64Array[]>;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** One node on one sample via referenceEval on a one-node graph (other operands passed as weights). */
function evalNodeSample(graph: Graph, node: Node, get: (name: string) => Float64Array): Float64Array[] {
  const [first = '', ...rest] = node.inputs;
  const params = new Map<string, Param>();
  const weights = new Map<string, Float32Array>();
  for (const name of [...rest, ...node.params]) {
    const shape = (graph.tensors.get(name) ?? graph.params.get(name))?.shape ?? [];
    params.set(name, { name, shape, init: { kind: 'constant', value: 0 }, counted: false, trainable: false });
    // Float64 values through the evaluator's Float32Array-typed door (it copies with Float64Array.from).
    weights.set(name, get(name) as unknown as Float32Array);
  }
  const input: Tensor = graph.tensors.get(first) ?? { name: first, shape: graph.params.get(first)?.shape ?? [] };
  const tensors = new Map<string, Tensor>(node.outputs.map((o) => [o, graph.tensors.get(o) as Tensor]));
  tensors.set(first, input);
  const g: Graph = { name: 'one', input, outputs: node.outputs, tensors, params, nodes: [node], layers: [], features: [] };
  const out = referenceEval(g, get(first) as unknown as Float32Array, weights);
  return node.outputs.map((o) => out.get(o)?.data as Float64Array);
}

/**
 * Evaluates `graph` on a batch in float64. `bn: 'batch'` normalises each BatchNorm by the biased
 * statistics of the batch (over samples and space), as nn/onnx.ts's 'batch' mode does.
 */
export function evalBatch(
  graph: Graph,
  inputs: readonly Float64Array[],
  weights: ReadonlyMap<string, Float64Array>,
  bn: 'inference' | 'batch',
  /** Called with each node's outputs (per sample) before later nodes read them; may modify them. */
  after?: (node: Node, outputs: Float64Array[][]) => void,
): Values {
  const values: Values = new Map();
  values.set(graph.input.name, [...inputs]);
  const B = inputs.length;
  for (const node of graph.nodes) {
    if (node.op.kind === 'batchNorm' && bn === 'batch') {
      const x = values.get(node.inputs[0] ?? '') as Float64Array[];
      const [c = 0] = graph.tensors.get(node.inputs[0] ?? '')?.shape ?? [];
      const per = (x[0]?.length ?? 0) / c;
      const [gamma, beta] = node.params.map((p) => weights.get(p) as Float64Array) as [Float64Array, Float64Array];
      const out = x.map((s) => new Float64Array(s.length));
      for (let ch = 0; ch < c; ch++) {
        let m = 0;
        for (const s of x) for (let i = 0; i < per; i++) m += s[ch * per + i] ?? 0;
        m /= B * per;
        let v = 0;
        for (const s of x) for (let i = 0; i < per; i++) v += ((s[ch * per + i] ?? 0) - m) ** 2;
        v /= B * per;
        const sd = Math.sqrt(v + node.op.eps);
        x.forEach((s, b) => {
          for (let i = 0; i < per; i++) (out[b] as Float64Array)[ch * per + i] = (((s[ch * per + i] ?? 0) - m) / sd) * (gamma[ch] ?? 0) + (beta[ch] ?? 0);
        });
      }
      after?.(node, [out]);
      values.set(node.outputs[0] ?? '', out);
      continue;
    }
    const outs: Float64Array[][] = node.outputs.map(() => []);
    for (let b = 0; b < B; b++) {
      const get = (name: string): Float64Array => {
        const v = values.get(name);
        if (v) return v[b] as Float64Array;
        const w = weights.get(name);
        if (!w) throw new Error(`no value for ${name}`);
        return w;
      };
      evalNodeSample(graph, node, get).forEach((o, i) => outs[i]?.push(o));
    }
    after?.(node, outs);
    node.outputs.forEach((o, i) => values.set(o, outs[i] as Float64Array[]));
  }
  return values;
}

/** Random weights (BN statistics too) in float32, and their float64 copies. */
export function testWeights(graph: Graph, seed: number): { f32: Map<string, Float32Array>; f64: Map<string, Float64Array> } {
  const rng = createRng(seed, 'autodiff-weights');
  const f32 = new Map<string, Float32Array>();
  for (const p of graph.params.values()) {
    const n = size(p.shape);
    if (p.init.kind === 'values' || p.init.kind === 'arange' || !p.trainable) {
      const data = new Float32Array(n);
      if (p.name.endsWith('running_var')) for (let i = 0; i < n; i++) data[i] = 0.5 + rng.next();
      else if (p.name.endsWith('running_mean')) for (let i = 0; i < n; i++) data[i] = 0.2 * rng.normal();
      else if (p.init.kind === 'values') data.set(p.init.data);
      else if (p.init.kind === 'arange') for (let i = 0; i < n; i++) data[i] = i;
      else if (p.init.kind === 'constant') data.fill(p.init.value);
      f32.set(p.name, data);
      continue;
    }
    const fanIn = p.shape.length === 4 ? (p.shape[1] ?? 1) * (p.shape[2] ?? 1) * (p.shape[3] ?? 1) : 1;
    const data = new Float32Array(n);
    const isGamma = p.name.endsWith('bn.weight') || p.name.endsWith('.alpha');
    for (let i = 0; i < n; i++) data[i] = isGamma ? 1 + 0.3 * rng.normal() : p.shape.length === 4 ? (1.5 * rng.normal()) / Math.sqrt(fanIn) : 0.3 * rng.normal();
    f32.set(p.name, data);
  }
  const f64 = new Map<string, Float64Array>([...f32].map(([k, v]) => [k, Float64Array.from(v)]));
  return { f32, f64 };
}

export function normalF32(n: number, seed: number, stream: string, scale = 1): Float32Array {
  const rng = createRng(seed, stream);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** Splits a [B, ...] float32 batch into float64 samples. */
export function samples(data: Float32Array, B: number): Float64Array[] {
  const per = data.length / B;
  return Array.from({ length: B }, (_, b) => Float64Array.from(data.subarray(b * per, (b + 1) * per)));
}

export async function runModel(model: Uint8Array, graph: Graph, input: Float32Array, B: number): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  try {
    return await session.run({ [graph.input.name]: new ort.Tensor('float32', input, [B, ...graph.input.shape]) });
  } finally {
    await session.release();
  }
}
