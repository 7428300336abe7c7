// One ONNX model that computes the forward pass, a scalar loss and its gradients with respect to
// weights and/or the input: nn/onnx.ts writes the forward graph, the loss and the backward pass
// are appended as an extension.
import { GraphError, type Graph } from '../graph.js';
import type { Weights } from '../init.js';
import { toOnnx } from '../onnx.js';
import { emitBackward, onnxShape, type ConvHook } from './backward.js';
import { Emitter, type Elem } from './emitter.js';

/** What the loss is computed from, and the gradient it seeds into those tensors. */
export interface LossParts {
  /** ONNX name of the scalar loss. */
  readonly loss: string;
  /** d(loss)/d(tensor) for every graph tensor the loss reads. */
  readonly seeds: ReadonlyMap<string, string>;
}

/**
 * The scalar to differentiate:
 * - `sum`: scale * sum of every element of `tensors` (scale default 1);
 * - `sumSquares`: scale * sum of squares of every element of `tensors`;
 * - `dot`: sum of tensor * v, with constant cotangents v (a vector-Jacobian product);
 * - `custom`: a loss built by the caller (e.g. a detection loss) from graph tensors, returning the
 *   loss and its gradients with respect to the tensors it reads.
 */
export type LossSpec =
  | { readonly kind: 'sum'; readonly tensors: readonly string[]; readonly scale?: number }
  | { readonly kind: 'sumSquares'; readonly tensors: readonly string[]; readonly scale?: number }
  | { readonly kind: 'dot'; readonly cotangents: ReadonlyMap<string, Float32Array> }
  | { readonly kind: 'custom'; readonly description: string; build(em: Emitter, ctx: LossContext): LossParts };

export interface LossContext {
  readonly graph: Graph;
  readonly batch: number;
  /** ONNX shape of a graph tensor ([batch, ...per-sample shape]). */
  shape(tensor: string): number[];
}

export interface GradientOptions {
  readonly of: LossSpec;
  /** Gradients with respect to the trainable parameters, the input, or both. */
  readonly wrt: 'weights' | 'input' | 'both';
  /** Restrict the weight gradients to these parameters (default: every trainable parameter). */
  readonly params?: readonly string[];
  /**
   * Promise that the input gradient is per sample: row b of d(loss)/d(input) depends on sample b
   * alone. True when the loss is a sum over samples and BatchNorm uses fixed statistics; refused
   * with batch statistics (which couple the samples).
   */
  readonly perSampleInput?: boolean;
  readonly batch: number;
  readonly seed?: number;
  readonly weights?: Weights;
  readonly batchNorm?: 'inference' | 'batch';
  /** Graph tensors whose gradient d(loss)/d(tensor) is also wanted (e.g. conv outputs for fisher). */
  readonly taps?: readonly string[];
  /** Forward tensors to expose as outputs as well. */
  readonly forwardOutputs?: readonly string[];
  /** Output every gradient tensor (default true); false when `finish` reduces them in the graph. */
  readonly gradientOutputs?: boolean;
  /** Appends caller nodes that read the gradients (e.g. per-channel reductions) and declares their outputs. */
  readonly finish?: (em: Emitter, grads: { readonly params: ReadonlyMap<string, string>; readonly input?: string; readonly taps: ReadonlyMap<string, string> }) => void;
}

export interface GradientModel {
  /** ONNX bytes: forward, loss and backward in one model. Input: the graph's input, float32. */
  readonly model: Uint8Array;
  /** Output name of the scalar loss. */
  readonly loss: string;
  /** Output name of d(loss)/d(param) for each differentiated parameter (shaped like the parameter). */
  readonly gradients: ReadonlyMap<string, string>;
  /** Output name of d(loss)/d(input), [batch, ...input shape], when asked. */
  readonly inputGradient?: string;
  /** Output name of d(loss)/d(tensor) for each tap. */
  readonly tapGradients: ReadonlyMap<string, string>;
  /** Element type of the outputs. */
  readonly elem: Elem;
}

/** Every parameter a gradient can be asked for: trainable and read by some node. */
export function trainableParams(graph: Graph): string[] {
  const used = new Set(graph.nodes.flatMap((n) => n.params));
  return [...graph.params.values()].filter((p) => p.trainable && used.has(p.name)).map((p) => p.name);
}

/** Appends the loss of `spec` to `em`. */
export function emitLoss(graph: Graph, em: Emitter, spec: LossSpec, batch: number): LossParts {
  const shape = (t: string): number[] => onnxShape(graph, t, batch);
  const check = (t: string): string => {
    if (!graph.tensors.has(t)) throw new GraphError(`loss reads ${t}, which is not a tensor of ${graph.name}`);
    return t;
  };
  switch (spec.kind) {
    case 'sum': {
      const scale = spec.scale ?? 1;
      const seeds = new Map<string, string>();
      for (const t of spec.tensors) seeds.set(check(t), em.expand(em.scalar(scale), shape(t)));
      const total = em.sum(spec.tensors.map((t) => em.total(t)));
      return { loss: scale === 1 ? total : em.node('Mul', [total, em.scalar(scale)]), seeds };
    }
    case 'sumSquares': {
      const scale = spec.scale ?? 1;
      const seeds = new Map<string, string>();
      for (const t of spec.tensors) seeds.set(check(t), em.node('Mul', [t, em.scalar(2 * scale)]));
      const total = em.sum(spec.tensors.map((t) => em.node('ReduceSumSquare', [t], [{ name: 'keepdims', type: 2, i: 0 }])));
      return { loss: scale === 1 ? total : em.node('Mul', [total, em.scalar(scale)]), seeds };
    }
    case 'dot': {
      const seeds = new Map<string, string>();
      const terms: string[] = [];
      for (const [t, v] of spec.cotangents) {
        const dims = shape(check(t));
        if (v.length !== dims.reduce((a, b) => a * b, 1)) throw new GraphError(`cotangent of ${t} has ${v.length} values for shape [${dims.join(', ')}]`);
        const c = em.constant(v, dims);
        seeds.set(t, c);
        terms.push(em.total(em.node('Mul', [t, c])));
      }
      return { loss: em.sum(terms), seeds };
    }
    case 'custom':
      return spec.build(em, { graph, batch, shape });
  }
}

/** Builds the forward + loss + backward model of `graph`. */
export function gradientModel(graph: Graph, opts: GradientOptions, convHook?: ConvHook): GradientModel {
  const B = opts.batch;
  if (!(Number.isInteger(B) && B >= 1)) throw new GraphError(`gradientModel needs a fixed positive batch, got ${B}`);
  const bn = opts.batchNorm ?? 'inference';
  if (opts.perSampleInput && bn === 'batch') throw new GraphError('per-sample input gradients need fixed BatchNorm statistics (batchNorm: inference): batch statistics couple the samples');
  if (opts.perSampleInput && opts.wrt === 'weights') throw new GraphError('perSampleInput asks for input gradients: use wrt input or both');
  const em = new Emitter('grad', 'float');
  const { loss, seeds } = emitLoss(graph, em, opts.of, B);
  const params = opts.wrt === 'input' ? [] : (opts.params ?? trainableParams(graph));
  for (const p of params) if (!graph.params.has(p)) throw new GraphError(`no parameter ${p} in ${graph.name}`);
  const taps = opts.taps ?? [];
  for (const t of taps) if (!graph.tensors.has(t)) throw new GraphError(`tap ${t} is not a tensor of ${graph.name}`);
  const wantInput = opts.wrt !== 'weights';
  const wrt = [...params, ...(wantInput ? [graph.input.name] : []), ...taps];
  const grads = emitBackward(graph, em, { batch: B, batchNorm: bn, seeds, wrt, convHook });

  // Outputs: every gradient gets its own Identity so that names are stable and distinct.
  const outputAll = opts.gradientOutputs ?? true;
  const gradients = new Map<string, string>();
  const out = (g: string, label: string, dims: readonly number[]): string => {
    if (!outputAll) return g;
    const name = `grad:${label}`;
    em.nodes.push({ name: `${name}/identity`, opType: 'Identity', input: [g], output: [name] });
    em.output(name, dims);
    return name;
  };
  em.nodes.push({ name: 'loss/identity', opType: 'Identity', input: [loss], output: ['loss'] });
  em.output('loss', []);
  const raw = new Map(params.map((p) => [p, grads.get(p) as string]));
  for (const p of params) gradients.set(p, out(grads.get(p) as string, p, onnxShape(graph, p, B)));
  const inputGradient = wantInput ? out(grads.get(graph.input.name) as string, graph.input.name, onnxShape(graph, graph.input.name, B)) : undefined;
  const tapGradients = new Map<string, string>();
  for (const t of taps) tapGradients.set(t, out(grads.get(t) as string, `tap:${t}`, onnxShape(graph, t, B)));
  opts.finish?.(em, { params: raw, input: wantInput ? grads.get(graph.input.name) : undefined, taps: new Map(taps.map((t) => [t, grads.get(t) as string])) });
  const model = toOnnx(graph, { batch: B, seed: opts.seed, weights: opts.weights, batchNorm: bn, outputs: opts.forwardOutputs ?? [], extension: em.extension() });
  return { model, loss: 'loss', gradients, inputGradient, tapGradients, elem: 'float' };
}
