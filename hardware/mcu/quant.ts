// int8 quantisation of a lowered model's real (seeded) weights, as TFLite does it for an int8
// deployment: BatchNorm folded into the conv, weights symmetric per output channel in [-127, 127]
// (zero point 0), biases int32 with scale = weight scale * input activation scale, constant operands
// symmetric per tensor.
import type { Weights } from '../../nn/index.js';
import type { LoweredModel, McuConst, McuConv, McuOp } from './lower.js';

/**
 * The input-activation scale used for int32 biases. This model keeps activations unquantised (no
 * calibration data), so each conv's input gets this nominal scale: int8 activations covering
 * [-4, 4). It only sets the bias's fixed-point step (weight scale / 32); it never changes a count.
 */
export const NOMINAL_ACTIVATION_SCALE = 1 / 32;

export interface QuantizedConv {
  /** int8 weights in the graph's layout (conv [O, I/g, k, k], transposed [I, O, k, k]). */
  readonly weights: Int8Array;
  readonly shape: readonly number[];
  /** Axis of the output channel in `shape`: 0 for conv, 1 for transposed conv. */
  readonly axis: 0 | 1;
  readonly weightScales: Float32Array;
  readonly bias: Int32Array;
  readonly biasScales: Float32Array;
}

export interface QuantizedConst {
  readonly data: Int8Array;
  readonly shape: readonly number[];
  readonly scale: number;
}

function need(weights: Weights, name: string): Float32Array {
  const w = weights.get(name);
  if (!w) throw new RangeError(`no weights for parameter ${name}`);
  return w;
}

/** Per-output-channel factor and shift of a BatchNorm: gamma / sqrt(var + eps), beta - mean * factor. */
function bnAffine(weights: Weights, params: readonly string[], eps: number): { scale: Float32Array; shift: Float32Array } {
  const [g = '', b = '', m = '', v = ''] = params;
  const gamma = need(weights, g);
  const beta = need(weights, b);
  const mean = need(weights, m);
  const variance = need(weights, v);
  const scale = new Float32Array(gamma.length);
  const shift = new Float32Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) {
    const f = (gamma[c] ?? 1) / Math.sqrt((variance[c] ?? 1) + eps);
    scale[c] = f;
    shift[c] = (beta[c] ?? 0) - (mean[c] ?? 0) * f;
  }
  return { scale, shift };
}

/** Conv weights and bias with the BatchNorm folded in (float). */
export function foldConv(conv: McuConv, weights: Weights): { weights: Float32Array; bias: Float32Array } {
  const w = Float32Array.from(need(weights, conv.weight));
  const bias = conv.bias ? Float32Array.from(need(weights, conv.bias)) : new Float32Array(conv.cout);
  if (conv.bn) {
    const { scale, shift } = bnAffine(weights, conv.bn.params, conv.bn.eps);
    forEachChannel(conv, w.length, (o, i) => (w[i] = (w[i] ?? 0) * (scale[o] ?? 1)));
    for (let o = 0; o < conv.cout; o++) bias[o] = (bias[o] ?? 0) * (scale[o] ?? 1) + (shift[o] ?? 0);
  }
  return { weights: w, bias };
}

/** Calls fn(outputChannel, flatIndex) for every weight element. */
function forEachChannel(conv: McuConv, n: number, fn: (o: number, i: number) => void): void {
  const kk = conv.k * conv.k;
  if (!conv.transposed) {
    const per = n / conv.cout;
    for (let i = 0; i < n; i++) fn(Math.floor(i / per), i);
  } else {
    for (let i = 0; i < n; i++) fn(Math.floor(i / kk) % conv.cout, i);
  }
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

export function quantizeConv(conv: McuConv, weights: Weights): QuantizedConv {
  const folded = foldConv(conv, weights);
  const n = folded.weights.length;
  const maxAbs = new Float32Array(conv.cout);
  forEachChannel(conv, n, (o, i) => (maxAbs[o] = Math.max(maxAbs[o] ?? 0, Math.abs(folded.weights[i] ?? 0))));
  // An all-zero channel keeps scale 1 (any positive scale represents it exactly).
  const weightScales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(n);
  forEachChannel(conv, n, (o, i) => (q[i] = clamp(Math.round((folded.weights[i] ?? 0) / (weightScales[o] ?? 1)), -127, 127)));
  const biasScales = Float32Array.from(weightScales, (s) => s * NOMINAL_ACTIVATION_SCALE);
  const bias = new Int32Array(conv.cout);
  for (let o = 0; o < conv.cout; o++) bias[o] = clamp(Math.round((folded.bias[o] ?? 0) / (biasScales[o] ?? 1)), -2147483648, 2147483647);
  return { weights: q, shape: conv.weightShape, axis: conv.transposed ? 1 : 0, weightScales, bias, biasScales };
}

/** The float values of a constant operand. */
export function constValues(c: McuConst, weights: Weights): Float32Array {
  if (c.source.kind === 'param') return need(weights, c.source.param);
  const { scale, shift } = bnAffine(weights, c.source.params, c.source.eps);
  return c.source.kind === 'bnScale' ? scale : shift;
}

export function quantizeConst(c: McuConst, weights: Weights): QuantizedConst {
  const v = constValues(c, weights);
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  const scale = m > 0 ? m / 127 : 1;
  return { data: Int8Array.from(v, (x) => clamp(Math.round(x / scale), -127, 127)), shape: c.shape, scale };
}

/**
 * The int8 weights as the deployment stores them: TFLite's layouts, output channel first and input
 * channel last (CONV_2D and TRANSPOSE_CONV [O, kh, kw, I], DEPTHWISE_CONV_2D [1, kh, kw, C]).
 */
export function tfliteLayout(op: McuOp, q: QuantizedConv): Int8Array {
  const conv = op.conv;
  if (!conv) return q.weights;
  const kk = conv.k * conv.k;
  const out = new Int8Array(q.weights.length);
  if (op.kind === 'DEPTHWISE_CONV_2D') {
    // [C*mult, 1, k, k] -> [1, k, k, C*mult]
    for (let o = 0; o < conv.cout; o++) for (let s = 0; s < kk; s++) out[s * conv.cout + o] = q.weights[o * kk + s] ?? 0;
    return out;
  }
  const cin = conv.transposed ? conv.cin : conv.cin / conv.groups;
  for (let o = 0; o < conv.cout; o++)
    for (let i = 0; i < cin; i++)
      for (let s = 0; s < kk; s++) {
        const src = conv.transposed ? (i * conv.cout + o) * kk + s : (o * cin + i) * kk + s;
        out[(o * kk + s) * cin + i] = q.weights[src] ?? 0;
      }
  return out;
}

/** Every conv's quantised weights, by op name. */
export function quantizeModel(model: LoweredModel, weights: Weights): Map<string, QuantizedConv> {
  const out = new Map<string, QuantizedConv>();
  for (const op of model.ops) if (op.conv) out.set(op.name, quantizeConv(op.conv, weights));
  return out;
}
