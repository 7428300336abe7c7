// Seeded weight initialisation with PyTorch's default distributions. Each parameter draws from
// its own stream keyed by (seed, parameter name), so a weight does not change when an unrelated
// part of the graph does.
import type { Graph, Param } from './graph.js';
import { createRng } from './random.js';

export type Weights = ReadonlyMap<string, Float32Array>;

export function initParam(param: Param, seed: number): Float32Array {
  const n = param.shape.reduce((a, b) => a * b, 1);
  const init = param.init;
  switch (init.kind) {
    case 'constant':
      return new Float32Array(n).fill(init.value);
    case 'arange':
      return Float32Array.from({ length: n }, (_, i) => i);
    case 'values':
      if (init.data.length !== n) throw new RangeError(`${param.name}: ${init.data.length} values for ${n} elements`);
      return init.data;
    case 'uniform': {
      const rng = createRng(seed, param.name);
      const out = new Float32Array(n);
      const span = 2 * init.bound;
      for (let i = 0; i < n; i++) out[i] = rng.next() * span - init.bound;
      return out;
    }
  }
}

/** All parameters of the graph, initialised from `seed`. */
export function initWeights(graph: Graph, seed: number): Weights {
  const weights = new Map<string, Float32Array>();
  for (const p of graph.params.values()) weights.set(p.name, initParam(p, seed));
  return weights;
}
