// A deliberately naive evaluator of nn/ graphs in plain JavaScript (float64, loops straight from
// the op definitions). Tests compare onnxruntime's output of the exported ONNX model against it.
import type { Graph, Node, Op } from '../../nn/index.js';
import { LEAKY_SLOPE } from '../../nn/index.js';

export interface Arr {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const strides = (s: readonly number[]): number[] => s.map((_, i) => size(s.slice(i + 1)));

function unary(x: Arr, f: (v: number) => number): Arr {
  return { shape: x.shape, data: x.data.map(f) };
}

function broadcastBinary(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const n = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(n - a.shape.length).fill(1), ...a.shape] as number[];
  const pb = [...Array(n - b.shape.length).fill(1), ...b.shape] as number[];
  const shape = pa.map((d, i) => Math.max(d, pb[i] ?? 1));
  const sa = strides(pa);
  const sb = strides(pb);
  const so = strides(shape);
  const out = new Float64Array(size(shape));
  for (let i = 0; i < out.length; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < n; d++) {
      const idx = Math.floor(i / (so[d] ?? 1)) % (shape[d] ?? 1);
      ia += ((pa[d] ?? 1) === 1 ? 0 : idx) * (sa[d] ?? 0);
      ib += ((pb[d] ?? 1) === 1 ? 0 : idx) * (sb[d] ?? 0);
    }
    out[i] = f(a.data[ia] ?? 0, b.data[ib] ?? 0);
  }
  return { shape, data: out };
}

/** Batch-1 tensors: shapes are per sample ([C, H, W]). */
function conv(x: Arr, w: Arr, bias: Arr | undefined, op: Extract<Op, { kind: 'conv' }>): Arr {
  const [cin = 0, h = 0, wd = 0] = x.shape;
  const { cout, k, stride, pad, dilation, groups } = op;
  const ho = Math.floor((h + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  const wo = Math.floor((wd + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  const cinG = cin / groups;
  const coutG = cout / groups;
  const out = new Float64Array(cout * ho * wo);
  for (let co = 0; co < cout; co++) {
    const g = Math.floor(co / coutG);
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        let acc = bias ? (bias.data[co] ?? 0) : 0;
        for (let ci = 0; ci < cinG; ci++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = oy * stride - pad + ky * dilation;
              const ix = ox * stride - pad + kx * dilation;
              if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
              acc += (x.data[((g * cinG + ci) * h + iy) * wd + ix] ?? 0) * (w.data[((co * cinG + ci) * k + ky) * k + kx] ?? 0);
            }
        out[(co * ho + oy) * wo + ox] = acc;
      }
  }
  return { shape: [cout, ho, wo], data: out };
}

/** Transposed conv as the scatter of each input pixel times the kernel. */
function convTranspose(x: Arr, w: Arr, bias: Arr | undefined, op: Extract<Op, { kind: 'convTranspose' }>): Arr {
  const [cin = 0, h = 0, wd = 0] = x.shape;
  const { cout, k, stride, pad } = op;
  const ho = (h - 1) * stride - 2 * pad + k;
  const wo = (wd - 1) * stride - 2 * pad + k;
  const out = new Float64Array(cout * ho * wo);
  for (let co = 0; co < cout; co++) out.fill(bias ? (bias.data[co] ?? 0) : 0, co * ho * wo, (co + 1) * ho * wo);
  for (let ci = 0; ci < cin; ci++)
    for (let iy = 0; iy < h; iy++)
      for (let ix = 0; ix < wd; ix++) {
        const v = x.data[(ci * h + iy) * wd + ix] ?? 0;
        for (let co = 0; co < cout; co++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const oy = iy * stride - pad + ky;
              const ox = ix * stride - pad + kx;
              if (oy < 0 || ox < 0 || oy >= ho || ox >= wo) continue;
              out[(co * ho + oy) * wo + ox] = (out[(co * ho + oy) * wo + ox] ?? 0) + v * (w.data[((ci * cout + co) * k + ky) * k + kx] ?? 0);
            }
      }
  return { shape: [cout, ho, wo], data: out };
}

function maxPool(x: Arr, k: number, stride: number, pad: number): Arr {
  const [c = 0, h = 0, w = 0] = x.shape;
  const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
  const out = new Float64Array(c * ho * wo);
  for (let ch = 0; ch < c; ch++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        let m = -Infinity;
        for (let ky = 0; ky < k; ky++)
          for (let kx = 0; kx < k; kx++) {
            const iy = oy * stride - pad + ky;
            const ix = ox * stride - pad + kx;
            if (iy >= 0 && ix >= 0 && iy < h && ix < w) m = Math.max(m, x.data[(ch * h + iy) * w + ix] ?? -Infinity);
          }
        out[(ch * ho + oy) * wo + ox] = m;
      }
  return { shape: [c, ho, wo], data: out };
}

function concat(xs: readonly Arr[], axis: number): Arr {
  const first = xs[0] as Arr;
  const outer = size(first.shape.slice(0, axis));
  const shape = [...first.shape];
  shape[axis] = xs.reduce((a, x) => a + (x.shape[axis] ?? 0), 0);
  const out = new Float64Array(size(shape));
  let o = 0;
  for (let i = 0; i < outer; i++)
    for (const x of xs) {
      const chunk = size(x.shape.slice(axis));
      out.set(x.data.subarray(i * chunk, (i + 1) * chunk), o);
      o += chunk;
    }
  return { shape, data: out };
}

function split(x: Arr, sizes: readonly number[], axis: number): Arr[] {
  const outer = size(x.shape.slice(0, axis));
  const inner = size(x.shape.slice(axis + 1));
  const total = x.shape[axis] ?? 0;
  let start = 0;
  return sizes.map((s) => {
    const shape = x.shape.map((d, i) => (i === axis ? s : d));
    const out = new Float64Array(size(shape));
    for (let i = 0; i < outer; i++) out.set(x.data.subarray((i * total + start) * inner, (i * total + start + s) * inner), i * s * inner);
    start += s;
    return { shape, data: out };
  });
}

function transpose(x: Arr, perm: readonly number[]): Arr {
  const shape = perm.map((p) => x.shape[p] ?? 0);
  const si = strides(x.shape);
  const so = strides(shape);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    perm.forEach((p, d) => {
      src += (Math.floor(i / (so[d] ?? 1)) % (shape[d] ?? 1)) * (si[p] ?? 0);
    });
    out[i] = x.data[src] ?? 0;
  }
  return { shape, data: out };
}

function softmax(x: Arr, axis: number): Arr {
  const outer = size(x.shape.slice(0, axis));
  const n = x.shape[axis] ?? 1;
  const inner = size(x.shape.slice(axis + 1));
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, x.data[(o * n + j) * inner + i] ?? 0);
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp((x.data[(o * n + j) * inner + i] ?? 0) - m);
      for (let j = 0; j < n; j++) out[(o * n + j) * inner + i] = Math.exp((x.data[(o * n + j) * inner + i] ?? 0) - m) / s;
    }
  return { shape: x.shape, data: out };
}

function evalNode(node: Node, ins: Arr[], ps: Arr[]): Arr[] {
  const op = node.op;
  const x = ins[0] as Arr;
  switch (op.kind) {
    case 'conv':
      return [conv(x, ps[0] as Arr, ps[1], op)];
    case 'convTranspose':
      return [convTranspose(x, ps[0] as Arr, ps[1], op)];
    case 'batchNorm': {
      const [g, b, m, v] = ps as [Arr, Arr, Arr, Arr];
      const [c = 0] = x.shape;
      const per = x.data.length / c;
      return [{ shape: x.shape, data: x.data.map((val, i) => {
        const ch = Math.floor(i / per);
        return ((val - (m.data[ch] ?? 0)) / Math.sqrt((v.data[ch] ?? 1) + op.eps)) * (g.data[ch] ?? 1) + (b.data[ch] ?? 0);
      }) }];
    }
    case 'act': {
      const sig = (v: number): number => 1 / (1 + Math.exp(-v));
      const f = {
        silu: (v: number) => v * sig(v),
        relu: (v: number) => Math.max(0, v),
        relu6: (v: number) => Math.min(6, Math.max(0, v)),
        hardswish: (v: number) => (v * Math.min(6, Math.max(0, v + 3))) / 6,
        leakyrelu: (v: number) => (v >= 0 ? v : LEAKY_SLOPE * v),
        sigmoid: sig,
      }[op.fn];
      return [unary(x, f)];
    }
    case 'add':
      return [broadcastBinary(x, (ins[1] ?? ps[0]) as Arr, (a, b) => a + b)];
    case 'sub':
      return [broadcastBinary(x, (ins[1] ?? ps[0]) as Arr, (a, b) => a - b)];
    case 'mul':
      return [broadcastBinary(x, (ins[1] ?? ps[0]) as Arr, (a, b) => a * b)];
    case 'concat':
      return [concat(ins, op.axis)];
    case 'split':
      return split(x, op.sizes, op.axis);
    case 'maxPool':
      return [maxPool(x, op.k, op.stride, op.pad)];
    case 'resize': {
      const [c = 0, h = 0, w = 0] = x.shape;
      const s = op.scale;
      const out = new Float64Array(c * h * s * w * s);
      for (let ch = 0; ch < c; ch++)
        for (let y = 0; y < h * s; y++)
          for (let xx = 0; xx < w * s; xx++) out[(ch * h * s + y) * w * s + xx] = x.data[(ch * h + Math.floor(y / s)) * w + Math.floor(xx / s)] ?? 0;
      return [{ shape: [c, h * s, w * s], data: out }];
    }
    case 'reshape':
      return [{ shape: op.shape, data: x.data }];
    case 'transpose':
      return [transpose(x, op.perm)];
    case 'softmax':
      return [softmax(x, op.axis)];
  }
}

/** Evaluates the whole graph on one sample; returns every tensor. */
export function referenceEval(graph: Graph, input: Float32Array, weights: ReadonlyMap<string, Float32Array>): Map<string, Arr> {
  const values = new Map<string, Arr>();
  values.set(graph.input.name, { shape: graph.input.shape, data: Float64Array.from(input) });
  const get = (name: string): Arr => {
    const v = values.get(name);
    if (v) return v;
    const p = graph.params.get(name);
    const w = weights.get(name);
    if (!p || !w) throw new Error(`no value for ${name}`);
    return { shape: p.shape, data: Float64Array.from(w) };
  };
  for (const node of graph.nodes) {
    const outs = evalNode(node, node.inputs.map(get), node.params.map(get));
    node.outputs.forEach((name, i) => values.set(name, outs[i] as Arr));
  }
  return values;
}
