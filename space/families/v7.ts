// YOLOv7 (base), as in deeplite-torch-zoo's yolov7.yaml: ELAN backbone, SPPCSPC, ELAN-H PAN with
// MP transitions, RepConv before the head. No block repeats, so depth has no effect.
import { blocks, type T } from '../../nn/index.js';
import type { FamilyDef, Stage } from './types.js';

const { convBnAct, elan, mpTransition: mp, repVGG, sppcspc } = blocks;

export const yolov7: FamilyDef = {
  family: 'v7',
  activation: 'silu',
  headActivation: 'silu',
  maxChannels: () => 1024,
  backbone(ctx, x) {
    const { b, s } = ctx;
    return b.module('backbone', 'ELANNet', () => {
      let y = convBnAct(ctx, x, s.ch(32), 3, 1, { name: 0 });
      y = convBnAct(ctx, y, s.ch(64), 3, 2, { name: 1 });
      y = convBnAct(ctx, y, s.ch(64), 3, 1, { name: 2 });
      y = convBnAct(ctx, y, s.ch(128, 0), 3, 2, { name: 3 });
      const p2 = elan(ctx, y, s.ch(64, 0), s.ch(64, 0), s.ch(256, 0), 4, false);
      const stages: T[] = [p2];
      // [transition width, ELAN width, ELAN output] per stage P3..P5.
      const spec = [
        [128, 128, 512],
        [256, 256, 1024],
        [512, 256, 1024],
      ] as const;
      spec.forEach(([t, c, out], i) => {
        const st = (i + 1) as Stage;
        const prev = stages[stages.length - 1] as T;
        const down = mp(ctx, prev, s.ch(t, st), 5 + 2 * i);
        stages.push(elan(ctx, down, s.ch(c, st), s.ch(c, st), s.ch(out, st), 6 + 2 * i, false));
      });
      const [, p3, p4, p5] = stages as [T, T, T, T];
      return { p2, p3, p4, p5 };
    });
  },
  neck(ctx, f) {
    const { b, s } = ctx;
    return b.module('neck', 'YOLOv7PAN', () => {
      const spp = sppcspc(ctx, f.p5, s.ch(512), 11);
      let y = convBnAct(ctx, spp, s.ch(256), 1, 1, { name: 12 });
      y = b.module(13, 'Upsample', () => b.upsample(y));
      y = b.module(14, 'Concat', () => b.concat([convBnAct(ctx, f.p4, s.ch(256), 1, 1, { name: 'route' }), y]));
      const h4 = elan(ctx, y, s.ch(256), s.ch(128), s.ch(256), 15, true);
      y = convBnAct(ctx, h4, s.ch(128), 1, 1, { name: 16 });
      y = b.module(17, 'Upsample', () => b.upsample(y));
      y = b.module(18, 'Concat', () => b.concat([convBnAct(ctx, f.p3, s.ch(128), 1, 1, { name: 'route' }), y]));
      const h3 = elan(ctx, y, s.ch(128), s.ch(64), s.ch(128), 19, true);
      y = mp(ctx, h3, s.ch(128), 20, h4);
      const n4 = elan(ctx, y, s.ch(256), s.ch(128), s.ch(256), 21, true);
      y = mp(ctx, n4, s.ch(256), 22, spp);
      const n5 = elan(ctx, y, s.ch(512), s.ch(256), s.ch(512), 23, true);
      const out3 = repVGG(ctx, h3, s.ch(256), 1, 24, 'RepConv');
      const out4 = repVGG(ctx, n4, s.ch(512), 1, 25, 'RepConv');
      const out5 = repVGG(ctx, n5, s.ch(1024), 1, 26, 'RepConv');
      return [out3, out4, out5] as const;
    });
  },
};
