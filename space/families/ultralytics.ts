// YOLOv5 (v6.0: C3 blocks, SPPF, PAN) and YOLOv8 (C2f blocks, SPPF, PAN without lateral convs),
// as in deeplite-torch-zoo's yolov5.yaml and yolov8.yaml.
import { blocks, type T } from '../../nn/index.js';
import type { FamilyCtx, FamilyDef, Features, Stage } from './types.js';

const { c2f, c3, convBnAct, sppf } = blocks;

type CspBlock = (ctx: FamilyCtx, x: T, cout: number, n: number, shortcut: boolean, name: number) => T;

/** Stem conv, four stride-2 stages of a CSP block, SPPF. */
function cspBackbone(ctx: FamilyCtx, x: T, stem: { k: number; pad: number }, block: CspBlock, repeats: readonly number[]): Features {
  const { b, s } = ctx;
  return b.module('backbone', 'CSPDarknet', () => {
    let y = convBnAct(ctx, x, s.ch(64), stem.k, 2, { pad: stem.pad, name: 0 });
    const outs: T[] = [];
    [128, 256, 512, 1024].forEach((c, i) => {
      const st = i as Stage;
      y = convBnAct(ctx, y, s.ch(c, st), 3, 2, { name: 1 + 2 * i });
      y = block(ctx, y, s.ch(c, st), s.n(repeats[i] ?? 1, st), true, 2 + 2 * i);
      outs.push(y);
    });
    const p5 = sppf(ctx, y, s.ch(1024, 3), 9);
    const [p2, p3, p4] = outs as [T, T, T];
    return { p2, p3, p4, p5 };
  });
}

export const yolov5: FamilyDef = {
  family: 'v5',
  activation: 'silu',
  headActivation: 'silu',
  maxChannels: () => 1024,
  backbone: (ctx, x) => cspBackbone(ctx, x, { k: 6, pad: 2 }, c3, [3, 6, 9, 3]),
  neck(ctx, f) {
    const { b, s } = ctx;
    return b.module('neck', 'YOLOv5PAN', () => {
      const l10 = convBnAct(ctx, f.p5, s.ch(512), 1, 1, { name: 10 });
      let y = b.module(11, 'Upsample', () => b.upsample(l10));
      y = b.module(12, 'Concat', () => b.concat([y, f.p4]));
      y = c3(ctx, y, s.ch(512), s.n(3), false, 13);
      const l14 = convBnAct(ctx, y, s.ch(256), 1, 1, { name: 14 });
      y = b.module(15, 'Upsample', () => b.upsample(l14));
      y = b.module(16, 'Concat', () => b.concat([y, f.p3]));
      const out3 = c3(ctx, y, s.ch(256), s.n(3), false, 17);
      y = convBnAct(ctx, out3, s.ch(256), 3, 2, { name: 18 });
      y = b.module(19, 'Concat', () => b.concat([y, l14]));
      const out4 = c3(ctx, y, s.ch(512), s.n(3), false, 20);
      y = convBnAct(ctx, out4, s.ch(512), 3, 2, { name: 21 });
      y = b.module(22, 'Concat', () => b.concat([y, l10]));
      const out5 = c3(ctx, y, s.ch(1024), s.n(3), false, 23);
      return [out3, out4, out5] as const;
    });
  },
};

/** deeplite's V8_MODEL_SCALES cap 1024-channel layers by depth: 0.33 -> 1024, 0.67 -> 768, 1.0 -> 512. */
function v8MaxChannels(depth: number): number {
  if (depth >= 0.835) return 512;
  if (depth >= 0.5) return 768;
  return 1024;
}

export const yolov8: FamilyDef = {
  family: 'v8',
  activation: 'silu',
  headActivation: 'silu',
  maxChannels: v8MaxChannels,
  backbone: (ctx, x) => cspBackbone(ctx, x, { k: 3, pad: 1 }, c2f, [3, 6, 6, 3]),
  neck(ctx, f) {
    const { b, s } = ctx;
    return b.module('neck', 'YOLOv8PAN', () => {
      let y = b.module(10, 'Upsample', () => b.upsample(f.p5));
      y = b.module(11, 'Concat', () => b.concat([y, f.p4]));
      const l12 = c2f(ctx, y, s.ch(512), s.n(3), false, 12);
      y = b.module(13, 'Upsample', () => b.upsample(l12));
      y = b.module(14, 'Concat', () => b.concat([y, f.p3]));
      const out3 = c2f(ctx, y, s.ch(256), s.n(3), false, 15);
      y = convBnAct(ctx, out3, s.ch(256), 3, 2, { name: 16 });
      y = b.module(17, 'Concat', () => b.concat([y, l12]));
      const out4 = c2f(ctx, y, s.ch(512), s.n(3), false, 18);
      y = convBnAct(ctx, out4, s.ch(512), 3, 2, { name: 19 });
      y = b.module(20, 'Concat', () => b.concat([y, f.p5]));
      const out5 = c2f(ctx, y, s.ch(1024), s.n(3), false, 21);
      return [out3, out4, out5] as const;
    });
  },
};
