// Ultralytics model YAML for the genomes Ultralytics can express: YOLOv5 or YOLOv8 backbones with
// YOLOv5 or YOLOv8 necks and the YOLOv8 head. Channels and repeats are written out per layer
// (depth_multiple = width_multiple = 1), so per-stage genes and mixed necks survive exactly.
import { makeScaler, type Family, type Genome } from '../space/index.js';

export type UltralyticsYaml = { readonly ok: true; readonly yaml: string } | { readonly ok: false; readonly reason: string };

const ACT_YAML: Readonly<Record<string, string>> = {
  silu: 'nn.SiLU()',
  relu: 'nn.ReLU()',
  relu6: 'nn.ReLU6()',
  hardswish: 'nn.Hardswish()',
  leakyrelu: 'nn.LeakyReLU(0.1)',
};

type Layer = readonly [from: number | readonly number[], n: number, module: string, args: readonly (number | string | boolean | null)[]];

const fmt = (l: Layer): string => `  - [${Array.isArray(l[0]) ? `[${l[0].join(', ')}]` : l[0]}, ${l[1]}, ${l[2]}, [${l[3].map((a) => (a === null ? 'None' : typeof a === 'string' && a !== 'nc' ? `'${a}'` : String(a))).join(', ')}]]`;

/** Why a genome cannot be written as an Ultralytics YAML, or undefined when it can. */
export function ultralyticsProblem(g: Genome): string | undefined {
  const ok: readonly Family[] = ['v5', 'v8'];
  if (!ok.includes(g.backbone))
    return g.backbone === 'v3'
      ? 'YOLOBench builds YOLOv3 bottlenecks as 1x1 then 3x3 convs; Ultralytics\' Bottleneck is 3x3 then 3x3, so its yolov3.yaml would be another network'
      : `Ultralytics has no modules for the ${g.backbone} backbone (${g.backbone.startsWith('v6') ? 'RepVGG/BepC3 blocks, BiFusion' : g.backbone === 'v7' ? 'ELAN, MP, RepConv' : 'BottleneckCSP with plain convs, SPPCSP'})`;
  if (!ok.includes(g.neck)) return `Ultralytics has no modules for the ${g.neck} neck`;
  if (g.head !== 'v8') return 'the v8lite head (one conv per branch) is not an Ultralytics module';
  return undefined;
}

/** The YAML, or the reason none can be written. */
export function ultralyticsYaml(g: Genome, classes: number, name: string): UltralyticsYaml {
  const problem = ultralyticsProblem(g);
  if (problem) return { ok: false, reason: problem };
  const bs = makeScaler(g, g.backbone);
  const ns = makeScaler(g, g.neck);
  const v8b = g.backbone === 'v8';
  const block = (fam: Family): string => (fam === 'v8' ? 'C2f' : 'C3');
  const backbone: Layer[] = [[-1, 1, 'Conv', v8b ? [bs.ch(64), 3, 2] : [bs.ch(64), 6, 2, 2]]];
  const repeats = v8b ? [3, 6, 6, 3] : [3, 6, 9, 3];
  [128, 256, 512, 1024].forEach((c, i) => {
    const st = i as 0 | 1 | 2 | 3;
    backbone.push([-1, 1, 'Conv', [bs.ch(c, st), 3, 2]]);
    backbone.push([-1, bs.n(repeats[i] ?? 1, st), block(g.backbone), [bs.ch(c, st), true]]);
  });
  backbone.push([-1, 1, 'SPPF', [bs.ch(1024, 3), 5]]);
  const [P3, P4, P5] = [4, 6, 9];
  const nb = block(g.neck);
  const head: Layer[] =
    g.neck === 'v8'
      ? [
          [-1, 1, 'nn.Upsample', [null, 2, 'nearest']],
          [[-1, P4], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(512)]], // 12
          [-1, 1, 'nn.Upsample', [null, 2, 'nearest']],
          [[-1, P3], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(256)]], // 15
          [-1, 1, 'Conv', [ns.ch(256), 3, 2]],
          [[-1, 12], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(512)]], // 18
          [-1, 1, 'Conv', [ns.ch(512), 3, 2]],
          [[-1, P5], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(1024)]], // 21
          [[15, 18, 21], 1, 'Detect', ['nc']],
        ]
      : [
          [-1, 1, 'Conv', [ns.ch(512), 1, 1]], // 10
          [-1, 1, 'nn.Upsample', [null, 2, 'nearest']],
          [[-1, P4], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(512), false]],
          [-1, 1, 'Conv', [ns.ch(256), 1, 1]], // 14
          [-1, 1, 'nn.Upsample', [null, 2, 'nearest']],
          [[-1, P3], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(256), false]], // 17
          [-1, 1, 'Conv', [ns.ch(256), 3, 2]],
          [[-1, 14], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(512), false]], // 20
          [-1, 1, 'Conv', [ns.ch(512), 3, 2]],
          [[-1, 10], 1, 'Concat', [1]],
          [-1, ns.n(3), nb, [ns.ch(1024), false]], // 23
          [[17, 20, 23], 1, 'Detect', ['nc']],
        ];
  const act = g.activation === 'family' ? undefined : ACT_YAML[g.activation];
  const yaml = [
    `# ${name}: exported by zcnas. Train with: yolo train model=${name}.yaml data=<your data>.yaml imgsz=${g.resolution}`,
    '# Channels and repeats are written per layer, so the multipliers stay 1.0.',
    '# The Detect head is YOLOv8\'s (two 3x3 convs per branch), as in Ultralytics 8.0-8.2.',
    `nc: ${classes}`,
    'depth_multiple: 1.0',
    'width_multiple: 1.0',
    ...(act ? [`activation: ${act}`] : []),
    'backbone:',
    ...backbone.map(fmt),
    'head:',
    ...head.map(fmt),
    '',
  ].join('\n');
  return { ok: true, yaml };
}
