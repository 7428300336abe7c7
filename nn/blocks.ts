// Block builders of the YOLO families, after the Ultralytics / YOLOv6 / YOLOv7 modules they name.
// Each takes a context (builder, activation, BatchNorm epsilon) and returns its output tensor.
import type { ActFn } from './graph.js';
import type { GraphBuilder, T } from './builder.js';

export interface BlockCtx {
  readonly b: GraphBuilder;
  /** The activation of Conv blocks. */
  readonly act: ActFn;
  /** Ultralytics' initialize_weights sets BatchNorm eps to 1e-3. */
  readonly bnEps: number;
}

export function withAct(ctx: BlockCtx, act: ActFn): BlockCtx {
  return { ...ctx, act };
}

/** Conv2d(no bias) + BatchNorm + activation ("Conv" in every family); `act: null` leaves it linear. */
export function convBnAct(
  ctx: BlockCtx,
  x: T,
  cout: number,
  k = 1,
  stride = 1,
  opts: { pad?: number; groups?: number; act?: ActFn | null; name?: string | number } = {},
): T {
  const { b } = ctx;
  return b.module(opts.name ?? 'conv', 'Conv', () => {
    let y = b.conv(x, { cout, k, stride, pad: opts.pad, groups: opts.groups }, 'conv');
    y = b.batchNorm(y, ctx.bnEps, 'bn');
    const act = opts.act === undefined ? ctx.act : opts.act;
    return act === null ? y : b.act(y, act, 'act');
  });
}

/**
 * Bottleneck: cv1 (k1) to cout*e, cv2 (k2) to cout, residual when asked and cin == cout.
 * YOLOv5/v3 use kernels (1, 3), YOLOv8's C2f uses (3, 3).
 */
export function bottleneck(
  ctx: BlockCtx,
  x: T,
  cout: number,
  opts: { shortcut: boolean; e?: number; k1?: number; k2?: number; name?: string | number },
): T {
  const { b } = ctx;
  return b.module(opts.name ?? 'm', 'Bottleneck', () => {
    const hidden = Math.floor(cout * (opts.e ?? 0.5));
    const y1 = convBnAct(ctx, x, hidden, opts.k1 ?? 1, 1, { name: 'cv1' });
    const y2 = convBnAct(ctx, y1, cout, opts.k2 ?? 3, 1, { name: 'cv2' });
    return opts.shortcut && b.channels(x) === cout ? b.add(x, y2) : y2;
  });
}

/** C3: two 1x1 branches of cout/2, n Bottlenecks (1x1, 3x3, e = 1) on one, concat, 1x1. */
export function c3(ctx: BlockCtx, x: T, cout: number, n: number, shortcut: boolean, name: string | number, e = 0.5): T {
  const { b } = ctx;
  return b.module(name, 'C3', () => {
    const hidden = Math.floor(cout * e);
    let y = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv1' });
    const y2 = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv2' });
    b.module('m', 'Sequential', () => {
      for (let i = 0; i < n; i++) y = bottleneck(ctx, y, hidden, { shortcut, e: 1, k1: 1, k2: 3, name: i });
    });
    return convBnAct(ctx, b.concat([y, y2]), cout, 1, 1, { name: 'cv3' });
  });
}

/** C2f: 1x1 to 2c, split, n Bottlenecks (3x3, 3x3, e = 1) chained on the last half, concat all, 1x1. */
export function c2f(ctx: BlockCtx, x: T, cout: number, n: number, shortcut: boolean, name: string | number, e = 0.5): T {
  const { b } = ctx;
  return b.module(name, 'C2f', () => {
    const c = Math.floor(cout * e);
    const y = convBnAct(ctx, x, 2 * c, 1, 1, { name: 'cv1' });
    const parts = b.split(y, [c, c]);
    b.module('m', 'ModuleList', () => {
      for (let i = 0; i < n; i++) {
        const last = parts[parts.length - 1] as T;
        parts.push(bottleneck(ctx, last, c, { shortcut, e: 1, k1: 3, k2: 3, name: i }));
      }
    });
    return convBnAct(ctx, b.concat(parts), cout, 1, 1, { name: 'cv2' });
  });
}

/**
 * BottleneckCSP (YOLOv4-CSP / YOLOv5 v1-v5): cv1 Conv 1x1, n Bottlenecks, cv3 plain 1x1; cv2 plain
 * 1x1 on the input; concat, BatchNorm, activation, cv4 Conv 1x1.
 */
export function bottleneckCSP(ctx: BlockCtx, x: T, cout: number, n: number, shortcut: boolean, name: string | number, e = 0.5): T {
  const { b } = ctx;
  return b.module(name, 'BottleneckCSP', () => {
    const hidden = Math.floor(cout * e);
    let y = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv1' });
    b.module('m', 'Sequential', () => {
      for (let i = 0; i < n; i++) y = bottleneck(ctx, y, hidden, { shortcut, e: 1, name: i });
    });
    const y1 = b.conv(y, { cout: hidden }, 'cv3');
    const y2 = b.conv(x, { cout: hidden }, 'cv2');
    let z = b.batchNorm(b.concat([y1, y2]), ctx.bnEps, 'bn');
    z = b.act(z, ctx.act);
    return convBnAct(ctx, z, cout, 1, 1, { name: 'cv4' });
  });
}

/**
 * BottleneckCSP2 (YOLOv4-CSP neck): cv1 Conv 1x1 to c_ = cout (e = 1), n Bottlenecks without
 * shortcut on it; cv2 plain 1x1 on cv1's output; concat with the Bottleneck path, BN, act, cv3 Conv 1x1.
 */
export function bottleneckCSP2(ctx: BlockCtx, x: T, cout: number, n: number, name: string | number): T {
  const { b } = ctx;
  return b.module(name, 'BottleneckCSP2', () => {
    const hidden = cout;
    const x1 = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv1' });
    let y = x1;
    b.module('m', 'Sequential', () => {
      for (let i = 0; i < n; i++) y = bottleneck(ctx, y, hidden, { shortcut: false, e: 1, name: i });
    });
    const y2 = b.conv(x1, { cout: hidden }, 'cv2');
    let z = b.batchNorm(b.concat([y, y2]), ctx.bnEps, 'bn');
    z = b.act(z, ctx.act);
    return convBnAct(ctx, z, cout, 1, 1, { name: 'cv3' });
  });
}

/** SPPF: 1x1 to cin/2, three chained k x k max pools (stride 1), concat the four, 1x1 to cout. */
export function sppf(ctx: BlockCtx, x: T, cout: number, name: string | number, k = 5, moduleType = 'SPPF'): T {
  const { b } = ctx;
  return b.module(name, moduleType, () => {
    const hidden = Math.floor(b.channels(x) / 2);
    const y0 = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv1' });
    const y1 = b.maxPool(y0, k, 1, Math.floor(k / 2), 'm');
    const y2 = b.maxPool(y1, k, 1, Math.floor(k / 2), 'm');
    const y3 = b.maxPool(y2, k, 1, Math.floor(k / 2), 'm');
    return convBnAct(ctx, b.concat([y0, y1, y2, y3]), cout, 1, 1, { name: 'cv2' });
  });
}

/** The three parallel max pools of SPP (k = 5, 9, 13, stride 1), concatenated after their input. */
function sppPools(b: GraphBuilder, x: T, ks: readonly number[]): T {
  return b.concat([x, ...ks.map((k) => b.maxPool(x, k, 1, Math.floor(k / 2), 'm'))]);
}

/** The pyramid path shared by SPPCSP and SPPCSPC: cv1 1x1, cv3 3x3, cv4 1x1, pools 5/9/13, cv5 1x1, cv6 3x3. */
function sppCspPath(ctx: BlockCtx, x: T, hidden: number): T {
  let y = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv1' });
  y = convBnAct(ctx, y, hidden, 3, 1, { name: 'cv3' });
  y = convBnAct(ctx, y, hidden, 1, 1, { name: 'cv4' });
  y = sppPools(ctx.b, y, [5, 9, 13]);
  y = convBnAct(ctx, y, hidden, 1, 1, { name: 'cv5' });
  return convBnAct(ctx, y, hidden, 3, 1, { name: 'cv6' });
}

/**
 * SPPCSPC (YOLOv7): hidden c_ = 2 * cout * e; the pyramid path in parallel with cv2, a Conv 1x1 on
 * the input; concat; cv7 1x1.
 */
export function sppcspc(ctx: BlockCtx, x: T, cout: number, name: string | number, e = 0.5): T {
  return ctx.b.module(name, 'SPPCSPC', () => {
    const hidden = Math.floor(2 * cout * e);
    const y = sppCspPath(ctx, x, hidden);
    const y2 = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv2' });
    return convBnAct(ctx, ctx.b.concat([y, y2]), cout, 1, 1, { name: 'cv7' });
  });
}

/** SPPCSP (YOLOv4-CSP): like SPPCSPC but cv2 is a plain conv and the concat goes through BN + act. */
export function sppcsp(ctx: BlockCtx, x: T, cout: number, name: string | number, e = 0.5): T {
  const { b } = ctx;
  return b.module(name, 'SPPCSP', () => {
    const hidden = Math.floor(2 * cout * e);
    const y = sppCspPath(ctx, x, hidden);
    const y2 = b.conv(x, { cout: hidden }, 'cv2');
    const z = b.act(b.batchNorm(b.concat([y, y2]), ctx.bnEps, 'bn'), ctx.act);
    return convBnAct(ctx, z, cout, 1, 1, { name: 'cv7' });
  });
}

/**
 * RepVGG block at training time: 3x3 conv+BN, 1x1 conv+BN and (when shapes allow) an identity BN,
 * summed, then the activation. They fuse into one 3x3 conv at deployment.
 */
export function repVGG(ctx: BlockCtx, x: T, cout: number, stride: number, name: string | number, moduleType = 'RepVGGBlock'): T {
  const { b } = ctx;
  return b.module(name, moduleType, () => {
    const dense = convBnAct(ctx, x, cout, 3, stride, { act: null, name: 'rbr_dense' });
    const one = convBnAct(ctx, x, cout, 1, stride, { act: null, name: 'rbr_1x1', pad: 0 });
    let y = b.add(dense, one);
    if (b.channels(x) === cout && stride === 1) {
      const id = b.module('rbr_identity', 'BatchNorm2d', () => b.batchNorm(x, ctx.bnEps, 'bn'));
      y = b.add(y, id);
    }
    return b.act(y, ctx.act);
  });
}

/**
 * ELAN (YOLOv7): two 1x1 branches (c), four chained 3x3 convs (c3) on the second; concat of the
 * last, the second, and both branches (backbone ELAN: 4 tensors), or of all six (neck ELAN-H);
 * 1x1 to cout.
 */
export function elan(ctx: BlockCtx, x: T, c: number, c3: number, cout: number, name: string | number, all: boolean): T {
  const { b } = ctx;
  return b.module(name, all ? 'ELAN-H' : 'ELAN', () => {
    const a = convBnAct(ctx, x, c, 1, 1, { name: 'cv1' });
    const bb = convBnAct(ctx, x, c, 1, 1, { name: 'cv2' });
    const chain: T[] = [];
    let y = bb;
    for (let i = 0; i < 4; i++) {
      y = convBnAct(ctx, y, c3, 3, 1, { name: `m${i}` });
      chain.push(y);
    }
    const [m0, m1, m2, m3] = chain as [T, T, T, T];
    const parts = all ? [m3, m2, m1, m0, bb, a] : [m3, m1, bb, a];
    return convBnAct(ctx, b.concat(parts), cout, 1, 1, { name: 'cv3' });
  });
}

/**
 * MP transition (YOLOv7): MaxPool 2x2 + 1x1 (c) in parallel with 1x1 (c) + 3x3 stride 2 (c);
 * concat, plus `extra` (the neck's lateral input) when given.
 */
export function mpTransition(ctx: BlockCtx, x: T, c: number, name: string | number, extra?: T): T {
  const { b } = ctx;
  return b.module(name, 'MP', () => {
    const pooled = convBnAct(ctx, b.maxPool(x, 2, 2, 0, 'mp'), c, 1, 1, { name: 'cv1' });
    const strided = convBnAct(ctx, convBnAct(ctx, x, c, 1, 1, { name: 'cv2' }), c, 3, 2, { name: 'cv3' });
    return b.concat(extra ? [strided, pooled, extra] : [strided, pooled]);
  });
}

/** The 3x3 unit a YOLOv6 block repeats: a RepVGG block (v6 s/m) or Conv-BN-act (v6 l). */
export type BasicBlock = 'repvgg' | 'conv';

export function basicBlock(ctx: BlockCtx, kind: BasicBlock, x: T, cout: number, stride: number, name: string | number): T {
  return kind === 'repvgg' ? repVGG(ctx, x, cout, stride, name) : convBnAct(ctx, x, cout, 3, stride, { name });
}

/** RepBlock (YOLOv6): a first block cin -> cout, then n - 1 blocks cout -> cout. */
export function repBlock(ctx: BlockCtx, x: T, cout: number, n: number, kind: BasicBlock, name: string | number): T {
  const { b } = ctx;
  return b.module(name, 'RepBlock', () => {
    let y = basicBlock(ctx, kind, x, cout, 1, 'conv1');
    b.module('block', 'Sequential', () => {
      for (let i = 1; i < n; i++) y = basicBlock(ctx, kind, y, cout, 1, i - 1);
    });
    return y;
  });
}

/** BottleRep (YOLOv6 v3): two basic blocks, plus alpha * x (alpha a learned scalar, 1 at init) when cin == cout. */
export function bottleRep(ctx: BlockCtx, x: T, cout: number, kind: BasicBlock, name: string | number): T {
  const { b } = ctx;
  return b.module(name, 'BottleRep', () => {
    const y = basicBlock(ctx, kind, basicBlock(ctx, kind, x, cout, 1, 'conv1'), cout, 1, 'conv2');
    if (b.channels(x) !== cout) return y;
    const alpha = b.param('alpha', [1], { kind: 'constant', value: 1 });
    return b.add(y, b.mul(x, alpha, 'scale'));
  });
}

/**
 * BepC3 (YOLOv6 m/l): cv1, cv2 1x1 to c_ = int(cout * e); max(n // 2, 1) BottleReps on cv1's
 * path; concat both paths; cv3 1x1 to cout.
 */
export function bepC3(ctx: BlockCtx, x: T, cout: number, n: number, e: number, kind: BasicBlock, name: string | number): T {
  const { b } = ctx;
  return b.module(name, 'BepC3', () => {
    const hidden = Math.floor(cout * e);
    let y = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv1' });
    const y2 = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv2' });
    b.module('m', 'RepBlock', () => {
      const pairs = Math.max(Math.floor(n / 2), 1);
      y = bottleRep(ctx, y, hidden, kind, 'conv1');
      b.module('block', 'Sequential', () => {
        for (let i = 1; i < pairs; i++) y = bottleRep(ctx, y, hidden, kind, i - 1);
      });
    });
    return convBnAct(ctx, b.concat([y, y2]), cout, 1, 1, { name: 'cv3' });
  });
}

/**
 * BiFusion (YOLOv6 v3 neck): the upper level upsampled by a 2x2 stride-2 ConvTranspose (with
 * bias), this level through a 1x1, the lower level through a 1x1 then a 3x3 stride-2 conv;
 * concat; 1x1 to cout.
 */
export function biFusion(ctx: BlockCtx, upper: T, same: T, lower: T, cout: number, name: string | number): T {
  const { b } = ctx;
  return b.module(name, 'BiFusion', () => {
    const up = b.module('upsample', 'Transpose', () => b.convTranspose(upper, { cout, k: 2, stride: 2, bias: true }, 'upsample_transpose'));
    const mid = convBnAct(ctx, same, cout, 1, 1, { name: 'cv1' });
    const down = convBnAct(ctx, convBnAct(ctx, lower, cout, 1, 1, { name: 'cv2' }), cout, 3, 2, { name: 'downsample' });
    return convBnAct(ctx, b.concat([up, mid, down]), cout, 1, 1, { name: 'cv3' });
  });
}

/**
 * SimCSPSPPF (YOLOv6 s): c_ = cout * e; cv1 1x1, cv3 3x3, cv4 1x1, three chained 5x5 pools,
 * cv5 1x1 over the four, cv6 3x3; cv2 1x1 on the input; concat (cv2 first); cv7 1x1 to cout.
 */
export function simCSPSPPF(ctx: BlockCtx, x: T, cout: number, name: string | number, e = 0.5, k = 5): T {
  const { b } = ctx;
  return b.module(name, 'SimCSPSPPF', () => {
    const hidden = Math.floor(cout * e);
    let x1 = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv1' });
    x1 = convBnAct(ctx, x1, hidden, 3, 1, { name: 'cv3' });
    x1 = convBnAct(ctx, x1, hidden, 1, 1, { name: 'cv4' });
    const y0 = convBnAct(ctx, x, hidden, 1, 1, { name: 'cv2' });
    const p1 = b.maxPool(x1, k, 1, Math.floor(k / 2), 'm');
    const p2 = b.maxPool(p1, k, 1, Math.floor(k / 2), 'm');
    const p3 = b.maxPool(p2, k, 1, Math.floor(k / 2), 'm');
    let y3 = convBnAct(ctx, b.concat([x1, p1, p2, p3]), hidden, 1, 1, { name: 'cv5' });
    y3 = convBnAct(ctx, y3, hidden, 3, 1, { name: 'cv6' });
    return convBnAct(ctx, b.concat([y0, y3]), cout, 1, 1, { name: 'cv7' });
  });
}
