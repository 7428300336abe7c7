// The gradient-based proxies against independent computations on a small graph: gradients by
// central finite differences of the float64 reference evaluator (BatchNorm by batch statistics
// where the proxy uses them), scores from the formulas written out here.
import { describe, expect, it } from 'vitest';
import { blocks, costs, fillNormal, GraphBuilder, initWeights, type ActFn, type Graph } from '../../nn/index.js';
import { computeProxies, getProxy, GRADIENT_PROXIES, type Batch, type CandidateContext } from '../../proxies/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { evalBatch, samples, type Values } from '../nn/autodiff-check.js';

const SEED = 5;
const B = 4;
const H = 1e-6;

/** conv(3x3)-BN-act -> conv(3x3, s2)-BN-act on [2, 6, 6]. */
function twoLayer(act: ActFn = 'silu'): Graph {
  const b = new GraphBuilder('two-layer', [2, 6, 6]);
  const ctx = { b, act, bnEps: 1e-3 };
  const y = blocks.convBnAct(ctx, b.input, 4, 3, 1, { name: 'l1' });
  const z = blocks.convBnAct(ctx, y, 3, 3, 2, { name: 'l2' });
  return b.finish([z], [z]);
}

function gaussianBatch(graph: Graph, n: number): Batch {
  const per = graph.input.shape.reduce((a, v) => a * v, 1);
  return { data: fillNormal(new Float32Array(n * per), SEED, 'grad-test-batch'), size: n, resolution: graph.input.shape[1] ?? 0, description: 'test' };
}

function context(graph: Graph, batchSize: number): CandidateContext {
  return { genome: parseName('yolo8n_96'), graph, costs: costs(graph), seed: SEED, batchSize };
}

const f64Weights = (graph: Graph): Map<string, Float64Array> => new Map([...initWeights(graph, SEED)].map(([k, v]) => [k, Float64Array.from(v)]));
const convWeights = (graph: Graph): string[] => graph.nodes.filter((n) => n.op.kind === 'conv').map((n) => n.params[0] as string);

/** The surrogate, 0.5 / B * sum of squares of the outputs, in float64. */
function surrogate(graph: Graph, v: Values, n: number): number {
  let s = 0;
  for (const o of graph.outputs) for (const x of v.get(o) as Float64Array[]) for (const val of x) s += 0.5 * val * val;
  return s / n;
}

/** dL/dW of every conv weight by central differences. */
function fdGradients(graph: Graph, w: Map<string, Float64Array>, xs: Float64Array[], bn: 'inference' | 'batch' = 'batch'): Map<string, Float64Array> {
  const L = (): number => surrogate(graph, evalBatch(graph, xs, w, bn), xs.length);
  const out = new Map<string, Float64Array>();
  for (const p of convWeights(graph)) {
    const wt = w.get(p) as Float64Array;
    const g = new Float64Array(wt.length);
    for (let i = 0; i < wt.length; i++) {
      const orig = wt[i] ?? 0;
      wt[i] = orig + H;
      const up = L();
      wt[i] = orig - H;
      const down = L();
      wt[i] = orig;
      g[i] = (up - down) / (2 * H);
    }
    out.set(p, g);
  }
  return out;
}

async function score(name: string, graph: Graph, batch: Batch): Promise<number> {
  const r = (await computeProxies(context(graph, batch.size), [name], batch, { threads: 1 }))[name];
  if (!r?.ok) throw new Error(`${name} failed: ${JSON.stringify(r)}`);
  return r.value;
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('gradient proxies match independent float64 computations', () => {
  const graph = twoLayer();
  const batch = gaussianBatch(graph, B);
  const xs = samples(batch.data, B);
  const w = f64Weights(graph);
  const g = fdGradients(graph, w, xs);
  const sum = (f: (w: number, g: number) => number): number => {
    let s = 0;
    for (const [p, gp] of g) gp.forEach((v, i) => (s += f((w.get(p) as Float64Array)[i] ?? 0, v)));
    return s;
  };

  it('grad_norm, snip, plain', async () => {
    expect(rel(await score('grad_norm', graph, batch), Math.sqrt(sum((_, x) => x * x)))).toBeLessThan(1e-4);
    expect(rel(await score('snip', graph, batch), sum((a, x) => Math.abs(a * x)))).toBeLessThan(1e-4);
    expect(rel(await score('plain', graph, batch), sum((a, x) => a * x))).toBeLessThan(1e-4);
  });

  it('grasp: -sum W * Hg as a mixed second difference of L(W + t g + s W)', async () => {
    // sum W * H g = d^2/dt ds L(W + t g + s W) at 0.
    const h = 1e-4;
    const L = (t: number, s: number): number => {
      const moved = new Map(w);
      for (const [p, gp] of g) moved.set(p, (w.get(p) as Float64Array).map((v, i) => v + t * (gp[i] ?? 0) + s * v));
      return surrogate(graph, evalBatch(graph, xs, moved, 'batch'), B);
    };
    const whg = (L(h, h) - L(h, -h) - L(-h, h) + L(-h, -h)) / (4 * h * h);
    const got = await score('grasp', graph, batch);
    console.log(`grasp ${got} vs ${-whg}`);
    expect(rel(got, -whg)).toBeLessThan(1e-2);
  });

  it('fisher: 0.5 * mean_b (sum_space a dL/da)^2 via per-sample, per-channel scalings of each conv output', async () => {
    const convs = graph.nodes.filter((n) => n.op.kind === 'conv');
    let want = 0;
    for (const conv of convs) {
      const C = graph.tensors.get(conv.outputs[0] as string)?.shape[0] ?? 0;
      for (let b = 0; b < B; b++)
        for (let k = 0; k < C; k++) {
          // d/dt L with a[b, k] scaled by (1 + t) equals sum over space of a * dL/da.
          const L = (t: number): number =>
            surrogate(
              graph,
              evalBatch(graph, xs, w, 'batch', (node, outs) => {
                if (node !== conv) return;
                const a = outs[0]?.[b] as Float64Array;
                const per = a.length / C;
                for (let i = k * per; i < (k + 1) * per; i++) a[i] = (a[i] ?? 0) * (1 + t);
              }),
              B,
            );
          const d = (L(H) - L(-H)) / (2 * H);
          want += (0.5 * d * d) / B;
        }
    }
    expect(rel(await score('fisher', graph, batch), want)).toBeLessThan(1e-4);
  });

  it('zico: gradients of two half-batches', async () => {
    const half = B / 2;
    const ga = fdGradients(graph, w, xs.slice(0, half));
    const gb = fdGradients(graph, w, xs.slice(half));
    let want = 0;
    for (const [p, a] of ga) {
      const bb = gb.get(p) as Float64Array;
      let s = 0;
      a.forEach((x, i) => {
        const y = bb[i] ?? 0;
        const std = Math.abs(x - y) / 2; // population std of two values
        if (std > 0) s += (Math.abs(x) + Math.abs(y)) / 2 / std;
      });
      if (s > 0) want += Math.log(s);
    }
    // mean|g|/std amplifies float32 noise where the two halves nearly agree: a looser bound.
    expect(rel(await score('zico', graph, batch), want)).toBeLessThan(1e-3);
  });

  it('jacob_cov: per-sample input gradients, -log det(C + kI) - trace((C + kI)^-1)', async () => {
    const n = 3;
    const b3 = gaussianBatch(graph, n);
    const x3 = samples(b3.data, n);
    const per = x3[0]?.length ?? 0;
    // J[b] = d(sum of outputs of sample b)/d(x_b), fixed BN statistics (initial: mean 0, var 1).
    const J = x3.map((x) =>
      x.map((orig, i) => {
        const f = (v: number): number => {
          x[i] = v;
          const out = evalBatch(graph, [x], w, 'inference');
          x[i] = orig;
          return graph.outputs.reduce((acc, o) => acc + (out.get(o)?.[0] as Float64Array).reduce((a2, y) => a2 + y, 0), 0);
        };
        return (f(orig + H) - f(orig - H)) / (2 * H);
      }),
    );
    const z = J.map((r) => {
      const m = r.reduce((a, v) => a + v, 0) / per;
      const c = r.map((v) => v - m);
      const norm = Math.sqrt(c.reduce((a, v) => a + v * v, 0));
      return c.map((v) => v / norm);
    });
    const k = 1e-5;
    const M = z.map((ri, i) => z.map((rj, j) => ri.reduce((a, v, q) => a + v * (rj[q] ?? 0), 0) + (i === j ? k : 0)));
    const m = (i: number, j: number): number => M[i]?.[j] ?? 0;
    const det = m(0, 0) * (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) - m(0, 1) * (m(1, 0) * m(2, 2) - m(1, 2) * m(2, 0)) + m(0, 2) * (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0));
    // trace of the inverse: sum of the diagonal cofactors over det.
    const trInv = (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1) + m(0, 0) * m(2, 2) - m(0, 2) * m(2, 0) + m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0)) / det;
    const want = -Math.log(det) - trInv;
    expect(rel(await score('jacob_cov', graph, b3), want)).toBeLessThan(1e-3);
  });
});

describe('gradient proxies: reporting and determinism', () => {
  it('say which loss they used', async () => {
    const graph = twoLayer('relu');
    const batch = gaussianBatch(graph, B);
    const r = await computeProxies(context(graph, B), ['snip', 'jacob_cov'], batch, { threads: 1 });
    expect(r['snip']?.input).toContain('loss: surrogate');
    expect(r['jacob_cov']?.input).toContain('loss: sum(head level maps)');
    expect(getProxy('grasp').description).toContain('central difference');
  });

  it('a score does not depend on the proxies computed with it (fisher and the weight gradients share one pass)', async () => {
    for (const graph of [twoLayer('silu'), buildGraph(parseName('yolo8n_96'))]) {
      const batch = gaussianBatch(graph, B);
      const names = GRADIENT_PROXIES.map((p) => p.name);
      const together = await computeProxies(context(graph, B), names, batch, { threads: 1 });
      for (const name of names) {
        const alone = await computeProxies(context(graph, B), [name], batch, { threads: 1 });
        expect(alone[name]?.ok).toBe(true);
        expect(together[name]).toEqual(alone[name]);
      }
      // A fresh copy of the batch, so that nothing computed for the calls above is reused.
      const pair = await computeProxies(context(graph, B), ['fisher', 'snip'], { ...batch, data: batch.data.slice() }, { threads: 1 });
      expect(pair['fisher']).toEqual(together['fisher']);
      expect(pair['snip']).toEqual(together['snip']);
    }
  }, 120_000);

  it('same seed, same scores, bit for bit (1 and 2 threads)', async () => {
    const graph = twoLayer('hardswish');
    const batch = gaussianBatch(graph, B);
    const names = GRADIENT_PROXIES.map((p) => p.name);
    const a = await computeProxies(context(graph, B), names, batch, { threads: 1 });
    const b = await computeProxies(context(graph, B), names, batch, { threads: 1 });
    expect(b).toEqual(a);
    for (const v of Object.values(a)) expect(v.ok).toBe(true);
  });
});
