// Seeded weight initialisation with PyTorch's default distributions. Each parameter draws from
// its own stream keyed by (seed, parameter name), so a weight does not change when an unrelated
// part of the graph does.
import type { Graph, Param } from './graph.js';
import { fillUniform } from './random.js';

export type Weights = ReadonlyMap<string, Float32Array>;

/** Writes the initial values of `param` into `out` (which has its element count). */
export function initParamInto(param: Param, seed: number, out: Float32Array): Float32Array {
  const init = param.init;
  switch (init.kind) {
    case 'constant':
      return out.fill(init.value);
    case 'arange':
      for (let i = 0; i < out.length; i++) out[i] = i;
      return out;
    case 'values':
      if (init.data.length !== out.length) throw new RangeError(`${param.name}: ${init.data.length} values for ${out.length} elements`);
      out.set(init.data);
      return out;
    case 'uniform':
      return fillUniform(out, seed, param.name, -init.bound, init.bound);
  }
}

export function initParam(param: Param, seed: number): Float32Array {
  return initParamInto(param, seed, new Float32Array(param.shape.reduce((a, b) => a * b, 1)));
}

/** All parameters of the graph, initialised from `seed`. */
export function initWeights(graph: Graph, seed: number): Weights {
  const weights = new Map<string, Float32Array>();
  for (const p of graph.params.values()) weights.set(p.name, initParam(p, seed));
  return weights;
}
