// Each proxy against an independent computation on small graphs: the reference evaluator of
// test/helpers runs the network in float64 and the test derives the proxy from the formula.
import { describe, expect, it } from 'vitest';
import { blocks, costs, createRng, fillNormal, GraphBuilder, initWeights, type ActFn, type Graph } from '../../nn/index.js';
import { computeProxies, type Batch, type CandidateContext } from '../../proxies/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { referenceEval, type Arr } from '../helpers/reference-eval.js';

const SEED = 3;

/** conv(3x3) -> BN -> act -> conv(3x3) -> BN -> act on [2, 6, 6]: a 2-layer network. */
function twoLayer(act: ActFn = 'relu'): Graph {
  const b = new GraphBuilder('two-layer', [2, 6, 6]);
  const ctx = { b, act, bnEps: 1e-3 };
  const y = blocks.convBnAct(ctx, b.input, 4, 3, 1, { name: 'l1' });
  const z = blocks.convBnAct(ctx, y, 3, 3, 2, { name: 'l2' });
  return b.finish([z], [z]);
}

function gaussianBatch(graph: Graph, n: number, seed: number): Batch {
  const per = graph.input.shape.reduce((a, v) => a * v, 1);
  return { data: fillNormal(new Float32Array(n * per), seed, 'test-batch'), size: n, resolution: graph.input.shape[1] ?? 0, description: 'test' };
}

function context(graph: Graph, batchSize: number): CandidateContext {
  return { genome: parseName('yolo8n_96'), graph, costs: costs(graph), seed: SEED, batchSize };
}

/** Per-sample reference values of every tensor, with the seeded initial weights. */
function reference(graph: Graph, batch: Batch): Map<string, Arr>[] {
  const weights = initWeights(graph, SEED);
  const per = batch.data.length / batch.size;
  return Array.from({ length: batch.size }, (_, s) => referenceEval(graph, batch.data.subarray(s * per, (s + 1) * per), weights));
}

/** Determinant by cofactor expansion: independent of the LU in proxies/linalg. */
function det(m: number[][]): number {
  if (m.length === 1) return m[0]?.[0] ?? 0;
  return (m[0] ?? []).reduce((acc, v, j) => acc + (j % 2 ? -1 : 1) * v * det(m.slice(1).map((row) => row.filter((_, k) => k !== j))), 0);
}

function codesOf(refs: Map<string, Arr>[], tensors: string[]): number[][] {
  return refs.map((r) => tensors.flatMap((t) => Array.from(r.get(t)?.data ?? []).map((v) => (v > 0 ? 1 : 0))));
}

function naswotByHand(codes: number[][]): number {
  const k = codes.map((a) => codes.map((b) => a.reduce((s, v, i) => s + (v === b[i] ? 1 : 0), 0)));
  return Math.log(Math.abs(det(k)));
}

describe('NASWOT', () => {
  const graph = twoLayer();
  const batch = gaussianBatch(graph, 4, 1);
  const refs = reference(graph, batch);

  it('nwot: log|det K| of the Hamming-agreement kernel of activation-input codes', async () => {
    const acts = graph.nodes.filter((n) => n.op.kind === 'act').map((n) => n.inputs[0] as string);
    const want = naswotByHand(codesOf(refs, acts));
    const got = (await computeProxies(context(graph, 4), ['nwot'], batch)).nwot;
    expect(got?.ok && got.value).toBeCloseTo(want, 6);
  });

  it('nwot_preact: the same over convolution outputs', async () => {
    const convs = graph.nodes.filter((n) => n.op.kind === 'conv').map((n) => n.outputs[0] as string);
    const want = naswotByHand(codesOf(refs, convs));
    const got = (await computeProxies(context(graph, 4), ['nwot_preact'], batch)).nwot_preact;
    expect(got?.ok && got.value).toBeCloseTo(want, 6);
  });

  it('a batch of identical samples gives a singular kernel: a typed failure, not NaN', async () => {
    const one = gaussianBatch(graph, 1, 9).data;
    const same: Batch = { ...batch, data: Float32Array.from({ length: batch.data.length }, (_, i) => one[i % one.length] ?? 0) };
    const r = (await computeProxies(context(graph, 4), ['nwot'], same)).nwot;
    expect(r).toMatchObject({ ok: false, failure: 'singular' });
  });
});

describe('SWAP', () => {
  it('counts the distinct sample-wise patterns of post-activation units', async () => {
    const graph = twoLayer('silu');
    const batch = gaussianBatch(graph, 5, 4);
    const refs = reference(graph, batch);
    const acts = graph.nodes.filter((n) => n.op.kind === 'act').map((n) => n.outputs[0] as string);
    const codes = codesOf(refs, acts);
    const patterns = new Set((codes[0] ?? []).map((_, unit) => codes.map((c) => c[unit]).join('')));
    const got = (await computeProxies(context(graph, 5), ['swap'], batch)).swap;
    expect(got).toMatchObject({ ok: true, value: patterns.size });
    expect(patterns.size).toBeGreaterThan(2);
  });
});

describe('MeCo', () => {
  it('sums 1 - |r| (the smaller eigenvalue of a 2x2 correlation matrix) over conv outputs of sample 0', async () => {
    // Two channels per conv, so each correlation matrix is [[1, r], [r, 1]].
    const b = new GraphBuilder('meco', [2, 5, 5]);
    const ctx = { b, act: 'relu' as const, bnEps: 1e-3 };
    const y = blocks.convBnAct(ctx, b.input, 2, 3, 1, { name: 'l1' });
    const z = blocks.convBnAct(ctx, y, 2, 3, 1, { name: 'l2' });
    const graph = b.finish([z], [z]);
    const batch = gaussianBatch(graph, 3, 5);
    const ref = reference(graph, batch)[0] as Map<string, Arr>;
    let want = 0;
    for (const n of graph.nodes.filter((x) => x.op.kind === 'conv')) {
      const d = ref.get(n.outputs[0] as string)?.data as Float64Array;
      const px = d.length / 2;
      const a = Array.from(d.subarray(0, px));
      const c = Array.from(d.subarray(px));
      const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
      const ma = mean(a);
      const mc = mean(c);
      const r = a.reduce((s, x, i) => s + (x - ma) * ((c[i] ?? 0) - mc), 0) / Math.sqrt(a.reduce((s, x) => s + (x - ma) ** 2, 0) * c.reduce((s, x) => s + (x - mc) ** 2, 0));
      want += 1 - Math.abs(r);
    }
    const got = (await computeProxies(context(graph, 3), ['meco'], batch)).meco;
    expect(got?.ok && got.value).toBeCloseTo(want, 5);
  });
});

describe('Zen-score', () => {
  it('log mean |f(x) - f(x + 0.01 e)| plus the BN running-variance term, as ZenNAS computes it', async () => {
    const b = new GraphBuilder('zen', [2, 6, 6]);
    const ctx = { b, act: 'relu' as const, bnEps: 1e-3 };
    const y = blocks.convBnAct(ctx, b.input, 3, 3, 1, { name: 'l1' });
    const graph = b.finish([y], [y]);
    const B = 4;
    const batch = gaussianBatch(graph, B, 6);
    // By hand: conv with N(0,1) weights (the zen stream), batch-statistics BN, ReLU.
    const conv = graph.nodes[0];
    const w = fillNormal(new Float32Array(3 * 2 * 9), SEED, `zen:${conv?.params[0]}`);
    const per = 2 * 36;
    const perturbed = fillNormal(new Float32Array(batch.data.length), SEED, 'zen:perturbation', 0.01).map((v, i) => v + (batch.data[i] ?? 0));
    const forward = (x: Float32Array): { out: number[][]; varMean: number } => {
      const pre: number[][] = [];
      for (let s = 0; s < B; s++) {
        const o: number[] = [];
        for (let co = 0; co < 3; co++)
          for (let oy = 0; oy < 6; oy++)
            for (let ox = 0; ox < 6; ox++) {
              let acc = 0;
              for (let ci = 0; ci < 2; ci++)
                for (let ky = 0; ky < 3; ky++)
                  for (let kx = 0; kx < 3; kx++) {
                    const iy = oy + ky - 1;
                    const ix = ox + kx - 1;
                    if (iy >= 0 && ix >= 0 && iy < 6 && ix < 6) acc += (x[s * per + (ci * 6 + iy) * 6 + ix] ?? 0) * (w[((co * 2 + ci) * 3 + ky) * 3 + kx] ?? 0);
                  }
              o.push(acc);
            }
        pre.push(o);
      }
      let varSum = 0;
      const out = pre.map((o) => [...o]);
      for (let co = 0; co < 3; co++) {
        const vals = pre.flatMap((o) => o.slice(co * 36, (co + 1) * 36));
        const m = vals.reduce((a, v) => a + v, 0) / vals.length;
        const v = vals.reduce((a, x) => a + (x - m) ** 2, 0) / vals.length;
        varSum += v;
        for (const o of out) for (let i = co * 36; i < (co + 1) * 36; i++) o[i] = Math.max(0, ((o[i] ?? 0) - m) / Math.sqrt(v + 1e-3));
      }
      return { out, varMean: varSum / 3 };
    };
    const a = forward(batch.data);
    const p = forward(perturbed);
    const diff = a.out.reduce((s, o, i) => s + o.reduce((t, v, j) => t + Math.abs(v - (p.out[i]?.[j] ?? 0)), 0), 0) / B;
    const n = B * 36;
    const running = 0.81 + 0.09 * a.varMean * (n / (n - 1)) + 0.1 * p.varMean * (n / (n - 1));
    const want = Math.log(diff) + Math.log(Math.sqrt(running));
    const got = (await computeProxies(context(graph, B), ['zen'], batch)).zen;
    expect(got?.ok && got.value).toBeCloseTo(want, 3);
  });
});

describe('graph and weight proxies', () => {
  it('params and macs come from the graph; l2_norm sums Frobenius norms of the seeded conv weights', async () => {
    const graph = buildGraph(parseName('yolo5n_96'));
    const r = await computeProxies(context(graph, 2), ['params', 'macs', 'l2_norm'], undefined);
    expect(r.params).toMatchObject({ ok: true, value: 2_654_816 - 16 });
    expect(r.macs).toMatchObject({ ok: true, value: costs(graph).macs });
    const w = initWeights(graph, SEED);
    let want = 0;
    for (const n of graph.nodes)
      if ((n.op.kind === 'conv' || n.op.kind === 'convTranspose') && graph.params.get(n.params[0] ?? '')?.trainable)
        want += Math.sqrt(Array.from(w.get(n.params[0] ?? '') ?? []).reduce((s, v) => s + v * v, 0));
    expect(r.l2_norm?.ok && r.l2_norm.value).toBeCloseTo(want, 6);
  });

  it('a forward pass over the memory limit is a typed failure; graph proxies still compute', async () => {
    const graph = buildGraph(parseName('yolo8n_160'));
    const batch = gaussianBatch(graph, 4, 1);
    const r = await computeProxies(context(graph, 4), ['params', 'nwot', 'zen'], batch, { memoryLimitBytes: 1e6 });
    expect(r.params?.ok).toBe(true);
    expect(r.nwot).toMatchObject({ ok: false, failure: 'memory-limit' });
    expect(r.zen).toMatchObject({ ok: false, failure: 'memory-limit' });
  });
});

it('fillNormal gives standard normals', () => {
  const x = fillNormal(new Float32Array(100_000), 1, 'n');
  const mean = x.reduce((a, v) => a + v, 0) / x.length;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / x.length;
  expect(Math.abs(mean)).toBeLessThan(0.01);
  expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  expect(createRng(1).next()).toBe(createRng(1).next());
});
