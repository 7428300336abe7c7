// The forward-only proxy set: params, macs, l2_norm, nwot, nwot_preact, swap, meco, zen.
import * as ort from 'onnxruntime-node';
import { createSession, fillNormal, initParam, toOnnx, type Graph, type Param } from '../nn/index.js';
import { minEigenvalueSymmetric, slogdet, square } from './linalg.js';
import { forwardNeed } from './memory.js';
import { ELEM, ProbeBuilder } from './probes.js';
import { ProxyFailure, type CandidateContext, type CustomProxy, type ForwardProxy, type Proxy, type StaticProxy } from './types.js';

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Inputs of every activation (the pre-activations), the detect head's score sigmoid excluded. */
export function activationInputs(graph: Graph): string[] {
  return graph.nodes.filter((n) => n.op.kind === 'act' && n.op.fn !== 'sigmoid').map((n) => n.inputs[0] as string);
}

/** Outputs of every activation (post-activation units), the score sigmoid excluded. */
export function activationOutputs(graph: Graph): string[] {
  return graph.nodes.filter((n) => n.op.kind === 'act' && n.op.fn !== 'sigmoid').map((n) => n.outputs[0] as string);
}

/** Outputs of every learned convolution (the fixed DFL conv excluded). */
export function convOutputs(graph: Graph): string[] {
  return graph.nodes
    .filter((n) => n.op.kind === 'conv' && n.params.every((p) => graph.params.get(p)?.trainable !== false))
    .map((n) => n.outputs[0] as string);
}

function shapeOf(graph: Graph, t: string): readonly number[] {
  const s = graph.tensors.get(t)?.shape;
  if (!s) throw new ProxyFailure('error', `no tensor ${t}`);
  return s;
}

/** Conv (and transposed conv) weight tensors. */
function convWeights(graph: Graph): Param[] {
  return graph.nodes.filter((n) => n.op.kind === 'conv' || n.op.kind === 'convTranspose').map((n) => graph.params.get(n.params[0] ?? '') as Param).filter((p) => p?.trainable);
}

const params: StaticProxy = {
  kind: 'static',
  name: 'params',
  version: 1,
  description: 'trainable parameter count',
  needs: 'graph',
  higherIsBetter: true,
  compute: ({ graph }) => [...graph.params.values()].filter((p) => p.counted && p.trainable).reduce((a, p) => a + size(p.shape), 0),
};

const macs: StaticProxy = {
  kind: 'static',
  name: 'macs',
  version: 1,
  description: 'multiply-accumulates of one forward pass at the candidate resolution',
  needs: 'graph',
  higherIsBetter: true,
  compute: ({ costs }) => costs.macs,
};

const l2Norm: StaticProxy = {
  kind: 'static',
  name: 'l2_norm',
  version: 1,
  description: 'sum over conv layers of the Frobenius norm of the initial weights',
  needs: 'weights',
  higherIsBetter: true,
  compute: ({ graph, seed }) =>
    convWeights(graph).reduce((sum, p) => {
      const w = initParam(p, seed);
      let s = 0;
      for (let i = 0; i < w.length; i++) s += (w[i] ?? 0) * (w[i] ?? 0);
      return sum + Math.sqrt(s);
    }, 0),
};

/**
 * NASWOT's kernel over binary codes c (1 where a unit is > 0): K = c c^T + (1 - c)(1 - c)^T summed
 * over layers, computed as 2 G - S 1^T - 1 S^T + N with G = sum of c c^T (MatMul in the graph), S
 * the per-sample count of ones and N the number of units. Score: log |det K|.
 */
function naswotProbe(tensors: (g: Graph) => string[]): (ctx: CandidateContext, pb: ProbeBuilder) => (outs: Parameters<ReturnType<ForwardProxy['probe']>>[0]) => number {
  return (ctx, pb) => {
    const B = ctx.batchSize;
    const grams: string[] = [];
    const sums: string[] = [];
    let units = 0;
    for (const t of tensors(ctx.graph)) {
      const n = size(shapeOf(ctx.graph, t));
      units += n;
      let c = pb.binaryCode(t);
      // 0/1 products sum exactly in float32 below 2^24; beyond, in float64.
      if (n >= 2 ** 24) c = pb.node('Cast', [c], [pb.int('to', ELEM.DOUBLE)]);
      const gram = pb.node('MatMul', [c, pb.node('Transpose', [c], [pb.ints('perm', [1, 0])])]);
      grams.push(n >= 2 ** 24 ? gram : pb.node('Cast', [gram], [pb.int('to', ELEM.DOUBLE)]));
      const s = pb.node('ReduceSum', [c, pb.int64s([1])], [pb.int('keepdims', 0)]);
      sums.push(n >= 2 ** 24 ? s : pb.node('Cast', [s], [pb.int('to', ELEM.DOUBLE)]));
    }
    if (grams.length === 0) throw new ProxyFailure('error', 'the graph has no activations to code');
    const G = pb.output(pb.node('Sum', grams), [B, B], 'double');
    const S = pb.output(pb.node('Sum', sums), [B], 'double');
    return (outs) => {
      const g = outs[G]?.data;
      const s = outs[S]?.data;
      if (!g || !s) throw new ProxyFailure('error', 'NASWOT statistics missing from the session outputs');
      const k = new Float64Array(B * B);
      for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) k[i * B + j] = 2 * (g[i * B + j] ?? 0) - (s[i] ?? 0) - (s[j] ?? 0) + units;
      const { sign, logAbsDet } = slogdet(square(B, k));
      if (sign === 0) throw new ProxyFailure('singular', `the ${B}x${B} NASWOT kernel is singular (samples with identical activation codes)`);
      return logAbsDet;
    };
  };
}

const nwot: ForwardProxy = {
  kind: 'forward',
  name: 'nwot',
  version: 1,
  description: 'NASWOT: log|det| of the Hamming kernel of activation codes (every activation input)',
  needs: 'batch',
  higherIsBetter: true,
  probe: naswotProbe(activationInputs),
};

const nwotPreact: ForwardProxy = {
  kind: 'forward',
  name: 'nwot_preact',
  version: 1,
  description: 'NASWOT over convolution outputs instead of activation inputs',
  needs: 'batch',
  higherIsBetter: true,
  probe: naswotProbe(convOutputs),
};

/** Largest batch for SWAP: patterns are counted in 2^B bins. */
export const SWAP_MAX_BATCH = 16;

/**
 * SWAP: each post-activation unit's sign pattern across the batch (a B-bit code, computed in the
 * graph as a MatMul with powers of two), counted into 2^B bins in the graph (ScatterElements with
 * add; counts of ones are exact in any order), summed over layers. Score: the number of distinct
 * patterns, at most 2^B (a network with more units than that can saturate it).
 */
const swap: ForwardProxy = {
  kind: 'forward',
  name: 'swap',
  version: 1,
  description: 'SWAP: number of distinct sample-wise activation patterns over all post-activation units',
  needs: 'batch',
  higherIsBetter: true,
  probe(ctx, pb) {
    const B = ctx.batchSize;
    if (B > SWAP_MAX_BATCH) throw new ProxyFailure('error', `swap counts patterns in 2^B bins: use a batch of at most ${SWAP_MAX_BATCH}`);
    const bins = 2 ** B;
    const pow = pb.floats(Array.from({ length: B }, (_, b) => 2 ** b), [1, B]);
    const zeros = pb.floats(new Array<number>(bins).fill(0), [bins]);
    const counts = activationOutputs(ctx.graph).map((t) => {
      const codes = pb.node('Reshape', [pb.node('MatMul', [pow, pb.binaryCode(t)]), pb.int64s([-1])]);
      const index = pb.node('Cast', [codes], [pb.int('to', 7)]);
      const ones = pb.node('ConstantOfShape', [pb.node('Shape', [codes])], [{ name: 'value', type: 4, t: { dims: [1], dataType: ELEM.FLOAT, rawData: new Uint8Array(Float32Array.of(1).buffer) } }]);
      return pb.node('ScatterElements', [zeros, index, ones], [pb.int('axis', 0), { name: 'reduction', type: 3, s: new TextEncoder().encode('add') }]);
    });
    if (counts.length === 0) throw new ProxyFailure('error', 'the graph has no activations');
    const total = pb.output(pb.node('Sum', counts), [bins]);
    return (o) => {
      const data = o[total]?.data;
      if (!data) throw new ProxyFailure('error', 'SWAP counts missing');
      let distinct = 0;
      for (let i = 0; i < bins; i++) if ((data[i] ?? 0) > 0) distinct++;
      return distinct;
    };
  },
};

/**
 * MeCo: per convolution output, the C x C Pearson correlation of the first sample's feature map
 * (channels x pixels; built in the graph), its smallest eigenvalue (float64, JavaScript); summed.
 * Constant channels give NaN correlations, set to 0 as in the reference. A map with no more
 * pixels than channels has rank below C, so its smallest eigenvalue is 0 without computing it.
 */
const meco: ForwardProxy = {
  kind: 'forward',
  name: 'meco',
  version: 1,
  description: 'MeCo: sum over conv outputs of the minimum eigenvalue of the channel correlation matrix (one sample)',
  needs: 'batch',
  higherIsBetter: true,
  probe(ctx, pb) {
    const layers: { name: string; c: number }[] = [];
    for (const t of convOutputs(ctx.graph)) {
      const [c = 0, h = 1, w = 1] = shapeOf(ctx.graph, t);
      if (c < 2 || h * w <= c) continue;
      const first = pb.node('Slice', [t, pb.int64s([0]), pb.int64s([1]), pb.int64s([0])]);
      const rows = pb.node('Reshape', [first, pb.int64s([c, h * w])]);
      const centred = pb.node('Sub', [rows, pb.node('ReduceMean', [rows], [pb.ints('axes', [1]), pb.int('keepdims', 1)])]);
      const norm = pb.node('Sqrt', [pb.node('ReduceSumSquare', [centred], [pb.ints('axes', [1]), pb.int('keepdims', 1)])]);
      const z = pb.node('Div', [centred, norm]);
      const corr = pb.node('MatMul', [z, pb.node('Transpose', [z], [pb.ints('perm', [1, 0])])]);
      layers.push({ name: pb.output(corr, [c, c]), c });
    }
    return (o) => {
      let total = 0;
      for (const { name, c } of layers) {
        const data = o[name]?.data;
        if (!data) throw new ProxyFailure('error', `MeCo correlation ${name} missing`);
        const m = new Float64Array(c * c);
        for (let i = 0; i < m.length; i++) {
          const v = data[i] ?? 0;
          m[i] = Number.isFinite(v) ? v : 0;
        }
        total += minEigenvalueSymmetric(square(c, m));
      }
      return total;
    };
  },
};

/** Zen's perturbation scale (mixup_gamma in ZenNAS). */
export const ZEN_GAMMA = 0.01;
/** PyTorch's BatchNorm momentum, with which ZenNAS's running variances move during its two passes. */
const BN_MOMENTUM = 0.1;

/**
 * Zen-score as ZenNAS computes it: conv weights N(0, 1) and biases 0, BatchNorm gamma 1, beta 0
 * in training mode (batch statistics); x ~ N(0, 1) (the batch), x' = x + 0.01 e. Score:
 * log(mean over samples of sum |f(x) - f(x')|) + sum over BatchNorms of log sqrt(mean running
 * variance after both passes), running_var = 0.81 + 0.09 v(x) + 0.1 v(x') with v the unbiased batch
 * variance. f: the feature maps the detect head reads (the head plays the classifier's part).
 */
const zen: CustomProxy = {
  kind: 'custom',
  name: 'zen',
  version: 1,
  description: 'Zen-score: log expected feature change under a small input perturbation plus BatchNorm variance terms',
  needs: 'batch',
  higherIsBetter: true,
  memory: forwardNeed,
  async run(ctx, batch, threads) {
    const { graph, seed, batchSize: B } = ctx;
    const weights = new Map<string, Float32Array>();
    const convs = new Set(graph.nodes.filter((n) => n.op.kind === 'conv').flatMap((n) => n.params));
    for (const p of graph.params.values()) {
      const n = size(p.shape);
      if (convs.has(p.name) && p.trainable && p.shape.length === 4) {
        weights.set(p.name, fillNormal(new Float32Array(n), seed, `zen:${p.name}`));
      } else if (convs.has(p.name) && p.trainable) weights.set(p.name, new Float32Array(n));
      else weights.set(p.name, initParam(p, seed));
    }
    const features = graph.features;
    if (features.length === 0) throw new ProxyFailure('error', 'zen needs the feature maps the head reads; this graph marks none');
    const bns = graph.nodes.filter((n) => n.op.kind === 'batchNorm' && !n.layer.startsWith('head'));
    const pb = new ProbeBuilder('zen');
    const varMeans = bns.map((n) => {
      const [c = 1, h = 1, w = 1] = graph.tensors.get(n.inputs[0] ?? '')?.shape ?? [];
      const count = B * h * w;
      return { name: pb.output(pb.node('ReduceMean', [`${n.name}::batch_var`], [pb.int('keepdims', 0)]), []), unbias: count / Math.max(1, count - 1), c };
    });
    const model = toOnnx(graph, { batch: B, weights, batchNorm: 'batch', outputs: features, extension: pb.extension() });
    const session = await createSession(model, { threads });
    try {
      const perturbed = fillNormal(new Float32Array(batch.length), seed, 'zen:perturbation', ZEN_GAMMA);
      for (let i = 0; i < batch.length; i++) perturbed[i] = (perturbed[i] ?? 0) + (batch[i] ?? 0);
      const shape = [B, ...graph.input.shape];
      const a = await session.run({ [graph.input.name]: new ort.Tensor('float32', batch, shape) });
      const b = await session.run({ [graph.input.name]: new ort.Tensor('float32', perturbed, shape) });
      let diff = 0;
      for (const f of features) {
        const x = a[f]?.data as Float32Array;
        const y = b[f]?.data as Float32Array;
        for (let i = 0; i < x.length; i++) diff += Math.abs((x[i] ?? 0) - (y[i] ?? 0));
      }
      let bnTerm = 0;
      for (const v of varMeans) {
        const v1 = Number((a[v.name]?.data as Float32Array)[0]) * v.unbias;
        const v2 = Number((b[v.name]?.data as Float32Array)[0]) * v.unbias;
        const running = (1 - BN_MOMENTUM) ** 2 + (1 - BN_MOMENTUM) * BN_MOMENTUM * v1 + BN_MOMENTUM * v2;
        bnTerm += Math.log(Math.sqrt(running));
      }
      return Math.log(diff / B) + bnTerm;
    } finally {
      await session.release();
    }
  },
};

export const PROXIES: readonly Proxy[] = [params, macs, l2Norm, nwot, nwotPreact, zen, meco, swap];
