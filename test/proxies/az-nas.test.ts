// AZ-NAS against an independent float64 computation on a small three-stage backbone: feature
// covariances from the float64 reference evaluator (batch-statistics BatchNorm), eigenvalues by
// Jacobi rotations; stage-to-stage vector-Jacobian products by central finite differences with
// the pixel unshuffle written out PyTorch's way. Plus the eigen-solver, determinism and the rank
// aggregation on a hand-worked example with ties.
import { describe, expect, it } from 'vitest';
import { blocks, costs, createRng, fillNormal, GraphBuilder, initWeights, type Graph } from '../../nn/index.js';
import { averageRanks, azCotangent, azStages, computeProxies, eigenvaluesSymmetric, getProxy, rankAggregate, symmetricEigenvalues, type Batch, type CandidateContext } from '../../proxies/index.js';
import { parseName } from '../../space/index.js';
import { evalBatch, samples } from '../nn/autodiff-check.js';

const SEED = 3;
const B = 3;
const H = 1e-6;

/** backbone.0: conv 3x3 (2 -> 4) on 8x8; backbone.1: conv 3x3 s2 (4 -> 6); backbone.2: conv 3x3 (6 -> 5). */
function smallBackbone(): Graph {
  const b = new GraphBuilder('az-small', [2, 8, 8]);
  const ctx = { b, act: 'silu' as const, bnEps: 1e-3 };
  const z = b.module('backbone', 'Backbone', () => {
    const y0 = blocks.convBnAct(ctx, b.input, 4, 3, 1, { name: 0 });
    const y1 = blocks.convBnAct(ctx, y0, 6, 3, 2, { name: 1 });
    return blocks.convBnAct(ctx, y1, 5, 3, 1, { name: 2 });
  });
  return b.finish([z], [z]);
}

function gaussianBatch(graph: Graph, n: number): Batch {
  const per = graph.input.shape.reduce((a, v) => a * v, 1);
  return { data: fillNormal(new Float32Array(n * per), SEED, 'az-test-batch'), size: n, resolution: graph.input.shape[1] ?? 0, description: 'test' };
}

const context = (graph: Graph, seed = SEED): CandidateContext => ({ genome: parseName('yolo8n_96'), graph, costs: costs(graph), seed, batchSize: B });
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/** Entropy of the normalised spectrum of the covariance of [B][C*H*W] feature maps. */
function entropy(feats: readonly Float64Array[], C: number): number {
  const per = (feats[0]?.length ?? 0) / C;
  const N = feats.length * per;
  const mean = new Float64Array(C);
  for (const f of feats) for (let c = 0; c < C; c++) for (let i = 0; i < per; i++) mean[c] = (mean[c] ?? 0) + (f[c * per + i] ?? 0) / N;
  const cov = new Float64Array(C * C);
  for (const f of feats)
    for (let i = 0; i < per; i++)
      for (let a = 0; a < C; a++)
        for (let c = 0; c < C; c++) cov[a * C + c] = (cov[a * C + c] ?? 0) + (((f[a * per + i] ?? 0) - (mean[a] ?? 0)) * ((f[c * per + i] ?? 0) - (mean[c] ?? 0))) / N;
  const s = symmetricEigenvalues(C, cov).map((x) => Math.max(0, x));
  const total = s.reduce((x, y) => x + y, 0);
  return s.reduce((acc, x) => acc - (x / total) * Math.log(x / total + 1e-8), 0);
}

describe('az_nas', () => {
  const graph = smallBackbone();
  const batch = gaussianBatch(graph, B);

  it('finds the three backbone stages', () => {
    expect(azStages(graph)).toEqual(['backbone.0.act', 'backbone.1.act', 'backbone.2.act']);
  });

  it('eigenvalues (Householder + QL) agree with Jacobi rotations, rank-deficient matrices included', () => {
    const rng = createRng(1, 'az-eig');
    for (const [n, rank] of [
      [1, 1],
      [4, 4],
      [12, 5],
      [30, 30],
      [40, 7],
    ] as const) {
      const X = Array.from({ length: n * rank }, () => rng.normal());
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < rank; k++) A[i * n + j] = (A[i * n + j] ?? 0) + (X[i * rank + k] ?? 0) * (X[j * rank + k] ?? 0);
      const want = symmetricEigenvalues(n, A).sort((a, b) => a - b);
      const got = eigenvaluesSymmetric(n, A);
      const scale = Math.max(...want.map(Math.abs));
      got.forEach((v, i) => expect(Math.abs(v - (want[i] ?? 0))).toBeLessThan(1e-10 * scale));
    }
  });

  it('matches the float64 reference: expressivity, progressivity, trainability, complexity', async () => {
    const r = (await computeProxies(context(graph), ['az_nas'], batch, { threads: 1 }))['az_nas'];
    if (!r?.ok || !r.components) throw new Error(`az_nas failed: ${JSON.stringify(r)}`);
    const c = r.components;
    const xs = samples(batch.data, B);
    const w = new Map([...initWeights(graph, SEED)].map(([k, v]) => [k, Float64Array.from(v)]));
    const stages = azStages(graph);
    const values = evalBatch(graph, xs, w, 'batch');
    const H3 = stages.map((t) => entropy(values.get(t) as Float64Array[], graph.tensors.get(t)?.shape[0] ?? 0));
    const expressivity = H3.reduce((a, x) => a + x, 0);
    const progressivity = Math.min((H3[1] ?? 0) - (H3[0] ?? 0), (H3[2] ?? 0) - (H3[1] ?? 0));
    expect(rel(c['expressivity'] ?? NaN, expressivity)).toBeLessThan(1e-4);
    expect(Math.abs((c['progressivity'] ?? NaN) - progressivity)).toBeLessThan(1e-4);

    // Trainability: g_in = d <f_out, v> / d f_in by central differences on f_in, per element.
    const terms: number[] = [];
    for (let i = 1; i < stages.length; i++) {
      const fin = stages[i - 1] as string;
      const fout = stages[i] as string;
      const [ci = 0, hi = 0, wi = 0] = graph.tensors.get(fin)?.shape ?? [];
      const [co = 0, ho = 0, wo = 0] = graph.tensors.get(fout)?.shape ?? [];
      const v = azCotangent(SEED, fout, B * co * ho * wo);
      const producer = graph.nodes.find((n) => n.outputs[0] === fin);
      const per = ci * hi * wi;
      const dot = (b: number, k: number, h: number): number => {
        const out = evalBatch(graph, xs, w, 'batch', (node, outs) => {
          if (node !== producer) return;
          const a = outs[0]?.[b] as Float64Array;
          a[k] = (a[k] ?? 0) + h;
        });
        let s = 0;
        (out.get(fout) as Float64Array[]).forEach((f, bb) => f.forEach((y, j) => (s += y * (v[bb * co * ho * wo + j] ?? 0))));
        return s;
      };
      const gin = new Float64Array(B * per);
      for (let b = 0; b < B; b++) for (let k = 0; k < per; k++) gin[b * per + k] = (dot(b, k, H) - dot(b, k, -H)) / (2 * H);
      // PyTorch's pixel unshuffle: channel c*s*s + dy*s + dx at output pixel (Y, X).
      const s = hi / ho;
      const rows = ci * s * s;
      const N = B * ho * wo;
      const M = new Float64Array(rows * co);
      for (let b = 0; b < B; b++)
        for (let Y = 0; Y < ho; Y++)
          for (let X = 0; X < wo; X++)
            for (let c0 = 0; c0 < ci; c0++)
              for (let dy = 0; dy < s; dy++)
                for (let dx = 0; dx < s; dx++) {
                  const g = gin[b * per + c0 * hi * wi + (Y * s + dy) * wi + X * s + dx] ?? 0;
                  const a = c0 * s * s + dy * s + dx;
                  for (let k = 0; k < co; k++) M[a * co + k] = (M[a * co + k] ?? 0) + (g * (v[((b * co + k) * ho + Y) * wo + X] ?? 0)) / N;
                }
      const MtM = new Float64Array(co * co);
      for (let p = 0; p < co; p++) for (let q = 0; q < co; q++) for (let a = 0; a < rows; a++) MtM[p * co + q] = (MtM[p * co + q] ?? 0) + (M[a * co + p] ?? 0) * (M[a * co + q] ?? 0);
      const sigma = Math.sqrt(Math.max(...symmetricEigenvalues(co, MtM)));
      terms.push(-sigma - 1 / (sigma + 1e-6) + 2);
    }
    const trainability = (terms[0]! + terms[1]!) / 2;
    console.log(`az_nas components ${JSON.stringify(c)}; reference E ${expressivity} P ${progressivity} T ${trainability}`);
    expect(rel(c['trainability'] ?? NaN, trainability)).toBeLessThan(1e-4);
    expect(c['complexity']).toBe(costs(graph).macs);
    expect(r.value).toBe((c['expressivity'] ?? 0) + (c['progressivity'] ?? 0) + (c['trainability'] ?? 0) + Math.log(costs(graph).macs));
  });

  it('same seed, same scores and components, bit for bit; another seed, other ones', async () => {
    const a = await computeProxies(context(graph), ['az_nas'], batch, { threads: 1 });
    const b = await computeProxies(context(graph), ['az_nas'], batch, { threads: 2 });
    expect(b).toEqual(a);
    const c = await computeProxies(context(graph, SEED + 1), ['az_nas'], batch, { threads: 1 });
    expect(c['az_nas']?.ok && a['az_nas']?.ok && c['az_nas'].value !== a['az_nas'].value).toBe(true);
    expect(getProxy('az_nas').description).toContain('rankAggregate');
  });
});

describe('rankAggregate', () => {
  it('averages tied ranks like scipy rankdata', () => {
    expect(averageRanks([3, 1, 3, 2])).toEqual([3.5, 1, 3.5, 2]);
    expect(averageRanks([-Infinity, 5, 5, 5])).toEqual([1, 3, 3, 3]);
    expect(() => averageRanks([1, NaN])).toThrow(/NaN/);
  });

  it('sums ranks and log(rank / N) over components (hand-worked, with ties)', () => {
    // e: a 1, b 3, c 3, d 2 -> ranks 1, 3.5, 3.5, 2; t: a -1, b -1, c -2, d 0 -> ranks 2.5, 2.5, 1, 4.
    const out = rankAggregate({
      a: { e: 1, t: -1 },
      b: { e: 3, t: -1 },
      c: { e: 3, t: -2 },
      d: { e: 2, t: 0 },
    });
    expect(out.map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(out.map((r) => r.ranks)).toEqual([
      { e: 1, t: 2.5 },
      { e: 3.5, t: 2.5 },
      { e: 3.5, t: 1 },
      { e: 2, t: 4 },
    ]);
    expect(out.map((r) => r.rankSum)).toEqual([3.5, 6, 4.5, 6]);
    const want = [Math.log(1 / 4) + Math.log(2.5 / 4), Math.log(3.5 / 4) + Math.log(2.5 / 4), Math.log(3.5 / 4) + Math.log(1 / 4), Math.log(2 / 4) + Math.log(4 / 4)];
    out.forEach((r, i) => expect(r.score).toBeCloseTo(want[i] ?? NaN, 12));
    // Lower-is-better components rank in reverse.
    const low = rankAggregate(new Map([['x', { lat: 1 }], ['y', { lat: 2 }]]), { lowerIsBetter: ['lat'] });
    expect(low.map((r) => r.ranks['lat'])).toEqual([2, 1]);
    expect(() => rankAggregate({ a: { e: 1 }, b: { t: 1 } })).toThrow(/components/);
  });
});
