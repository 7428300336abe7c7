// Reverse-mode differentiation over an nn Graph, emitted as ONNX nodes that read the forward
// model's tensors (the names nn/onnx.ts gives them) and produce gradient tensors.
//
// Rules (B = batch; ONNX shapes are [B, ...per-sample shape] for activations, the stored shape for
// parameters):
// - conv: input gradient = ConvTranspose(gy, W) with the forward strides, pads, dilations and
//   groups, output_padding recovering the exact input size (ungrouped stride-1 'same' convs in
//   float32: a Conv of gy with W transposed and flipped, which onnxruntime runs faster; see flippedKernel); weight gradient = one Conv of the input
//   transposed to [C_in/g, g*B, H, W] with the output gradient transposed to [C_out, B, Ho, Wo] as
//   kernel (group g, dilations = forward stride, strides = forward dilation, pads = forward pads),
//   cropped to k x k and transposed back (used for grouped convs and in the float64 path; ungrouped
//   convs in float32 use MatMul instead: 1x1 stride-1 convs one batched MatMul of gy with x^T,
//   other k x k convs an im2col by one Gather first, see weightGradIm2col; the batch is summed
//   after the products or, in deep layers, inside them; the products as onnxruntime's FusedMatMul,
//   which transposes its operands itself, so that no transpose is copied); bias
//   gradient = ReduceSum over batch and space.
// - convTranspose: input gradient = Conv(gy, W); weight gradient = Conv of gy^T with x^T as kernel.
// - batchNorm, fixed statistics: gx = gy * gamma / sqrt(var + eps). Batch statistics:
//   gx = (gamma / sigma) * (gy - mean(gy) - xhat * mean(gy * xhat)), means over (B, H, W).
// - act: gy * f'(x), with PyTorch's conventions at the kinks: relu' = 1 for x > 0 only; relu6' = 1
//   for 0 < x < 6; leakyrelu' = 1 for x > 0 else 0.1; hardswish' = 0 (x < -3), x/3 + 1/2
//   (-3 <= x <= 3), 1 (x > 3).
// - add/sub/mul: broadcast operands get the gradient summed over the broadcast axes.
// - concat: Split of gy; split: Concat of the part gradients (zeros for unused parts).
// - maxPool: each output's gradient goes to the input element MaxPool's `Indices` output names
//   (ScatterElements with reduction add). onnxruntime's CPU MaxPool reports the first maximum of a
//   window in row-major order (ky, then kx), so ties are broken deterministically towards the
//   top-left element, as in PyTorch.
// - resize (nearest, integer scale s): sum of gy over each s x s block (Reshape + ReduceSum).
// - reshape / transpose: the inverse reshape / permutation; softmax: y * (gy - sum(gy * y)).
import { GraphError, LEAKY_SLOPE, type Graph, type Node, type Op } from '../graph.js';
import { attr, type Emitter } from './emitter.js';

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export interface BackwardOptions {
  readonly batch: number;
  readonly batchNorm: 'inference' | 'batch';
  /** Initial gradients: d(loss)/d(tensor) for the tensors the loss reads (ONNX names in `em`). */
  readonly seeds: ReadonlyMap<string, string>;
  /** Tensors and parameters whose gradients are wanted. */
  readonly wrt: readonly string[];
  /** Computes a conv-family op in another precision (float64 models run convs in float32). */
  readonly convHook?: ConvHook;
}

/** Emits a Conv or ConvTranspose node; the float64 path wraps it in scaled float32 casts. */
export type ConvHook = (em: Emitter, opType: 'Conv' | 'ConvTranspose', inputs: readonly string[], attrs: ReturnType<typeof attr.ints>[]) => string;

const plainConv: ConvHook = (em, opType, inputs, attrs) => em.node(opType, inputs, attrs);

/** ONNX shape of an activation tensor or parameter. */
export function onnxShape(graph: Graph, name: string, batch: number): number[] {
  const t = graph.tensors.get(name);
  if (t) return [batch, ...t.shape];
  const p = graph.params.get(name);
  if (p) return [...p.shape];
  throw new GraphError(`autodiff: unknown tensor ${name}`);
}

/**
 * Emits the gradients of the loss (given by its seeds) with respect to `wrt`. Returns the ONNX
 * name of each gradient; a wanted tensor the loss does not depend on gets zeros.
 */
export function emitBackward(graph: Graph, em: Emitter, opts: BackwardOptions): Map<string, string> {
  const B = opts.batch;
  const conv = opts.convHook ?? plainConv;
  const shape = (name: string): number[] => onnxShape(graph, name, B);

  // Active: depends on something we differentiate with respect to.
  const active = new Set<string>(opts.wrt);
  for (const n of graph.nodes) if ([...n.inputs, ...n.params].some((i) => active.has(i))) for (const o of n.outputs) active.add(o);
  // Relevant: the loss depends on it.
  const relevant = new Set<string>(opts.seeds.keys());
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i] as Node;
    if (n.outputs.some((o) => relevant.has(o))) for (const x of [...n.inputs, ...n.params]) relevant.add(x);
  }

  const parts = new Map<string, string[]>();
  const contribute = (name: string, grad: string): void => {
    const list = parts.get(name);
    if (list) list.push(grad);
    else parts.set(name, [grad]);
  };
  for (const [t, g] of opts.seeds) contribute(t, g);
  const done = new Map<string, string>();
  const gradOf = (name: string): string | undefined => {
    const known = done.get(name);
    if (known) return known;
    const list = parts.get(name);
    if (!list || list.length === 0) return undefined;
    const g = em.sum(list);
    done.set(name, g);
    return g;
  };
  const wants = (name: string): boolean => active.has(name) && relevant.has(name);

  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i] as Node;
    if (!node.outputs.some((o) => relevant.has(o) && active.has(o))) continue;
    const gys = node.outputs.map((o) => gradOf(o));
    if (gys.every((g) => g === undefined)) continue;
    nodeBackward(em, node, gys, { B, bn: opts.batchNorm, conv, shape, wants, contribute, gemm1x1: opts.convHook === undefined });
  }

  const out = new Map<string, string>();
  for (const w of opts.wrt) out.set(w, gradOf(w) ?? em.zeros(shape(w)));
  return out;
}

interface Ctx {
  readonly B: number;
  readonly bn: 'inference' | 'batch';
  readonly conv: ConvHook;
  readonly shape: (name: string) => number[];
  readonly wants: (name: string) => boolean;
  readonly contribute: (name: string, grad: string) => void;
  readonly gemm1x1: boolean;
}

/** Sums `g` (shape `outShape`) down to `target` (numpy broadcasting), then reshapes to it. */
function unbroadcast(em: Emitter, g: string, outShape: readonly number[], target: readonly number[]): string {
  const lead = outShape.length - target.length;
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    const t = i < lead ? undefined : target[i - lead];
    if (t === undefined || (t === 1 && (outShape[i] ?? 1) !== 1)) axes.push(i);
  }
  if (axes.length === 0) return g;
  const r = em.reduceSum(g, axes, true);
  return em.reshape(r, target);
}

function nodeBackward(em: Emitter, node: Node, gys: readonly (string | undefined)[], c: Ctx): void {
  const op = node.op;
  const x = node.inputs[0] ?? '';
  const y = node.outputs[0] ?? '';
  const gy = gys[0];
  switch (op.kind) {
    case 'conv':
      if (gy) convBackward(em, node, op, gy, c);
      return;
    case 'convTranspose':
      if (gy) convTransposeBackward(em, node, op, gy, c);
      return;
    case 'batchNorm':
      if (gy) bnBackward(em, node, op.eps, gy, c);
      return;
    case 'act':
      if (gy && c.wants(x)) c.contribute(x, actBackward(em, node, op.fn, x, y, gy));
      return;
    case 'add':
    case 'sub':
    case 'mul': {
      if (!gy) return;
      const operands = [...node.inputs, ...node.params];
      const [a = '', b = ''] = operands;
      const outShape = c.shape(y);
      if (c.wants(a)) {
        const g = op.kind === 'mul' ? em.node('Mul', [gy, b]) : gy;
        c.contribute(a, unbroadcast(em, g, outShape, c.shape(a)));
      }
      if (c.wants(b)) {
        const g = op.kind === 'mul' ? em.node('Mul', [gy, a]) : op.kind === 'sub' ? em.node('Neg', [gy]) : gy;
        c.contribute(b, unbroadcast(em, g, outShape, c.shape(b)));
      }
      return;
    }
    case 'concat': {
      if (!gy) return;
      const sizes = node.inputs.map((i) => c.shape(i)[op.axis + 1] ?? 0);
      const pieces = node.inputs.length === 1 ? [gy] : em.nodeN('Split', [gy, em.i64(sizes)], sizes.length, [attr.int('axis', op.axis + 1)]);
      node.inputs.forEach((inp, k) => {
        if (c.wants(inp)) c.contribute(inp, pieces[k] as string);
      });
      return;
    }
    case 'split': {
      if (!c.wants(x)) return;
      const pieces = node.outputs.map((o, k) => gys[k] ?? em.zeros(c.shape(o)));
      c.contribute(x, pieces.length === 1 ? (pieces[0] as string) : em.node('Concat', pieces, [attr.int('axis', op.axis + 1)]));
      return;
    }
    case 'maxPool': {
      if (!gy || !c.wants(x)) return;
      const xs = c.shape(x);
      const ys = c.shape(y);
      // storage_order, its default, spelled out: without it onnxruntime's common-subexpression
      // pass finds this node's first output equal to the forward MaxPool's, cannot remove the node
      // (its indices are used) and reports a change on every pass, so session creation ran all its
      // basic graph optimizations ten times (the limit) instead of twice.
      const [, indices] = em.nodeN(
        'MaxPool',
        [x],
        2,
        [attr.ints('kernel_shape', [op.k, op.k]), attr.ints('strides', [op.stride, op.stride]), attr.ints('pads', [op.pad, op.pad, op.pad, op.pad]), attr.int('storage_order', 0)],
        'maxpool_idx',
      );
      const flatIdx = em.reshape(indices as string, [size(ys)]);
      const flatG = em.reshape(gy, [size(ys)]);
      const scattered = em.node('ScatterElements', [em.zeros([size(xs)]), flatIdx, flatG], [attr.int('axis', 0), attr.str('reduction', 'add')]);
      c.contribute(x, em.reshape(scattered, xs));
      return;
    }
    case 'resize': {
      if (!gy || !c.wants(x)) return;
      const [b = 0, ch = 0, h = 0, w = 0] = c.shape(x);
      const s = op.scale;
      const blocks = em.reshape(gy, [b, ch, h, s, w, s]);
      c.contribute(x, em.reduceSum(blocks, [3, 5], false));
      return;
    }
    case 'reshape':
      if (gy && c.wants(x)) c.contribute(x, em.reshape(gy, c.shape(x)));
      return;
    case 'transpose': {
      if (!gy || !c.wants(x)) return;
      const perm = [0, ...op.perm.map((p) => p + 1)];
      const inverse = perm.map((_, i) => perm.indexOf(i));
      c.contribute(x, em.transpose(gy, inverse));
      return;
    }
    case 'softmax': {
      if (!gy || !c.wants(x)) return;
      const prod = em.node('Mul', [gy, y]);
      const s = em.reduceSum(prod, [op.axis + 1], true);
      c.contribute(x, em.node('Mul', [y, em.node('Sub', [gy, s])]));
      return;
    }
  }
}

function actBackward(em: Emitter, node: Node, fn: Extract<Op, { kind: 'act' }>['fn'], x: string, y: string, gy: string): string {
  const zero = em.scalar(0);
  switch (fn) {
    case 'relu':
      return em.node('Where', [em.node('Greater', [x, zero]), gy, zero]);
    case 'leakyrelu':
      return em.node('Mul', [gy, em.node('Where', [em.node('Greater', [x, zero]), em.scalar(1), em.scalar(LEAKY_SLOPE)])]);
    case 'relu6': {
      const inside = em.node('And', [em.node('Greater', [x, zero]), em.node('Less', [x, em.scalar(6)])]);
      return em.node('Where', [inside, gy, zero]);
    }
    case 'sigmoid': {
      // y (1 - y)
      const d = em.node('Mul', [y, em.node('Sub', [em.scalar(1), y])]);
      return em.node('Mul', [gy, d]);
    }
    case 'silu': {
      // sigma (1 + x (1 - sigma)) = sigma (1 + x - y); the forward lowering names its sigmoid `<node>::sigmoid`.
      const sig = `${node.name}::sigmoid`;
      const d = em.node('Mul', [sig, em.node('Add', [em.node('Sub', [x, y]), em.scalar(1)])]);
      return em.node('Mul', [gy, d]);
    }
    case 'hardswish': {
      const mid = em.node('Add', [em.node('Mul', [x, em.scalar(1 / 3)]), em.scalar(0.5)]);
      const upper = em.node('Where', [em.node('Greater', [x, em.scalar(3)]), em.scalar(1), mid]);
      const d = em.node('Where', [em.node('Less', [x, em.scalar(-3)]), zero, upper]);
      return em.node('Mul', [gy, d]);
    }
  }
}

function convBackward(em: Emitter, node: Node, op: Extract<Op, { kind: 'conv' }>, gy: string, c: Ctx): void {
  const x = node.inputs[0] ?? '';
  const [w = '', bias] = node.params;
  const [B = 0, cin = 0, h = 0, wd = 0] = c.shape(x);
  const [, cout = 0, ho = 0, wo = 0] = c.shape(node.outputs[0] ?? '');
  const { k, stride: s, pad: p, dilation: d, groups: g } = op;
  if (bias && c.wants(bias)) c.contribute(bias, em.reduceSum(gy, [0, 2, 3], false));
  if (c.wants(x) && s === 1 && g === 1 && 2 * p === d * (k - 1) && c.gemm1x1) {
    // A stride-1 'same' conv: the input gradient is a Conv of gy with the kernel transposed and
    // flipped (folded into a constant when the session loads), which onnxruntime runs with its fast
    // blocked-layout kernels; ConvTranspose has none, and took 15% of a yolo8n backward pass.
    const flipped = flippedKernel(em, w, cout, cin, k);
    c.contribute(x, em.node('Conv', [gy, flipped], [attr.ints('kernel_shape', [k, k]), attr.ints('pads', [p, p, p, p]), attr.ints('dilations', [d, d])]));
  } else if (c.wants(x)) {
    // ConvTranspose output size: (Ho - 1) s - 2p + d (k - 1) + 1 + output_padding = H.
    const opH = h - ((ho - 1) * s - 2 * p + d * (k - 1) + 1);
    const opW = wd - ((wo - 1) * s - 2 * p + d * (k - 1) + 1);
    const gx = c.conv(em, 'ConvTranspose', [gy, w], [
      attr.ints('kernel_shape', [k, k]),
      attr.ints('strides', [s, s]),
      attr.ints('pads', [p, p, p, p]),
      attr.ints('dilations', [d, d]),
      attr.int('group', g),
      attr.ints('output_padding', [opH, opW]),
    ]);
    c.contribute(x, gx);
  }
  if (c.wants(w) && k === 1 && s === 1 && p === 0 && g === 1 && c.gemm1x1) {
    // 1x1 conv: gW = sum over b of gy[b] (Cout x HW) times x[b]^T (HW x Cin), one batched MatMul.
    const prod = em.matMul(em.reshape(gy, [B, cout, ho * wo]), em.reshape(x, [B, cin, h * wd]), { transA: false, transB: true });
    c.contribute(w, em.reshape(em.reduceSum(prod, [0], false), [cout, cin, 1, 1]));
  } else if (c.wants(w) && g === 1 && c.gemm1x1) {
    c.contribute(w, weightGradIm2col(em, x, gy, { B, cin, h, wd, cout, ho, wo, k, s, p, d }));
  } else if (c.wants(w)) {
    const cinG = cin / g;
    const coutG = cout / g;
    // x: [B, g, cinG, H, W] -> [cinG, g, B, H, W] -> [cinG, g*B, H, W]
    const xt = g === 1 ? em.transpose(x, [1, 0, 2, 3]) : em.reshape(em.transpose(em.reshape(x, [B, g, cinG, h, wd]), [2, 1, 0, 3, 4]), [cinG, g * B, h, wd]);
    // gy: [B, g, coutG, Ho, Wo] -> [g, coutG, B, Ho, Wo] -> [Cout, B, Ho, Wo]
    const gt = g === 1 ? em.transpose(gy, [1, 0, 2, 3]) : em.reshape(em.transpose(em.reshape(gy, [B, g, coutG, ho, wo]), [1, 2, 0, 3, 4]), [cout, B, ho, wo]);
    const full = c.conv(em, 'Conv', [xt, gt], [
      attr.ints('kernel_shape', [ho, wo]),
      attr.ints('strides', [d, d]),
      attr.ints('pads', [p, p, p, p]),
      attr.ints('dilations', [s, s]),
      attr.int('group', g),
    ]);
    const fullH = Math.floor((h + 2 * p - s * (ho - 1) - 1) / d) + 1;
    const fullW = Math.floor((wd + 2 * p - s * (wo - 1) - 1) / d) + 1;
    const cropped = fullH === k && fullW === k ? full : em.node('Slice', [full, em.i64([0, 0]), em.i64([k, k]), em.i64([2, 3])]);
    c.contribute(w, em.transpose(cropped, [1, 0, 2, 3]));
  }
}

/**
 * The weight gradient of an ungrouped k x k conv as an im2col in the graph and one GEMM:
 * gW[co, ci, ky, kx] = sum over b, i, j of gy[b, co, i, j] x[b, ci, s i - p + d ky, s j - p + d kx].
 * The input goes channels-last with one zero row per sample appended ([B, H W + 1, cin]); one
 * Gather with constant indices [Ho Wo, k k] (pointing at the zero row where a tap falls in the
 * padding) then copies every tap's cin channels as one block, giving the im2col matrix
 * [B, Ho Wo, k k cin] (columns tap-major). Gather runs on all of onnxruntime's threads, where the
 * Slice, Pad and SpaceToDepth copies of the earlier way (a polyphase split and nine slices) ran on
 * one, and one GEMM over all taps reads the output gradient once instead of nine times: the
 * backward pass of yolo8n_320 at batch 16 took about 7% less.
 *
 * Two layouts of the GEMM. With the batch outermost, a batched product [B, k k cin, cout] summed
 * over the batch afterwards. In deep layers (many channels, low resolution:
 * 3 k^2 cin cout > 2 (cin H W + cout Ho Wo) per sample) the output gradient goes channels-last
 * too and the batch joins the GEMM's reduction, which saves writing and summing B products. That
 * single GEMM has the larger side as rows: onnxruntime splits a GEMM over its threads by rows when
 * it has at least as many rows as columns and by columns otherwise, which changes how each thread
 * blocks the reduction and so the rounding; split by rows, the result is the same for every thread
 * count. (The batched products are the same for every thread count up to the batch size, one GEMM
 * per thread.)
 */
function weightGradIm2col(
  em: Emitter,
  x: string,
  gy: string,
  q: { B: number; cin: number; h: number; wd: number; cout: number; ho: number; wo: number; k: number; s: number; p: number; d: number },
): string {
  const { B, cin, h, wd, cout, ho, wo, k } = q;
  const HW = h * wd;
  const L = ho * wo;
  const T = k * k;
  const channelsLast = (t: string, c: number, n: number): string => em.reshape(em.transpose(t, [0, 2, 3, 1]), [B, n, c]);
  const xz = em.node('Pad', [channelsLast(x, cin, HW), em.i64([0, 0, 0, 0, 1, 0])]);
  const cols = em.node('Gather', [xz, em.i32(`im2col:${[q.h, q.wd, q.ho, q.wo, q.k, q.s, q.p, q.d].join(',')}`, [L, T], () => im2colIndices(q))], [attr.int('axis', 1)]); // [B, L, T, cin]
  const rowsTapsInputs = T * cin >= cout;
  let prod: string; // [T cin, cout] or [cout, T cin]
  if (3 * T * cin * cout > 2 * (cin * HW + cout * L)) {
    const im = em.reshape(cols, [B * L, T * cin]);
    const g = em.reshape(channelsLast(gy, cout, L), [B * L, cout]);
    prod = rowsTapsInputs ? em.matMul(im, g, { transA: true, transB: false }) : em.matMul(g, im, { transA: true, transB: false });
  } else {
    const im = em.reshape(cols, [B, L, T * cin]);
    const g = em.reshape(gy, [B, cout, L]);
    const batched = rowsTapsInputs ? em.matMul(im, g, { transA: true, transB: true }) : em.matMul(g, im, { transA: false, transB: false });
    prod = em.reduceSum(batched, [0], false);
  }
  const byOutput = rowsTapsInputs ? em.transpose(prod, [1, 0]) : prod; // [cout, T, cin]
  return em.reshape(em.transpose(em.reshape(byOutput, [cout, T, cin]), [0, 2, 1]), [cout, cin, k, k]);
}

/**
 * For output position m = i Wo + j and tap t = ky k + kx, the input position the tap reads,
 * y Wd + x with y = s i - p + d ky and x = s j - p + d kx, or H Wd (the appended zero row) where
 * that falls in the padding.
 */
function im2colIndices(q: { h: number; wd: number; ho: number; wo: number; k: number; s: number; p: number; d: number }): Int32Array {
  const { h, wd, ho, wo, k, s, p, d } = q;
  const T = k * k;
  const idx = new Int32Array(ho * wo * T);
  for (let i = 0; i < ho; i++)
    for (let j = 0; j < wo; j++)
      for (let ky = 0; ky < k; ky++)
        for (let kx = 0; kx < k; kx++) {
          const y = i * s - p + ky * d;
          const xx = j * s - p + kx * d;
          idx[(i * wo + j) * T + ky * k + kx] = y >= 0 && y < h && xx >= 0 && xx < wd ? y * wd + xx : h * wd;
        }
  return idx;
}

/**
 * The kernel of a stride-1 conv's input gradient: W [cout, cin, k, k] with its channel axes swapped
 * and each k x k block rotated by 180 degrees, i.e. its k*k taps in reverse order. The swap moves
 * whole blocks; the reversal is a product with the k*k x k*k exchange matrix, exact (each output is
 * one weight times 1 plus zeros). Sessions without graph optimizations compute it on every run, and
 * onnxruntime's Slice with negative steps, the obvious reversal, copied element by element: 4x
 * slower on a 512 x 512 x 3 x 3 kernel (31 against 8 ms with the transpose).
 */
function flippedKernel(em: Emitter, w: string, cout: number, cin: number, k: number): string {
  if (k === 1) return em.transpose(w, [1, 0, 2, 3]);
  const swapped = em.transpose(em.reshape(w, [cout, cin, k * k]), [1, 0, 2]);
  const n = k * k;
  const exchange = em.constant(Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) + (i % n) === n - 1 ? 1 : 0)), [n, n]);
  return em.reshape(em.node('MatMul', [swapped, exchange]), [cin, cout, k, k]);
}

function convTransposeBackward(em: Emitter, node: Node, op: Extract<Op, { kind: 'convTranspose' }>, gy: string, c: Ctx): void {
  const x = node.inputs[0] ?? '';
  const [w = '', bias] = node.params;
  const [, , h = 0, wd = 0] = c.shape(x);
  const { k, stride: s, pad: p } = op;
  if (bias && c.wants(bias)) c.contribute(bias, em.reduceSum(gy, [0, 2, 3], false));
  if (c.wants(x)) c.contribute(x, c.conv(em, 'Conv', [gy, w], [attr.ints('kernel_shape', [k, k]), attr.ints('strides', [s, s]), attr.ints('pads', [p, p, p, p])]));
  if (c.wants(w)) {
    const gt = em.transpose(gy, [1, 0, 2, 3]); // [Cout, B, Ho, Wo]
    const xt = em.transpose(x, [1, 0, 2, 3]); // [Cin, B, H, W]
    const full = c.conv(em, 'Conv', [gt, xt], [attr.ints('kernel_shape', [h, wd]), attr.ints('pads', [p, p, p, p]), attr.ints('dilations', [s, s])]);
    c.contribute(w, em.transpose(full, [1, 0, 2, 3])); // [Cin, Cout, k, k]
  }
}

function bnBackward(em: Emitter, node: Node, eps: number, gy: string, c: Ctx): void {
  const x = node.inputs[0] ?? '';
  const [gamma = '', beta = '', mean = '', variance = ''] = node.params;
  const C = c.shape(x)[1] ?? 0;
  const cshape = [1, C, 1, 1];
  const axes = [0, 2, 3];
  const wantX = c.wants(x);
  const wantGamma = c.wants(gamma);
  const n = node.name;
  if (c.bn === 'batch' && (wantX || wantGamma)) {
    // Names from nn/onnx.ts's batch-statistics lowering (all [1, C, 1, 1]). With N = B*H*W,
    // E[gy] and E[gy x] per channel: sum(gy * xhat) = (sum(gy x) - mu sum(gy)) / sigma, and
    // gx = s (gy - E[gy] - xhat E[gy xhat]) = s gy + a x + b with per-channel a = -s E[gy xhat] / sigma,
    // b = -s E[gy] - a mu: five passes over the activation instead of eight.
    const [b = 0, , h = 1, w = 1] = c.shape(x);
    const N = b * h * w;
    const mu = `${n}::batch_mean`;
    const sigma = `${n}::std`;
    const s = `${n}::s`;
    const sumGy = em.reduceSum(gy, axes, true);
    if (c.wants(beta)) c.contribute(beta, em.reshape(sumGy, [C]));
    const sumGyX = em.reduceSum(em.node('Mul', [gy, x]), axes, true);
    const sumGyXhat = em.node('Div', [em.node('Sub', [sumGyX, em.node('Mul', [mu, sumGy])]), sigma]);
    if (wantGamma) c.contribute(gamma, em.reshape(sumGyXhat, [C]));
    if (wantX) {
      const inv = em.scalar(1 / N);
      const a = em.node('Neg', [em.node('Div', [em.node('Mul', [s, em.node('Mul', [sumGyXhat, inv])]), sigma])]);
      const bb = em.node('Neg', [em.node('Add', [em.node('Mul', [s, em.node('Mul', [sumGy, inv])]), em.node('Mul', [a, mu])])]);
      c.contribute(x, em.node('Add', [em.node('Add', [em.node('Mul', [gy, s]), em.node('Mul', [x, a])]), bb]));
    }
    return;
  }
  if (c.wants(beta)) c.contribute(beta, em.reduceSum(gy, axes, false));
  if (!wantX && !wantGamma) return;
  const invStd = em.reshape(em.node('Reciprocal', [em.node('Sqrt', [em.node('Add', [variance, em.scalar(eps)])])]), cshape);
  if (wantGamma) {
    const xhat = em.node('Mul', [em.node('Sub', [x, em.reshape(mean, cshape)]), invStd]);
    c.contribute(gamma, em.reduceSum(em.node('Mul', [gy, xhat]), axes, false));
  }
  if (wantX) c.contribute(x, em.node('Mul', [gy, em.node('Mul', [invStd, em.reshape(gamma, cshape)])]));
}
