// synflow against an independent float64 computation (the reference evaluator with BatchNorm made
// the identity, finite differences), and on the deepest model of the space without overflow.
import { describe, expect, it } from 'vitest';
import { blocks, costs, GraphBuilder, initWeights, type Graph } from '../../nn/index.js';
import { computeProxies, type Batch } from '../../proxies/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { evalBatch } from '../nn/autodiff-check.js';

const SEED = 9;

async function synflowOf(graph: Graph, name = 'yolo8n_96'): Promise<{ ok: boolean; value: number }> {
  const genome = parseName(name);
  const per = graph.input.shape.reduce((a, b) => a * b, 1);
  const batch: Batch = { data: new Float32Array(per), size: 1, resolution: graph.input.shape[1] ?? 0, description: 'unused' };
  const r = (await computeProxies({ genome, graph, costs: costs(graph), seed: SEED, batchSize: 1 }, ['synflow'], batch, { threads: 2 }))['synflow'];
  if (!r) throw new Error('no synflow result');
  return r.ok ? { ok: true, value: r.value } : { ok: false, value: NaN };
}

describe('synflow', () => {
  it('matches sum |W dR/dW| from float64 finite differences (abs weights, BatchNorm off, ones input)', async () => {
    // A small network with every op kind synflow meets in the space: silu, maxpool, upsample, concat, split, add.
    const b = new GraphBuilder('syn', [2, 8, 8]);
    const ctx = { b, act: 'silu' as const, bnEps: 1e-3 };
    const y = blocks.convBnAct(ctx, b.input, 4, 3, 2, { name: 'l1' });
    const z = blocks.c2f(ctx, y, 4, 1, true, 'c2f');
    const p = blocks.sppf(ctx, z, 4, 'sppf');
    const u = b.concat([b.upsample(p), blocks.convBnAct({ ...ctx, act: 'hardswish' }, b.input, 2, 3, 1, { name: 'side' })]);
    const out = blocks.convBnAct({ ...ctx, act: 'relu6' }, u, 3, 1, 1, { name: 'out' });
    const graph = b.finish([out], [out]);

    const w = new Map([...initWeights(graph, SEED)].map(([k, v]) => [k, Float64Array.from(v, Math.abs)]));
    // BatchNorm as the identity: gamma 1, beta 0, mean 0, var 1 - eps.
    for (const n of graph.nodes.filter((n) => n.op.kind === 'batchNorm')) {
      const [g, be, m, v] = n.params as [string, string, string, string];
      const c = (w.get(g) as Float64Array).length;
      w.set(g, new Float64Array(c).fill(1));
      w.set(be, new Float64Array(c));
      w.set(m, new Float64Array(c));
      w.set(v, new Float64Array(c).fill(1 - 1e-3));
    }
    const ones = [new Float64Array(2 * 8 * 8).fill(1)];
    const R = (): number => (evalBatch(graph, ones, w, 'inference').get(out)?.[0] as Float64Array).reduce((a, v) => a + v, 0);
    let want = 0;
    for (const n of graph.nodes.filter((n) => n.op.kind === 'conv')) {
      const wt = w.get(n.params[0] as string) as Float64Array;
      for (let i = 0; i < wt.length; i++) {
        const orig = wt[i] ?? 0;
        const h = 1e-6 * Math.max(1, Math.abs(orig));
        wt[i] = orig + h;
        const up = R();
        wt[i] = orig - h;
        const down = R();
        wt[i] = orig;
        want += Math.abs((orig * (up - down)) / (2 * h));
      }
    }
    const got = await synflowOf(graph);
    expect(got.ok).toBe(true);
    expect(Math.abs(got.value - want) / want).toBeLessThan(1e-5);
    // Same seed, same score, bit for bit.
    expect((await synflowOf(graph)).value).toBe(got.value);
  });

  it('does not overflow on the deepest model of the space (yolo6l, depth and width 1.0), where float32 would', async () => {
    const name = 'yolo6l-d1w1_96';
    const got = await synflowOf(buildGraph(parseName(name)), name);
    expect(got.ok).toBe(true);
    expect(Number.isFinite(got.value)).toBe(true);
    expect(got.value).toBeGreaterThan(3.5e38); // past float32's largest value
  }, 300_000);
});
