// Every block kind, exported to ONNX and run in onnxruntime, against the naive reference evaluator.
import { describe, expect, it } from 'vitest';
import { blocks, createRng, detectHead, GraphBuilder, type ActFn, type BlockCtx, type T } from '../../nn/index.js';
import { referenceEval } from '../helpers/reference-eval.js';
import { randomWeights, runOnnx } from '../helpers/onnx.js';

type Build = (ctx: BlockCtx, x: T) => T | T[];

/** Small inputs: 8 channels at 16x16 (enough for stride 2 and 13x13 pools). */
const CASES: Record<string, { shape?: [number, number, number]; build: Build }> = {
  'Conv-BN-SiLU 3x3 s2': { build: (c, x) => blocks.convBnAct(c, x, 12, 3, 2) },
  'grouped conv': { build: (c, x) => c.b.conv(x, { cout: 8, k: 3, groups: 4, bias: true }) },
  'dilated conv': { build: (c, x) => c.b.conv(x, { cout: 4, k: 3, dilation: 2 }) },
  'Bottleneck (residual)': { build: (c, x) => blocks.bottleneck(c, x, 8, { shortcut: true }) },
  C3: { build: (c, x) => blocks.c3(c, x, 16, 2, true, 'c3') },
  C2f: { build: (c, x) => blocks.c2f(c, x, 16, 2, true, 'c2f') },
  BottleneckCSP: { build: (c, x) => blocks.bottleneckCSP(c, x, 8, 2, true, 'csp') },
  BottleneckCSP2: { build: (c, x) => blocks.bottleneckCSP2(c, x, 8, 2, 'csp2') },
  SPPF: { build: (c, x) => blocks.sppf(c, x, 8, 'sppf') },
  SPPCSP: { build: (c, x) => blocks.sppcsp(c, x, 8, 'sppcsp') },
  SPPCSPC: { build: (c, x) => blocks.sppcspc(c, x, 8, 'sppcspc') },
  'ELAN (4-way concat)': { build: (c, x) => blocks.elan(c, x, 8, 8, 16, 'elan', false) },
  'ELAN-H (6-way concat)': { build: (c, x) => blocks.elan(c, x, 8, 4, 16, 'elanh', true) },
  'MP transition': { build: (c, x) => blocks.mpTransition(c, x, 8, 'mp') },
  'RepVGG (identity branch)': { build: (c, x) => blocks.repVGG(c, x, 8, 1, 'rep') },
  'RepVGG stride 2': { build: (c, x) => blocks.repVGG(c, x, 16, 2, 'rep') },
  RepBlock: { build: (c, x) => blocks.repBlock(c, x, 8, 3, 'repvgg', 'rb') },
  'BottleRep (alpha shortcut)': { build: (c, x) => blocks.bottleRep(c, x, 8, 'conv', 'br') },
  'BepC3 (RepVGG)': { build: (c, x) => blocks.bepC3(c, x, 12, 4, 2 / 3, 'repvgg', 'bep') },
  SimCSPSPPF: { build: (c, x) => blocks.simCSPSPPF(c, x, 8, 'sim') },
  'BiFusion (ConvTranspose)': {
    build: (c, x) => {
      const low = x; // 16x16
      const same = blocks.convBnAct(c, x, 8, 3, 2, { name: 'down1' }); // 8x8
      const upper = blocks.convBnAct(c, same, 8, 3, 2, { name: 'down2' }); // 4x4
      return blocks.biFusion(c, upper, same, low, 8, 'bif');
    },
  },
  'nearest upsample + concat': { build: (c, x) => c.b.concat([c.b.upsample(blocks.convBnAct(c, x, 4, 3, 2)), x]) },
  'detect head with DFL decode': {
    shape: [8, 32, 32],
    build: (c, x) => {
      const p3 = blocks.convBnAct(c, x, 8, 3, 1, { name: 'p3' });
      const p4 = blocks.convBnAct(c, p3, 16, 3, 2, { name: 'p4' });
      const p5 = blocks.convBnAct(c, p4, 16, 3, 2, { name: 'p5' });
      const h = detectHead(c, [p3, p4, p5], { classes: 5, strides: [8, 16, 32], priorBias: true, branchConvs: 2 });
      return [h.detections, ...h.levels];
    },
  },
};

const ACTS: ActFn[] = ['silu', 'relu', 'relu6', 'hardswish', 'leakyrelu', 'sigmoid'];

async function check(name: string, shape: readonly [number, number, number], build: Build, act: ActFn = 'silu'): Promise<number> {
  const b = new GraphBuilder(name, shape);
  const ctx: BlockCtx = { b, act, bnEps: 1e-3 };
  const out = build(ctx, b.input);
  const outs = Array.isArray(out) ? out : [out];
  const graph = b.finish(outs);
  const weights = randomWeights(graph, 7);
  const per = shape.reduce((a, v) => a * v, 1);
  const rng = createRng(3, name);
  const input = Float32Array.from({ length: 2 * per }, () => rng.normal() * 2);
  const onnx = await runOnnx(graph, input, 2, { weights });
  let worst = 0;
  for (let s = 0; s < 2; s++) {
    const ref = referenceEval(graph, input.subarray(s * per, (s + 1) * per), weights);
    for (const o of outs) {
      const want = ref.get(o);
      const got = onnx[o]?.data as Float32Array | undefined;
      if (!want || !got) throw new Error(`missing output ${o}`);
      const n = want.data.length;
      expect(got.length).toBe(2 * n);
      for (let i = 0; i < n; i++) {
        const w = want.data[i] ?? 0;
        const err = Math.abs((got[s * n + i] ?? 0) - w) / (1 + Math.abs(w));
        worst = Math.max(worst, err);
      }
    }
  }
  return worst;
}

describe('ONNX export equals a plain reference evaluation', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      expect(await check(name, c.shape ?? [8, 16, 16], c.build)).toBeLessThan(1e-4);
    });
  }
  for (const act of ACTS) {
    it(`activation ${act}`, async () => {
      expect(await check(act, [8, 8, 8], (c, x) => blocks.convBnAct(c, x, 8, 3, 1), act)).toBeLessThan(1e-4);
    });
  }
});
