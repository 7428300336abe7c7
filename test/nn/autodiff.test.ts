// Gradient checks of nn/autodiff: gradients computed by onnxruntime (float32, forward and backward in
// one ONNX model) against central finite differences of the same network evaluated in float64 by
// the naive reference evaluator (with BatchNorm by batch statistics where asked).
//
// Error measure (documented float32 bound): for a coordinate i of a gradient tensor g,
// |g_ort - g_fd| / max(|g_fd|, 1e-2 * max|g_ort|), the scale floor keeping near-zero components of a
// tensor from dividing by noise; for a random direction v over all weights (or the whole input),
// |<g_ort, v> - D_v L| / sum |g_ort * v|. Both must stay under 1e-3 (float32 backward of float32
// weights; float64 finite differences with h = 1e-6).
import { describe, expect, it } from 'vitest';
import { blocks, createRng, detectHead, gradientModel, GraphBuilder, type ActFn, type BlockCtx, type Graph, type LossSpec, type T } from '../../nn/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { evalBatch, normalF32, runModel, samples, testWeights, type Values } from './autodiff-check.js';

const BOUND = 1e-3;
const H = 1e-6;

interface CheckOptions {
  readonly B?: number;
  readonly bn?: 'inference' | 'batch';
  readonly loss?: 'dot' | 'sum' | 'sumSquares';
  /** Random coordinates per gradient tensor (0: directional checks only). */
  readonly coords?: number;
  readonly seed?: number;
  readonly inputScale?: number;
}

interface CheckResult {
  worstCoord: number;
  worstDirWeights: number;
  worstDirInput: number;
  lossError: number;
  checked: number;
}

async function gradCheck(graph: Graph, opts: CheckOptions = {}): Promise<CheckResult> {
  const B = opts.B ?? 2;
  const bn = opts.bn ?? 'inference';
  const seed = opts.seed ?? 1;
  const { f32, f64 } = testWeights(graph, seed);
  const per = graph.input.shape.reduce((a, b) => a * b, 1);
  const input = normalF32(B * per, seed, 'input', opts.inputScale ?? 1);
  const outs = graph.outputs;
  const cot = new Map(outs.map((o) => [o, normalF32(B * (graph.tensors.get(o)?.shape ?? []).reduce((a, b) => a * b, 1), seed, `cot:${o}`)]));
  const lossKind = opts.loss ?? 'dot';
  const spec: LossSpec = lossKind === 'dot' ? { kind: 'dot', cotangents: cot } : { kind: lossKind, tensors: outs, scale: 0.5 };
  const refLoss = (v: Values): number => {
    let s = 0;
    for (const o of outs) {
      const xs = v.get(o) as Float64Array[];
      const c = cot.get(o) as Float32Array;
      xs.forEach((x, b) => {
        for (let i = 0; i < x.length; i++) {
          const val = x[i] ?? 0;
          s += lossKind === 'dot' ? val * (c[b * x.length + i] ?? 0) : lossKind === 'sum' ? 0.5 * val : 0.5 * val * val;
        }
      });
    }
    return s;
  };
  const L = (w: ReadonlyMap<string, Float64Array>, x: readonly Float64Array[]): number => refLoss(evalBatch(graph, x, w, bn));

  const gm = gradientModel(graph, { of: spec, wrt: 'both', batch: B, weights: f32, batchNorm: bn });
  const res = await runModel(gm.model, graph, input, B);
  const xs = samples(input, B);
  const L0 = L(f64, xs);
  const lossOrt = Number((res[gm.loss]?.data as Float32Array)[0]);
  const lossError = Math.abs(lossOrt - L0) / Math.max(1, Math.abs(L0));

  const grads = new Map<string, Float32Array>();
  for (const [p, name] of gm.gradients) grads.set(p, res[name]?.data as Float32Array);
  const gx = res[gm.inputGradient ?? '']?.data as Float32Array;
  const rng = createRng(seed, 'coords');
  let worstCoord = 0;
  let checked = 0;
  const coordErr = (g: Float32Array, i: number, fd: number): number => {
    let max = 0;
    for (let j = 0; j < g.length; j++) max = Math.max(max, Math.abs(g[j] ?? 0));
    return Math.abs((g[i] ?? 0) - fd) / Math.max(Math.abs(fd), 1e-2 * max, 1e-12);
  };
  const coords = opts.coords ?? 6;
  for (const [p, g] of grads) {
    const w = f64.get(p) as Float64Array;
    let argmax = 0;
    for (let j = 0; j < g.length; j++) if (Math.abs(g[j] ?? 0) > Math.abs(g[argmax] ?? 0)) argmax = j;
    const picks = coords === 0 ? [] : [argmax, ...Array.from({ length: Math.min(coords, g.length) - 1 }, () => rng.int(g.length))];
    for (const i of picks) {
      const orig = w[i] ?? 0;
      w[i] = orig + H;
      const up = L(f64, xs);
      w[i] = orig - H;
      const down = L(f64, xs);
      w[i] = orig;
      worstCoord = Math.max(worstCoord, coordErr(g, i, (up - down) / (2 * H)));
      checked++;
    }
  }
  for (let k = 0; k < Math.min(coords, gx.length); k++) {
    const i = k === 0 ? gx.reduce((best, v, j, a) => (Math.abs(v) > Math.abs(a[best] ?? 0) ? j : best), 0) : rng.int(gx.length);
    const b = Math.floor(i / per);
    const x = xs[b] as Float64Array;
    const orig = x[i % per] ?? 0;
    x[i % per] = orig + H;
    const up = L(f64, xs);
    x[i % per] = orig - H;
    const down = L(f64, xs);
    x[i % per] = orig;
    worstCoord = Math.max(worstCoord, coordErr(gx, i, (up - down) / (2 * H)));
    checked++;
  }
  // Directional derivatives over all weights at once, and over the whole input.
  const dir = (n: number, stream: string): Float64Array => Float64Array.from(normalF32(n, seed, stream));
  let worstDirWeights = 0;
  if (grads.size > 0) {
    const dirs = new Map([...grads.keys()].map((p) => [p, dir((f64.get(p) as Float64Array).length, `dir:${p}`)]));
    const shifted = (sign: number): Map<string, Float64Array> => new Map([...f64].map(([k, v]) => [k, dirs.has(k) ? v.map((x, i) => x + sign * H * ((dirs.get(k) as Float64Array)[i] ?? 0)) : v]));
    const fd = (L(shifted(1), xs) - L(shifted(-1), xs)) / (2 * H);
    let dot = 0;
    let abs = 0;
    for (const [p, g] of grads) {
      const d = dirs.get(p) as Float64Array;
      for (let i = 0; i < g.length; i++) {
        dot += (g[i] ?? 0) * (d[i] ?? 0);
        abs += Math.abs((g[i] ?? 0) * (d[i] ?? 0));
      }
    }
    worstDirWeights = Math.abs(dot - fd) / Math.max(abs, 1e-12);
  }
  const dx = dir(gx.length, 'dir:input');
  const moved = (sign: number): Float64Array[] => xs.map((x, b) => x.map((v, i) => v + sign * H * (dx[b * per + i] ?? 0)));
  const fdx = (L(f64, moved(1)) - L(f64, moved(-1))) / (2 * H);
  let dotx = 0;
  let absx = 0;
  for (let i = 0; i < gx.length; i++) {
    dotx += (gx[i] ?? 0) * (dx[i] ?? 0);
    absx += Math.abs((gx[i] ?? 0) * (dx[i] ?? 0));
  }
  const worstDirInput = Math.abs(dotx - fdx) / Math.max(absx, 1e-12);
  return { worstCoord, worstDirWeights, worstDirInput, lossError, checked };
}

function expectClose(r: CheckResult): void {
  expect(r.lossError).toBeLessThan(1e-4);
  expect(r.worstCoord).toBeLessThan(BOUND);
  expect(r.worstDirWeights).toBeLessThan(BOUND);
  expect(r.worstDirInput).toBeLessThan(BOUND);
}

type Build = (ctx: BlockCtx, x: T) => T | T[];

function graphOf(name: string, shape: readonly number[], build: Build, act: ActFn = 'silu'): Graph {
  const b = new GraphBuilder(name, shape);
  const out = build({ b, act, bnEps: 1e-3 }, b.input);
  return b.finish(Array.isArray(out) ? out : [out]);
}

const report: string[] = [];
const record = (name: string, r: CheckResult): CheckResult => {
  report.push(`${name}: coord ${r.worstCoord.toExponential(1)}, dir(w) ${r.worstDirWeights.toExponential(1)}, dir(x) ${r.worstDirInput.toExponential(1)} (${r.checked} coords)`);
  return r;
};

/** One operator (or a tiny composition) per case, small enough to check many coordinates. */
const OPS: Record<string, { shape?: number[]; build: Build; act?: ActFn }> = {
  'conv 3x3 s1 + bias': { build: (c, x) => c.b.conv(x, { cout: 3, k: 3, bias: true }) },
  'conv 3x3 s2 (odd input, output_padding)': { shape: [2, 7, 7], build: (c, x) => c.b.conv(x, { cout: 3, k: 3, stride: 2, bias: true }) },
  'conv 3x3 s2 (even input)': { build: (c, x) => c.b.conv(x, { cout: 3, k: 3, stride: 2 }) },
  'conv 1x1 s2 pad 0': { shape: [2, 7, 7], build: (c, x) => c.b.conv(x, { cout: 3, k: 1, stride: 2, pad: 0 }) },
  'conv 5x5 dilation 2': { shape: [2, 9, 9], build: (c, x) => c.b.conv(x, { cout: 2, k: 3, dilation: 2 }) },
  // Same input and output size, different taps: the im2col index tables (shared between convs
  // of one geometry) must not be.
  'two convs of one output size, dilations 1 and 2': {
    shape: [2, 6, 6],
    build: (c, x) => [c.b.conv(x, { cout: 2, k: 3 }, 'a'), c.b.conv(x, { cout: 2, k: 3, dilation: 2 }, 'b')],
  },
  'conv 3x3 s2 dilation 2': { shape: [2, 9, 9], build: (c, x) => c.b.conv(x, { cout: 2, k: 3, stride: 2, dilation: 2 }) },
  // The weight gradient's GEMM has the im2col's k*k*cin columns or the output gradient's cout as
  // rows, whichever are more; many channels at low resolution also take the batch into its reduction.
  'conv 3x3 s1, output-gradient rows': { shape: [1, 6, 6], build: (c, x) => c.b.conv(x, { cout: 10, k: 3 }) },
  'conv 3x3 s1, batch in the reduction, im2col rows': { shape: [12, 3, 3], build: (c, x) => c.b.conv(x, { cout: 10, k: 3 }) },
  'conv 3x3 s2 (odd input), batch in the reduction, output-gradient rows': { shape: [1, 5, 5], build: (c, x) => c.b.conv(x, { cout: 16, k: 3, stride: 2 }) },
  'conv 3x3 s2 dilation 2, batch in the reduction, output-gradient rows': { shape: [1, 5, 5], build: (c, x) => c.b.conv(x, { cout: 16, k: 3, stride: 2, dilation: 2 }) },
  'grouped conv (4 groups)': { shape: [4, 6, 6], build: (c, x) => c.b.conv(x, { cout: 8, k: 3, groups: 4, bias: true }) },
  'depthwise conv s2': { shape: [3, 7, 7], build: (c, x) => c.b.conv(x, { cout: 3, k: 3, stride: 2, groups: 3 }) },
  'convTranspose k2 s2 + bias': { shape: [3, 4, 4], build: (c, x) => c.b.convTranspose(x, { cout: 2, k: 2, stride: 2 }) },
  'convTranspose k3 s2 p1': { shape: [3, 4, 4], build: (c, x) => c.b.convTranspose(x, { cout: 2, k: 3, stride: 2, pad: 1, bias: false }) },
  batchNorm: { build: (c, x) => c.b.batchNorm(c.b.conv(x, { cout: 3, k: 1 }), 1e-3) },
  'add / sub / mul of tensors': {
    build: (c, x) => {
      const a = c.b.conv(x, { cout: 2, k: 1 }, 'a');
      const y = c.b.conv(x, { cout: 2, k: 3 }, 'y');
      return c.b.sub(c.b.mul(a, y), c.b.add(a, x));
    },
  },
  'mul / add / sub with broadcast parameters': {
    build: (c, x) => {
      const alpha = c.b.param('alpha', [1], { kind: 'constant', value: 1 });
      const row = c.b.param('row', [1, 5, 5], { kind: 'constant', value: 0.5 });
      const col = c.b.param('col', [2, 1, 1], { kind: 'constant', value: 0.5 });
      return c.b.sub(c.b.add(c.b.mul(x, alpha), row), col);
    },
  },
  'concat + split (one part unused)': {
    build: (c, x) => {
      const y = c.b.conv(x, { cout: 3, k: 3 });
      const cat = c.b.concat([y, x, y]);
      const [p1, , p3] = c.b.split(cat, [2, 4, 2]) as [T, T, T];
      return c.b.mul(p1, p3);
    },
  },
  'maxPool 2x2 s2': { shape: [2, 6, 6], build: (c, x) => c.b.maxPool(c.b.conv(x, { cout: 2, k: 3 }), 2, 2, 0) },
  'maxPool 5x5 s1 p2 (overlapping, SPPF)': { build: (c, x) => c.b.maxPool(c.b.conv(x, { cout: 2, k: 3 }), 5, 1, 2) },
  'maxPool 3x3 s2 p1': { shape: [2, 7, 7], build: (c, x) => c.b.maxPool(x, 3, 2, 1) },
  'nearest resize x2': { build: (c, x) => c.b.upsample(c.b.conv(x, { cout: 2, k: 3 })) },
  'reshape + transpose + softmax': {
    shape: [4, 3, 3],
    build: (c, x) => {
      const y = c.b.conv(x, { cout: 4, k: 3 });
      const r = c.b.reshape(y, [2, 2, 9]);
      const t = c.b.transpose(r, [1, 0, 2]);
      return c.b.softmax(t, 0);
    },
  },
};

const ACTS: ActFn[] = ['silu', 'relu', 'relu6', 'hardswish', 'leakyrelu', 'sigmoid'];

describe('autodiff: every operator against float64 finite differences', () => {
  for (const [name, c] of Object.entries(OPS)) {
    it(name, async () => {
      const g = graphOf(name, c.shape ?? [2, 5, 5], c.build, c.act);
      expectClose(record(name, await gradCheck(g, { coords: 12 })));
    });
  }
  for (const act of ACTS) {
    it(`activation ${act}`, async () => {
      // Input scale 3 so that relu6 and hardswish see both kinks.
      const g = graphOf(act, [2, 5, 5], (c, x) => c.b.act(c.b.conv(x, { cout: 3, k: 3, bias: true }), act));
      expectClose(record(`act ${act}`, await gradCheck(g, { coords: 12, inputScale: 3 })));
    });
  }
  it('batchNorm with batch statistics', async () => {
    const g = graphOf('bn-batch', [2, 5, 5], (c, x) => c.b.act(blocks.convBnAct(c, x, 3, 3, 1), 'sigmoid'));
    expectClose(record('bn batch statistics', await gradCheck(g, { coords: 12, bn: 'batch', B: 3 })));
  });
  it('losses: sum and sum of squares', async () => {
    const g = graphOf('losses', [2, 5, 5], (c, x) => blocks.convBnAct(c, x, 3, 3, 2));
    expectClose(record('loss sum', await gradCheck(g, { loss: 'sum', coords: 8 })));
    expectClose(record('loss sumSquares', await gradCheck(g, { loss: 'sumSquares', coords: 8 })));
  });
});

const BLOCKS: Record<string, { shape?: number[]; build: Build }> = {
  C2f: { build: (c, x) => blocks.c2f(c, x, 8, 2, true, 'c2f') },
  C3: { build: (c, x) => blocks.c3(c, x, 8, 1, true, 'c3') },
  BottleneckCSP: { build: (c, x) => blocks.bottleneckCSP(c, x, 8, 1, true, 'csp') },
  ELAN: { build: (c, x) => blocks.elan(c, x, 4, 4, 8, 'elan', false) },
  'ELAN-H': { build: (c, x) => blocks.elan(c, x, 4, 2, 8, 'elanh', true) },
  'MP transition': { build: (c, x) => blocks.mpTransition(c, x, 4, 'mp') },
  RepVGG: { build: (c, x) => blocks.repVGG(c, x, 6, 1, 'rep') },
  'BepC3 (BottleRep alpha)': { build: (c, x) => blocks.bepC3(c, x, 8, 2, 0.5, 'repvgg', 'bep') },
  SPPF: { build: (c, x) => blocks.sppf(c, x, 6, 'sppf') },
  SPPCSPC: { build: (c, x) => blocks.sppcspc(c, x, 6, 'sppcspc') },
  SimCSPSPPF: { build: (c, x) => blocks.simCSPSPPF(c, x, 6, 'sim') },
  'BiFusion (ConvTranspose)': {
    shape: [6, 8, 8],
    build: (c, x) => {
      const same = blocks.convBnAct(c, x, 6, 3, 2, { name: 'down1' });
      const upper = blocks.convBnAct(c, same, 6, 3, 2, { name: 'down2' });
      return blocks.biFusion(c, upper, same, x, 6, 'bif');
    },
  },
  'detect head with DFL decode': {
    shape: [4, 16, 16],
    build: (c, x) => {
      const p3 = blocks.convBnAct(c, x, 4, 3, 1, { name: 'p3' });
      const p4 = blocks.convBnAct(c, p3, 4, 3, 2, { name: 'p4' });
      const p5 = blocks.convBnAct(c, p4, 4, 3, 2, { name: 'p5' });
      const h = detectHead(c, [p3, p4, p5], { classes: 2, strides: [2, 4, 8], priorBias: true, branchConvs: 1 });
      return [h.detections, ...h.levels];
    },
  },
};

describe('autodiff: blocks of every family', () => {
  for (const [name, c] of Object.entries(BLOCKS)) {
    it(name, async () => {
      const g = graphOf(name, c.shape ?? [6, 8, 8], c.build);
      expectClose(record(name, await gradCheck(g, { coords: 3 })));
    });
  }
  it('C2f with batch-statistics BatchNorm and relu', async () => {
    const g = graphOf('c2f-batch', [6, 8, 8], (c, x) => blocks.c2f(c, x, 8, 1, true, 'c2f'), 'relu');
    expectClose(record('C2f batch BN', await gradCheck(g, { coords: 3, bn: 'batch', B: 3 })));
  });
});

describe('autodiff: whole networks of each family (width 0.1, 96 px, 2 classes)', () => {
  const NETS = ['yolo3d33w10_96', 'yolo4d33w10_96', 'yolo5d33w10_96', 'yolo6s-d33w10_96', 'yolo6m-d33w10_96', 'yolo6l-d33w10_96', 'yolo7d33w10_96', 'yolo8d33w10_96'];
  for (const n of NETS) {
    it(n, async () => {
      const g = buildGraph(parseName(n), { classes: 2 });
      // The raw level maps (the decode is covered above); directional checks plus 2 coordinates of a few tensors.
      const levels: Graph = { ...g, outputs: g.outputs.slice(1) };
      expectClose(record(n, await gradCheck(levels, { coords: 0, B: 1 })));
    }, 300_000);
  }
});

describe('report', () => {
  it('prints the measured errors', () => {
    console.log(report.join('\n'));
  });
});
