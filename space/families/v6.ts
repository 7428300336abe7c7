// YOLOv6 v3.0 as YOLOBench builds it (deeplite-torch-zoo's flexible_yolo/yolov6):
// s = EfficientRep + RepBiFPAN (RepVGG blocks, ReLU); m = CSPBep backbone + CSPRepBiFPAN (BepC3,
// e = 2/3, RepVGG, ReLU); l = the same with e = 1/2 and Conv-BN-SiLU blocks. The neck's reduce,
// BiFusion and downsample convs are Conv-BN-ReLU in all three, and so is the detect head.
import { blocks, type ActFn, type T } from '../../nn/index.js';
import type { Family } from '../genome.js';
import type { FamilyCtx, FamilyDef, Features, Stage } from './types.js';

const { basicBlock, bepC3, biFusion, convBnAct, repBlock, simCSPSPPF, sppf } = blocks;

const BACKBONE_CHANNELS = [64, 128, 256, 512, 1024] as const;
const BACKBONE_REPEATS = [6, 12, 18, 6] as const;
const NECK_CHANNELS = [256, 128, 128, 256, 256, 512] as const;
const NECK_REPEAT = 12;

interface V6Variant {
  readonly family: Family;
  readonly basic: blocks.BasicBlock;
  /** BepC3 hidden ratio; undefined for the RepBlock stages of v6 s. */
  readonly cspE: number | undefined;
  readonly blockAct: ActFn;
  readonly spp: 'simcspsppf' | 'simsppf' | 'sppf';
}

/** The stage block: a RepBlock (s) or a BepC3 (m, l). */
function stageBlock(ctx: FamilyCtx, v: V6Variant, x: T, cout: number, n: number, name: string | number): T {
  return v.cspE === undefined ? repBlock(ctx, x, cout, n, v.basic, name) : bepC3(ctx, x, cout, n, v.cspE, v.basic, name);
}

function backbone(v: V6Variant, ctx: FamilyCtx, x: T): Features {
  const { b, s } = ctx;
  return b.module('backbone', v.cspE === undefined ? 'EfficientRep' : 'CSPBepBackbone', () => {
    let y = basicBlock(ctx, v.basic, x, s.ch(BACKBONE_CHANNELS[0]), 2, 'stem');
    const outs: T[] = [];
    for (let i = 0; i < 4; i++) {
      const st = i as Stage;
      const c = s.ch(BACKBONE_CHANNELS[i + 1] ?? 0, st);
      y = b.module(`ERBlock_${i + 2}`, 'ERBlock', () => {
        let z = basicBlock(ctx, v.basic, y, c, 2, 0);
        z = stageBlock(ctx, v, z, c, s.n(BACKBONE_REPEATS[i] ?? 1, st), 1);
        if (i === 3) {
          if (v.spp === 'simcspsppf') z = simCSPSPPF(ctx, z, c, 2);
          else z = sppf(ctx, z, c, 2, 5, v.spp === 'simsppf' ? 'SimSPPF' : 'SPPF');
        }
        return z;
      });
      outs.push(y);
    }
    const [p2, p3, p4, p5] = outs as [T, T, T, T];
    return { p2, p3, p4, p5 };
  });
}

function neck(v: V6Variant, ctx: FamilyCtx, f: Features): readonly [T, T, T] {
  const { b, s } = ctx;
  const c = NECK_CHANNELS.map((ch) => s.ch(ch));
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const n = s.n(NECK_REPEAT);
  // reduce / BiFusion / downsample convs keep ReLU unless the genome overrides every activation.
  const lateral: FamilyCtx = { ...ctx, act: ctx.override ?? 'relu' };
  return b.module('neck', v.cspE === undefined ? 'RepBiFPANNeck' : 'CSPRepBiFPANNeck', () => {
    const fpn0 = convBnAct(lateral, f.p5, c0, 1, 1, { name: 'reduce_layer0' });
    const f0 = biFusion(lateral, fpn0, f.p4, f.p3, c0, 'Bifusion0');
    const p4 = stageBlock(ctx, v, f0, c0, n, 'Rep_p4');
    const fpn1 = convBnAct(lateral, p4, c1, 1, 1, { name: 'reduce_layer1' });
    const f1 = biFusion(lateral, fpn1, f.p3, f.p2, c1, 'Bifusion1');
    const out3 = stageBlock(ctx, v, f1, c1, n, 'Rep_p3');
    const d2 = convBnAct(lateral, out3, c2, 3, 2, { name: 'downsample2' });
    const out4 = stageBlock(ctx, v, b.module('cat_n3', 'Concat', () => b.concat([d2, fpn1])), c3, n, 'Rep_n3');
    const d1 = convBnAct(lateral, out4, c4, 3, 2, { name: 'downsample1' });
    const out5 = stageBlock(ctx, v, b.module('cat_n4', 'Concat', () => b.concat([d1, fpn0])), c5, n, 'Rep_n4');
    return [out3, out4, out5] as const;
  });
}

function variant(v: V6Variant): FamilyDef {
  return {
    family: v.family,
    activation: v.blockAct,
    headActivation: 'relu',
    maxChannels: () => 1024,
    backbone: (ctx, x) => backbone(v, ctx, x),
    neck: (ctx, f) => neck(v, ctx, f),
  };
}

export const yolov6s = variant({ family: 'v6s', basic: 'repvgg', cspE: undefined, blockAct: 'relu', spp: 'simcspsppf' });
export const yolov6m = variant({ family: 'v6m', basic: 'repvgg', cspE: 2 / 3, blockAct: 'relu', spp: 'simsppf' });
export const yolov6l = variant({ family: 'v6l', basic: 'conv', cspE: 1 / 2, blockAct: 'silu', spp: 'sppf' });
