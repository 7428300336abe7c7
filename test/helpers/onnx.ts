// Running exported graphs in the real onnxruntime-node, and weights for tests.
import * as ort from 'onnxruntime-node';
import { createRng, toOnnx, type Graph } from '../../nn/index.js';

/** Random weights everywhere (BN statistics too), so no op hides behind an identity init. */
export function randomWeights(graph: Graph, seed: number): Map<string, Float32Array> {
  const rng = createRng(seed, 'test-weights');
  const out = new Map<string, Float32Array>();
  for (const p of graph.params.values()) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (p.init.kind === 'values' || p.init.kind === 'arange' || p.name.endsWith('half')) {
      out.set(p.name, p.init.kind === 'values' ? p.init.data : p.init.kind === 'arange' ? Float32Array.from({ length: n }, (_, i) => i) : new Float32Array(n).fill(0.5));
      continue;
    }
    const fanIn = p.shape.length === 4 ? (p.shape[1] ?? 1) * (p.shape[2] ?? 1) * (p.shape[3] ?? 1) : 1;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      data[i] = p.name.endsWith('running_var') ? 0.5 + Math.abs(z) : p.shape.length === 4 ? z / Math.sqrt(fanIn) : 0.3 * z;
    }
    out.set(p.name, data);
  }
  return out;
}

export async function runOnnx(
  graph: Graph,
  input: Float32Array,
  batch: number,
  opts: { weights?: ReadonlyMap<string, Float32Array>; seed?: number; outputs?: readonly string[] } = {},
): Promise<Record<string, ort.Tensor>> {
  const bytes = toOnnx(graph, { batch, weights: opts.weights, seed: opts.seed, outputs: opts.outputs });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const x = new ort.Tensor('float32', input, [batch, ...graph.input.shape]);
    return await session.run({ [graph.input.name]: x });
  } finally {
    await session.release();
  }
}
