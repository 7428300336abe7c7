// The YOLOv8 detect head every YOLOBench model shares: anchor-free, decoupled box and class
// branches per level, distribution focal loss (DFL) box decoding, outputs like Ultralytics' export.
import type { BlockCtx } from './blocks.js';
import { convBnAct } from './blocks.js';
import type { T } from './builder.js';

export const REG_MAX = 16;

export interface HeadOptions {
  readonly classes: number;
  /** Strides of the levels, e.g. [8, 16, 32]. */
  readonly strides: readonly number[];
  /** Ultralytics' Detect.bias_init priors (box 1.0, class log(5 / nc / (640 / s)^2)). */
  readonly priorBias: boolean;
  /** Hidden convs per branch: 2 in YOLOv8; 1 makes a lighter head. */
  readonly branchConvs: 1 | 2;
}

export interface HeadOutputs {
  /** Raw per-level maps [4 * reg_max + nc, H, W], named p3, p4, p5 after their stride. */
  readonly levels: readonly T[];
  /** `detections`: [4 + nc, anchors]: box centre x, y, width, height in pixels, then class scores. */
  readonly detections: T;
}

/** Builds the head on feature maps at the given strides (P3 first). */
export function detectHead(ctx: BlockCtx, feats: readonly T[], opts: HeadOptions): HeadOutputs {
  const { b } = ctx;
  const nc = opts.classes;
  const first = feats[0];
  if (first === undefined) throw new RangeError('the detect head needs at least one feature map');
  const chP3 = b.channels(first);
  const c2 = Math.max(16, Math.floor(chP3 / 4), REG_MAX * 4);
  // deeplite's DetectV8 (YOLOBench) uses max(ch_P3, nc); newer Ultralytics caps nc at 100 here.
  const c3 = Math.max(chP3, nc);

  return b.module('head', 'Detect', () => {
    const levels: T[] = [];
    const flat: T[] = [];
    const anchorXY: number[][] = [[], []];
    const anchorStride: number[] = [];
    feats.forEach((x, i) => {
      const stride = opts.strides[i] ?? 2 ** (i + 3);
      const [, h = 0, w = 0] = b.shape(x);
      const branch = (name: string, hidden: number, out: number, bias: number | undefined): T =>
        b.module(`${name}.${i}`, 'Sequential', () => {
          let y = x;
          for (let j = 0; j < opts.branchConvs; j++) y = convBnAct(ctx, y, hidden, 3, 1, { name: j });
          return b.conv(
            y,
            { cout: out, k: 1, bias: true, biasInit: bias === undefined ? undefined : { kind: 'constant', value: bias } },
            String(opts.branchConvs),
          );
        });
      const box = branch('cv2', c2, 4 * REG_MAX, opts.priorBias ? 1.0 : undefined);
      const cls = branch('cv3', c3, nc, opts.priorBias ? Math.log(5 / nc / (640 / stride) ** 2) : undefined);
      const level = b.root(() => b.concat([box, cls], 0, `p${Math.log2(stride)}`));
      levels.push(level);
      flat.push(b.module(`flat${i}`, 'Reshape', () => b.reshape(level, [4 * REG_MAX + nc, h * w])));
      for (let yy = 0; yy < h; yy++)
        for (let xx = 0; xx < w; xx++) {
          anchorXY[0]?.push(xx + 0.5);
          anchorXY[1]?.push(yy + 0.5);
          anchorStride.push(stride);
        }
    });
    const anchors = anchorStride.length;
    const decoded = b.module('decode', 'Decode', () => {
      const all = b.concat(flat, 1, 'cat');
      const [boxDist, clsLogits] = b.split(all, [4 * REG_MAX, nc], 0, 'split') as [T, T];

      // DFL: softmax over the 16 bins of each side, then their expectation via a fixed 1x1 conv.
      let d = b.reshape(boxDist, [4, REG_MAX, anchors], 'dfl.reshape');
      d = b.transpose(d, [1, 0, 2], 'dfl.transpose');
      d = b.softmax(d, 0, 'dfl.softmax');
      const weight = b.param('dfl.conv.weight', [1, REG_MAX, 1, 1], { kind: 'arange' }, true, false);
      const [e] = b.op('dfl.conv', { kind: 'conv', cout: 1, k: 1, stride: 1, pad: 0, dilation: 1, groups: 1 }, [d], [weight]);
      const dist = b.reshape(e as T, [4, anchors], 'dfl.flat');

      // dist2bbox (xywh) times the stride of each anchor.
      const grid = b.param('anchors', [2, anchors], { kind: 'values', data: Float32Array.from([...(anchorXY[0] ?? []), ...(anchorXY[1] ?? [])]) }, false, false);
      const strideRow = b.param('strides', [1, anchors], { kind: 'values', data: Float32Array.from(anchorStride) }, false, false);
      const half = b.param('half', [1, 1], { kind: 'constant', value: 0.5 }, false, false);
      const [lt, rb] = b.split(dist, [2, 2], 0, 'ltrb') as [T, T];
      const x1y1 = b.sub(grid, lt, 'x1y1');
      const x2y2 = b.add(grid, rb, 'x2y2');
      const centre = b.mul(b.add(x1y1, x2y2, 'sum'), half, 'centre');
      const wh = b.sub(x2y2, x1y1, 'wh');
      const boxes = b.mul(b.concat([centre, wh], 0, 'xywh'), strideRow, 'scale');
      const scores = b.act(clsLogits, 'sigmoid', 'scores');
      return b.root(() => b.concat([boxes, scores], 0, 'detections'));
    });
    return { levels, detections: decoded };
  });
}
