// The labelled detection loss: the assignment rule by hand, its value against a float64
// evaluation, its gradients (weights and input) against central finite differences, and the
// gradient proxies reporting which loss they used.
import { describe, expect, it } from 'vitest';
import { blocks, costs, fillNormal, gradientModel, GraphBuilder, initWeights, REG_MAX, type Graph } from '../../nn/index.js';
import { assignTargets, computeProxies, detectionLoss, type DetectionTargets, type LabelledBatch, type TargetBox } from '../../proxies/index.js';
import { parseName } from '../../space/index.js';
import { evalBatch, runModel, samples } from '../nn/autodiff-check.js';

const SEED = 7;
const B = 2;
const NC = 2;
const H = 1e-6;

/** stem conv-BN-SiLU (3 -> 4) on 16 x 16; level p0 = 1x1 conv (stride 1), p1 = 3x3 s2 conv (stride 2), 4*16+2 channels. */
function tinyDetector(): Graph {
  const b = new GraphBuilder('tiny-det', [3, 16, 16]);
  const y = blocks.convBnAct({ b, act: 'silu', bnEps: 1e-3 }, b.input, 4, 3, 1, { name: 'stem' });
  const p0 = b.conv(y, { cout: 4 * REG_MAX + NC, k: 1, bias: true }, 'p0');
  const p1 = b.conv(y, { cout: 4 * REG_MAX + NC, k: 3, stride: 2, bias: true }, 'p1');
  return b.finish([p0, p1], []);
}

const BOXES: TargetBox[] = [
  { sample: 0, cls: 1, x1: 1, y1: 1, x2: 4.5, y2: 5 }, // 4 px -> p0 (stride 1), cell (2, 3)
  { sample: 0, cls: 0, x1: 2.2, y1: 2.5, x2: 2.8, y2: 3.5 }, // same p0 cell, smaller: wins
  { sample: 1, cls: 0, x1: 0, y1: 2, x2: 12, y2: 9 }, // 12 px -> p1 (stride 2), cell (3, 2)
  { sample: 1, cls: 1, x1: 3, y1: 10, x2: 6, y2: 13 }, // 3 px -> p0, cell (4, 11)
];

/** The loss in float64 from the level maps, written out directly. */
function referenceLoss(graph: Graph, t: DetectionTargets, values: Map<string, Float64Array[]>): number {
  let total = 0;
  for (const l of t.levels) {
    const maps = values.get(l.tensor) as Float64Array[];
    const plane = l.h * l.w;
    maps.forEach((m, b) => {
      for (let cell = 0; cell < plane; cell++) {
        for (let c = 0; c < NC; c++) {
          const x = m[(4 * REG_MAX + c) * plane + cell] ?? 0;
          const y = l.cls[(b * NC + c) * plane + cell] ?? 0;
          const p = 1 / (1 + Math.exp(-x));
          total += -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
        }
        if (!l.mask[b * plane + cell]) continue;
        for (let side = 0; side < 4; side++) {
          const z = Array.from({ length: REG_MAX }, (_, i) => m[(side * REG_MAX + i) * plane + cell] ?? 0);
          const mx = Math.max(...z);
          const e = z.map((v) => Math.exp(v - mx));
          const s = e.reduce((a, v) => a + v, 0);
          const d = e.reduce((a, v, i) => a + (v / s) * i, 0);
          total += Math.abs(d - (l.box[(b * 4 + side) * plane + cell] ?? 0));
        }
      }
    });
  }
  return total / Math.max(1, t.positives);
}

describe('detection loss', () => {
  const graph = tinyDetector();

  it('assigns boxes by size to a level and by centre to a cell; the smaller box wins a shared cell', () => {
    const t = assignTargets(graph, BOXES, B);
    expect(t.classes).toBe(NC);
    expect(t.positives).toBe(3);
    const [p0, p1] = t.levels as [DetectionTargets['levels'][number], DetectionTargets['levels'][number]];
    expect([p0.tensor, p0.stride, p1.tensor, p1.stride]).toEqual(['p0', 1, 'p1', 2]);
    const at0 = (b: number, x: number, y: number): number => b * 256 + y * 16 + x;
    expect(p0.mask[at0(0, 2, 3)]).toBe(1);
    expect(p0.cls[(0 * NC + 0) * 256 + 3 * 16 + 2]).toBe(1); // the small class-0 box
    expect(p0.cls[(0 * NC + 1) * 256 + 3 * 16 + 2]).toBe(0);
    expect(p0.mask[at0(1, 4, 11)]).toBe(1);
    // p1 cell (3, 2) of sample 1: centre (7, 5); ltrb in strides from (6+1, 4+1): (7-0)/2, (5-2)/2, (12-7)/2, (9-5)/2.
    const cell = 2 * 8 + 3;
    expect(p1.mask[64 + cell]).toBe(1);
    expect([0, 1, 2, 3].map((s) => p1.box[(1 * 4 + s) * 64 + cell])).toEqual([3.5, 1.5, 2.5, 2]);
    expect(p0.mask.reduce((a, v) => a + v, 0) + p1.mask.reduce((a, v) => a + v, 0)).toBe(3);
  });

  it('value and gradients (weights and input) agree with float64 finite differences', async () => {
    const targets = assignTargets(graph, BOXES, B);
    const w32 = initWeights(graph, SEED);
    const w = new Map([...w32].map(([k, v]) => [k, Float64Array.from(v)]));
    const input = fillNormal(new Float32Array(B * 3 * 16 * 16), SEED, 'det-loss-input');
    const xs = samples(input, B);
    const params = graph.nodes.filter((n) => n.op.kind === 'conv').flatMap((n) => n.params);
    const gm = gradientModel(graph, { of: detectionLoss(targets), wrt: 'both', params, batch: B, weights: w32, batchNorm: 'batch' });
    const outs = await runModel(gm.model, graph, input, B);
    const L = (): number => referenceLoss(graph, targets, evalBatch(graph, xs, w, 'batch'));
    const loss = Number((outs[gm.loss]?.data as Float32Array)[0]);
    expect(Math.abs(loss - L()) / L()).toBeLessThan(1e-5);

    const checks: { what: string; got: number; want: number }[] = [];
    for (const p of params) {
      const g = outs[gm.gradients.get(p) as string]?.data as Float32Array;
      const wt = w.get(p) as Float64Array;
      for (let k = 0; k < 6; k++) {
        const i = Math.floor(((k * 7919 + 13) % 1000) / 1000 * wt.length);
        const orig = wt[i] ?? 0;
        wt[i] = orig + H;
        const up = L();
        wt[i] = orig - H;
        const down = L();
        wt[i] = orig;
        checks.push({ what: `${p}[${i}]`, got: g[i] ?? NaN, want: (up - down) / (2 * H) });
      }
    }
    const gx = outs[gm.inputGradient as string]?.data as Float32Array;
    for (const i of [0, 100, 517, 1023, 1500]) {
      const b = Math.floor(i / 768);
      const x = xs[b] as Float64Array;
      const orig = x[i % 768] ?? 0;
      x[i % 768] = orig + H;
      const up = L();
      x[i % 768] = orig - H;
      const down = L();
      x[i % 768] = orig;
      checks.push({ what: `input[${i}]`, got: gx[i] ?? NaN, want: (up - down) / (2 * H) });
    }
    const scale = Math.max(...checks.map((c) => Math.abs(c.want)));
    let worst = 0;
    for (const c of checks) {
      const err = Math.abs(c.got - c.want) / Math.max(Math.abs(c.want), 1e-2 * scale);
      worst = Math.max(worst, err);
      expect(err, `${c.what}: ${c.got} vs ${c.want}`).toBeLessThan(1e-3);
    }
    console.log(`detection loss ${loss}; ${checks.length} gradient entries, worst relative error ${worst.toExponential(2)}`);
  });

  it('the gradient proxies take the labelled loss and say so', async () => {
    const input = fillNormal(new Float32Array(B * 3 * 16 * 16), SEED, 'det-loss-input');
    const ctx = { genome: parseName('yolo8n_96'), graph, costs: costs(graph), seed: SEED, batchSize: B };
    const plain = { data: input, size: B, resolution: 16, description: 'test' };
    const labelled: LabelledBatch = { ...plain, boxes: BOXES, classes: NC, description: 'labelled-test' };
    const names = ['snip', 'zico', 'jacob_cov'];
    const a = await computeProxies(ctx, names, labelled, { threads: 1 });
    const b = await computeProxies(ctx, names, plain, { threads: 1 });
    expect(a['snip']?.input).toBe('labelled-test; loss: detection (labels): BCE(cls) over all cells + L1(DFL ltrb) on centre cells, / npos');
    expect(a['zico']?.input).toContain('loss: detection (labels)');
    expect(b['snip']?.input).toContain('loss: surrogate');
    expect(a['jacob_cov']?.input).toContain('loss: sum(head level maps)'); // no labelled loss: unchanged
    expect(a['snip']?.ok && b['snip']?.ok && a['snip'].value !== b['snip'].value).toBe(true);
    expect(a['zico']?.ok).toBe(true);
    expect(await computeProxies(ctx, names, labelled, { threads: 1 })).toEqual(a);
  });
});
