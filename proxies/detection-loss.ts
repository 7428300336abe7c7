// A labelled detection loss on the head's raw level maps, built as ONNX ops through nn/autodiff's
// `custom` loss hook (the loss and its gradient with respect to each level map), so every
// gradient proxy can differentiate it.
//
// Level maps: levelMaps(graph) (p3, p4, p5), each [B, 4 * REG_MAX + nc, H, W]: per cell 4 x REG_MAX
// box-distribution logits (sides l, t, r, b) then nc class logits. Stride of a level: r / H.
//
// Target assignment (static, in TypeScript; YOLOv8's centre sampling simplified):
// - each box goes to one level: the first (finest) level whose stride s has 8 s >= max(w, h) of
//   the box in pixels (objects up to 64 px on stride 8, up to 128 px on stride 16, ...), else the
//   coarsest level;
// - on that level, to the one cell holding its centre (floor(cx / s), floor(cy / s), clamped);
// - two boxes on one cell: the smaller area wins (the earlier one on equal areas);
// - the cell's class target is the box's class (one-hot); its box target the distances from the
//   cell centre to the sides in stride units, clamped to [0, REG_MAX - 1.01].
// Loss (npos = number of assigned cells, at least 1):
//   L = (sum over every cell and class of BCE-with-logits(logit, target)
//        + sum over assigned cells and sides of |DFL-decoded distance - target distance|) / npos,
// with the DFL decoding d = sum_i softmax(logits)_i * i over the REG_MAX bins.
// Gradient (the seed handed to the backward pass): (sigmoid(x) - y) / npos on class logits;
// sign(d - t) * p_i * (i - d) / npos on box logits of assigned cells (sign(0) = 0).
import { autodiff, GraphError, REG_MAX, type Graph, type LossSpec } from '../nn/index.js';
import { levelMaps } from './gradient.js';
import type { TargetBox } from './labels.js';

export const DETECTION_LOSS = 'detection (labels): BCE(cls) over all cells + L1(DFL ltrb) on centre cells, / npos';

/** Largest object (max side, in strides) a level takes before passing it to the next one. */
export const LEVEL_SIZE_IN_STRIDES = 8;

export interface LevelTargets {
  readonly tensor: string;
  readonly stride: number;
  readonly h: number;
  readonly w: number;
  /** [B, nc, H, W] one-hot class targets. */
  readonly cls: Float32Array;
  /** [B, 1, H, W] 1 on assigned cells. */
  readonly mask: Float32Array;
  /** [B, 4, H, W] ltrb distances in strides (0 where unassigned). */
  readonly box: Float32Array;
}

export interface DetectionTargets {
  readonly levels: readonly LevelTargets[];
  readonly classes: number;
  readonly positives: number;
}

/** Assigns `boxes` (of samples 0..B-1) to the level maps of `graph` (the rule above). */
export function assignTargets(graph: Graph, boxes: readonly TargetBox[], B: number): DetectionTargets {
  const r = graph.input.shape[1] ?? 0;
  const levels = levelMaps(graph).map((t) => {
    const [c = 0, h = 0, w = 0] = graph.tensors.get(t)?.shape ?? [];
    return { t, c, h, w, stride: r / h };
  });
  if (levels.length === 0) throw new GraphError(`${graph.name} has no head level maps`);
  const classes = (levels[0]?.c ?? 0) - 4 * REG_MAX;
  for (const l of levels) if (l.c - 4 * REG_MAX !== classes || classes < 1) throw new GraphError(`level map ${l.t} has ${l.c} channels, not 4*${REG_MAX} + classes`);
  const order = [...levels.keys()].sort((a, b) => (levels[a]?.stride ?? 0) - (levels[b]?.stride ?? 0));
  // Winner per (level, sample, cell): the box with the smallest area.
  const winners = levels.map(() => new Map<number, TargetBox>());
  for (const box of boxes) {
    if (box.sample < 0 || box.sample >= B) continue;
    if (box.cls >= classes) throw new GraphError(`box of class ${box.cls} for a head with ${classes} classes`);
    const size = Math.max(box.x2 - box.x1, box.y2 - box.y1);
    const li = order.find((i) => LEVEL_SIZE_IN_STRIDES * (levels[i]?.stride ?? 0) >= size) ?? (order[order.length - 1] as number);
    const l = levels[li] as (typeof levels)[number];
    const gx = Math.min(l.w - 1, Math.max(0, Math.floor((box.x1 + box.x2) / 2 / l.stride)));
    const gy = Math.min(l.h - 1, Math.max(0, Math.floor((box.y1 + box.y2) / 2 / l.stride)));
    const key = (box.sample * l.h + gy) * l.w + gx;
    const known = winners[li]?.get(key);
    const area = (b: TargetBox): number => (b.x2 - b.x1) * (b.y2 - b.y1);
    if (!known || area(box) < area(known)) winners[li]?.set(key, box);
  }
  let positives = 0;
  const out = levels.map((l, li) => {
    const plane = l.h * l.w;
    const cls = new Float32Array(B * classes * plane);
    const mask = new Float32Array(B * plane);
    const box = new Float32Array(B * 4 * plane);
    for (const [key, b] of winners[li] ?? []) {
      const sample = Math.floor(key / plane);
      const cell = key % plane;
      const gy = Math.floor(cell / l.w);
      const gx = cell % l.w;
      const cx = (gx + 0.5) * l.stride;
      const cy = (gy + 0.5) * l.stride;
      const clamp = (v: number): number => Math.min(REG_MAX - 1.01, Math.max(0, v / l.stride));
      const ltrb = [clamp(cx - b.x1), clamp(cy - b.y1), clamp(b.x2 - cx), clamp(b.y2 - cy)];
      cls[(sample * classes + b.cls) * plane + cell] = 1;
      mask[sample * plane + cell] = 1;
      ltrb.forEach((v, j) => (box[(sample * 4 + j) * plane + cell] = v));
      positives++;
    }
    return { tensor: l.t, stride: l.stride, h: l.h, w: l.w, cls, mask, box };
  });
  return { levels: out, classes, positives };
}

/** The detection loss of `targets` as a `custom` LossSpec for nn/autodiff. */
export function detectionLoss(targets: DetectionTargets): LossSpec {
  return {
    kind: 'custom',
    description: DETECTION_LOSS,
    build(em, ctx) {
      const B = ctx.batch;
      const nc = targets.classes;
      const inv = em.scalar(1 / Math.max(1, targets.positives));
      const seeds = new Map<string, string>();
      const terms: string[] = [];
      const bins = em.constant(Array.from({ length: REG_MAX }, (_, i) => i), [1, 1, REG_MAX, 1, 1]);
      for (const l of targets.levels) {
        const { h, w } = l;
        const P = l.tensor;
        const slice = (from: number, to: number): string => em.node('Slice', [P, em.i64([from]), em.i64([to]), em.i64([1])]);
        // Class logits: BCE with logits = max(x, 0) - x y + log(1 + exp(-|x|)).
        const x = slice(4 * REG_MAX, 4 * REG_MAX + nc);
        const y = em.constant(l.cls, [B, nc, h, w]);
        const bce = em.node('Add', [em.node('Sub', [em.node('Relu', [x]), em.node('Mul', [x, y])]), em.node('Softplus', [em.node('Neg', [em.node('Abs', [x])])])]);
        terms.push(em.total(bce));
        const gCls = em.node('Mul', [em.node('Sub', [em.node('Sigmoid', [x]), y]), inv]);
        // Box logits: DFL expectation per side, L1 to the target on assigned cells.
        const logits = em.reshape(slice(0, 4 * REG_MAX), [B, 4, REG_MAX, h, w]);
        const p = em.node('Softmax', [logits], [autodiff.attr.int('axis', 2)]);
        const d = em.reduceSum(em.node('Mul', [p, bins]), [2], true);
        const mask = em.constant(l.mask, [B, 1, 1, h, w]);
        const diff = em.node('Sub', [d, em.constant(l.box, [B, 4, 1, h, w])]);
        terms.push(em.total(em.node('Mul', [em.node('Abs', [diff]), mask])));
        const s = em.node('Mul', [em.node('Mul', [em.node('Sign', [diff]), mask]), inv]);
        const gBox = em.reshape(em.node('Mul', [em.node('Mul', [p, em.node('Sub', [bins, d])]), s]), [B, 4 * REG_MAX, h, w]);
        seeds.set(P, em.node('Concat', [gBox, gCls], [autodiff.attr.int('axis', 1)]));
      }
      return { loss: em.node('Mul', [em.sum(terms), inv]), seeds };
    },
  };
}
