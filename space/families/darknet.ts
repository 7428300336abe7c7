// YOLOv3 (Darknet-53 with an FPN neck) and YOLOv4-CSP (CSPDarknet-53, SPPCSP and a PAN of
// BottleneckCSP2), as in deeplite-torch-zoo's yolov3.yaml and yolov4.yaml.
import { blocks, type T } from '../../nn/index.js';
import type { FamilyCtx, FamilyDef, Features } from './types.js';

const { bottleneck, bottleneckCSP, bottleneckCSP2, convBnAct, sppcsp } = blocks;

type StageBlock = (ctx: FamilyCtx, x: T, c: number, n: number, name: number) => T;

/** Darknet stem and five stride-2 stages; `stage` builds the repeated block of each. */
function darknetBackbone(ctx: FamilyCtx, x: T, stage: StageBlock): Features {
  const { b, s } = ctx;
  return b.module('backbone', 'Darknet', () => {
    let y = convBnAct(ctx, x, s.ch(32), 3, 1, { name: 0 });
    y = convBnAct(ctx, y, s.ch(64), 3, 2, { name: 1 });
    y = b.module(2, 'Bottleneck', () => bottleneck(ctx, y, s.ch(64), { shortcut: true, name: 'm' }));
    const outs: T[] = [];
    const spec = [
      [128, 2],
      [256, 8],
      [512, 8],
      [1024, 4],
    ] as const;
    spec.forEach(([c, n], i) => {
      const st = i as 0 | 1 | 2 | 3;
      y = convBnAct(ctx, y, s.ch(c, st), 3, 2, { name: 3 + 2 * i });
      y = stage(ctx, y, s.ch(c, st), s.n(n, st), 4 + 2 * i);
      outs.push(y);
    });
    const [p2, p3, p4, p5] = outs as [T, T, T, T];
    return { p2, p3, p4, p5 };
  });
}

/** n residual Bottlenecks (1x1 then 3x3) in a row. */
function bottlenecks(ctx: FamilyCtx, x: T, c: number, n: number, name: number | string, shortcut = true): T {
  return ctx.b.module(name, 'Bottleneck', () => {
    let y = x;
    for (let i = 0; i < n; i++) y = bottleneck(ctx, y, c, { shortcut, name: i });
    return y;
  });
}

export const yolov3: FamilyDef = {
  family: 'v3',
  activation: 'silu',
  headActivation: 'silu',
  maxChannels: () => 1024,
  backbone: (ctx, x) => darknetBackbone(ctx, x, bottlenecks),
  neck(ctx, f) {
    const { b, s } = ctx;
    return b.module('neck', 'YOLOv3FPN', () => {
      let y = bottlenecks(ctx, f.p5, s.ch(1024), 1, 11, false);
      y = convBnAct(ctx, y, s.ch(512), 1, 1, { name: 12 });
      const l13 = convBnAct(ctx, y, s.ch(1024), 3, 1, { name: 13 });
      const l14 = convBnAct(ctx, l13, s.ch(512), 1, 1, { name: 14 });
      const out5 = convBnAct(ctx, l14, s.ch(1024), 3, 1, { name: 15 });

      y = convBnAct(ctx, l14, s.ch(256), 1, 1, { name: 16 });
      y = b.module(17, 'Upsample', () => b.upsample(y));
      y = b.module(18, 'Concat', () => b.concat([y, f.p4]));
      y = bottlenecks(ctx, y, s.ch(512), 1, 19, false);
      y = bottlenecks(ctx, y, s.ch(512), 1, 20, false);
      const l21 = convBnAct(ctx, y, s.ch(256), 1, 1, { name: 21 });
      const out4 = convBnAct(ctx, l21, s.ch(512), 3, 1, { name: 22 });

      y = convBnAct(ctx, l21, s.ch(128), 1, 1, { name: 23 });
      y = b.module(24, 'Upsample', () => b.upsample(y));
      y = b.module(25, 'Concat', () => b.concat([y, f.p3]));
      y = bottlenecks(ctx, y, s.ch(256), 1, 26, false);
      const out3 = bottlenecks(ctx, y, s.ch(256), s.n(2), 27, false);
      return [out3, out4, out5] as const;
    });
  },
};

export const yolov4: FamilyDef = {
  family: 'v4',
  activation: 'silu',
  headActivation: 'silu',
  maxChannels: () => 1024,
  backbone: (ctx, x) => darknetBackbone(ctx, x, (c, y, ch, n, name) => bottleneckCSP(c, y, ch, n, true, name)),
  neck(ctx, f) {
    const { b, s } = ctx;
    return b.module('neck', 'YOLOv4PAN', () => {
      const spp = sppcsp(ctx, f.p5, s.ch(512), 11);
      let y = convBnAct(ctx, spp, s.ch(256), 1, 1, { name: 12 });
      y = b.module(13, 'Upsample', () => b.upsample(y));
      const r4 = convBnAct(ctx, f.p4, s.ch(256), 1, 1, { name: 14 });
      y = b.module(15, 'Concat', () => b.concat([r4, y]));
      const l16 = bottleneckCSP2(ctx, y, s.ch(256), s.n(2), 16);
      y = convBnAct(ctx, l16, s.ch(128), 1, 1, { name: 17 });
      y = b.module(18, 'Upsample', () => b.upsample(y));
      const r3 = convBnAct(ctx, f.p3, s.ch(128), 1, 1, { name: 19 });
      y = b.module(20, 'Concat', () => b.concat([r3, y]));
      const l21 = bottleneckCSP2(ctx, y, s.ch(128), s.n(2), 21);
      const out3 = convBnAct(ctx, l21, s.ch(256), 3, 1, { name: 22 });

      y = convBnAct(ctx, l21, s.ch(256), 3, 2, { name: 23 });
      y = b.module(24, 'Concat', () => b.concat([y, l16]));
      const l25 = bottleneckCSP2(ctx, y, s.ch(256), s.n(2), 25);
      const out4 = convBnAct(ctx, l25, s.ch(512), 3, 1, { name: 26 });

      y = convBnAct(ctx, l25, s.ch(512), 3, 2, { name: 27 });
      y = b.module(28, 'Concat', () => b.concat([y, spp]));
      const l29 = bottleneckCSP2(ctx, y, s.ch(512), s.n(2), 29);
      const out5 = convBnAct(ctx, l29, s.ch(1024), 3, 1, { name: 30 });
      return [out3, out4, out5] as const;
    });
  },
};
