// Gradients in float64 for computations whose values leave float32's range (synflow: abs weights,
// no BatchNorm, all-ones input, so activations grow geometrically with depth).
//
// onnxruntime's CPU kernels run every op of the graph in float64 except Conv, ConvTranspose and
// HardSwish (checked with onnxruntime-node 1.30) and nearest Resize. So the whole model, forward
// and backward, runs in float64, HardSwish and Resize are spelled with float64 ops, and each
// convolution is a scaled float32 island: its operands are divided by their largest magnitude
// (a float64 scalar) and cast to float32 (values in [-1, 1]: nothing overflows), the conv runs in
// float32, and the result is cast back and multiplied by the product of the scales in float64.
// Each conv thus carries float32's relative precision (~1e-7 per accumulation) at float64's range.
import { GraphError, LEAKY_SLOPE, type Graph, type Node, type Param } from '../graph.js';
import { initParam, type Weights } from '../init.js';
import { toOnnx } from '../onnx.js';
import { emitBackward, type ConvHook } from './backward.js';
import { attr, DTYPE, Emitter } from './emitter.js';

export interface Float64GradientOptions {
  /** Loss: the sum of every element of these tensors (ones as the initial gradient). */
  readonly sumOf: readonly string[];
  /** Parameters to differentiate (conv weights). */
  readonly params: readonly string[];
  readonly batch: number;
  readonly seed?: number;
  readonly weights?: Weights;
  /** Drop every BatchNorm (identity), as synflow does. Required: the float64 path has no BatchNorm lowering. */
  readonly dropBatchNorm: true;
  /**
   * Caller reductions of the float64 gradients (and the float64 parameter values) with their
   * outputs; when absent every gradient is an output named `grad:<param>`.
   */
  readonly finish?: (em: Emitter, grads: ReadonlyMap<string, string>, value: (param: string) => string) => void;
}

export interface Float64GradientModel {
  readonly model: Uint8Array;
  /** Output name of the float64 loss. */
  readonly loss: string;
  readonly gradients: ReadonlyMap<string, string>;
}

/** The float64 forward + backward model of `graph` (BatchNorm dropped). Input: float32, cast inside. */
export function float64GradientModel(graph: Graph, opts: Float64GradientOptions): Float64GradientModel {
  const B = opts.batch;
  const seed = opts.seed ?? 0;
  // 1. Drop BatchNorm: each BN output becomes an alias of its input.
  const alias = new Map<string, string>();
  const inputName = `${graph.input.name}::f64`;
  alias.set(graph.input.name, inputName);
  const resolve = (t: string): string => alias.get(t) ?? t;
  const nodes: Node[] = [];
  for (const n of graph.nodes) {
    if (n.op.kind === 'batchNorm') {
      alias.set(n.outputs[0] ?? '', resolve(n.inputs[0] ?? ''));
      continue;
    }
    nodes.push({ ...n, inputs: n.inputs.map(resolve) });
  }
  const tensors = new Map(graph.tensors);
  tensors.set(inputName, { name: inputName, shape: graph.input.shape });
  const g: Graph = { ...graph, input: { name: inputName, shape: graph.input.shape }, nodes, outputs: graph.outputs.map(resolve), tensors };

  // 2. Parameters: conv-family weights stay float32 initializers (written by nn/onnx.ts); every
  // other parameter a node reads is a float64 initializer.
  const convWeights = new Set(nodes.filter((n) => n.op.kind === 'conv' || n.op.kind === 'convTranspose').map((n) => n.params[0] ?? ''));
  const em = new Emitter('f64', 'double');
  const valueOf = (p: Param): Float32Array => {
    const given = opts.weights?.get(p.name);
    if (opts.weights && !given) throw new GraphError(`no weights for parameter ${p.name}`);
    return given ?? initParam(p, seed);
  };
  const used = new Set(nodes.flatMap((n) => [...n.params, ...n.inputs.filter((i) => graph.params.has(i))]));
  const f32Params = new Map<string, Param>();
  for (const name of used) {
    const p = graph.params.get(name) as Param;
    if (convWeights.has(name)) f32Params.set(name, p);
    else {
      const data = Float64Array.from(valueOf(p));
      em.initializers.push({ name, dims: [...p.shape], dataType: DTYPE.double, rawData: new Uint8Array(data.buffer) });
    }
  }
  // Normalised float32 weights W / max|W| and their scale (float64), shared by forward and backward.
  const normalised = new Map<string, { w: string; scale: string }>();
  const weightIsland = (p: string): { w: string; scale: string } => {
    const known = normalised.get(p);
    if (known) return known;
    const m = em.node('ReduceMax', [em.node('Abs', [p])], [attr.int('keepdims', 0)]);
    const safe = em.node('Where', [em.node('Greater', [m, em.scalar(0, 'float')]), m, em.scalar(1, 'float')]);
    const entry = { w: em.node('Div', [p, safe]), scale: em.node('Cast', [safe], [attr.int('to', DTYPE.double)]) };
    normalised.set(p, entry);
    return entry;
  };
  const f64Weights = new Map<string, string>();
  const weight64 = (p: string): string => {
    const known = f64Weights.get(p);
    if (known) return known;
    const w = em.node('Cast', [p], [attr.int('to', DTYPE.double)]);
    f64Weights.set(p, w);
    return w;
  };
  const island: ConvHook = (e, opType, inputs, attrs) => {
    const scales: string[] = [];
    const cast = inputs.map((t) => {
      if (convWeights.has(t)) {
        const { w, scale } = weightIsland(t);
        scales.push(scale);
        return w;
      }
      const m = e.node('ReduceMax', [e.node('Abs', [t])], [attr.int('keepdims', 0)]);
      const safe = e.node('Where', [e.node('Greater', [m, e.scalar(0)]), m, e.scalar(1)]);
      scales.push(safe);
      return e.node('Cast', [e.node('Div', [t, safe])], [attr.int('to', DTYPE.float)]);
    });
    const y = e.node('Cast', [e.node(opType, cast, attrs)], [attr.int('to', DTYPE.double)]);
    return e.node('Mul', [y, scales.length === 1 ? (scales[0] as string) : e.node('Mul', scales)]);
  };

  // 3. Forward in float64.
  em.nodes.push({ name: 'f64/input', opType: 'Cast', input: [graph.input.name], output: [inputName], attribute: [attr.int('to', DTYPE.double)] });
  for (const n of nodes) lowerFloat64(em, n, island, g, B);

  // 4. Loss and backward.
  const seeds = new Map<string, string>();
  for (const t of opts.sumOf) {
    const r = resolve(t);
    const s = g.tensors.get(r)?.shape;
    if (!s) throw new GraphError(`loss reads ${t}, which is not a tensor of ${graph.name}`);
    seeds.set(r, em.expand(em.scalar(1), [B, ...s]));
  }
  const loss = em.sum([...seeds.keys()].map((t) => em.total(t)));
  em.nodes.push({ name: 'loss/identity', opType: 'Identity', input: [loss], output: ['loss'] });
  em.output('loss', []);
  const grads = emitBackward(g, em, { batch: B, batchNorm: 'inference', seeds, wrt: opts.params, convHook: island });
  const gradients = new Map<string, string>();
  if (opts.finish) opts.finish(em, grads, (p) => (convWeights.has(p) ? weight64(p) : p));
  else
    for (const p of opts.params) {
      const name = `grad:${p}`;
      em.nodes.push({ name: `${name}/identity`, opType: 'Identity', input: [grads.get(p) as string], output: [name] });
      em.output(name, graph.params.get(p)?.shape ?? []);
      gradients.set(p, name);
    }

  const stub: Graph = { ...graph, nodes: [], outputs: [], params: f32Params };
  const f32Weights = opts.weights ? new Map([...f32Params.keys()].map((k) => [k, opts.weights?.get(k) as Float32Array])) : undefined;
  const model = toOnnx(stub, { batch: B, seed, weights: f32Weights, outputs: [], extension: em.extension() });
  return { model, loss: 'loss', gradients };
}

function lowerFloat64(em: Emitter, node: Node, island: ConvHook, g: Graph, B: number): void {
  const op = node.op;
  const n = node.name;
  const [x = ''] = node.inputs;
  const [y = ''] = node.outputs;
  const emit = (opType: string, input: readonly string[], output: readonly string[], attrs: ReturnType<typeof attr.int>[] = []): void => {
    em.nodes.push({ name: `${n}/${opType.toLowerCase()}_${em.nodes.length}`, opType, input: [...input], output: [...output], attribute: attrs });
  };
  const addBias = (conv: string, bias: string | undefined): void => {
    if (bias === undefined) emit('Identity', [conv], [y]);
    else emit('Add', [conv, em.reshape(bias, [1, g.params.get(bias)?.shape[0] ?? 0, 1, 1])], [y]);
  };
  switch (op.kind) {
    case 'conv': {
      const c = island(em, 'Conv', [x, node.params[0] ?? ''], [
        attr.ints('kernel_shape', [op.k, op.k]),
        attr.ints('strides', [op.stride, op.stride]),
        attr.ints('pads', [op.pad, op.pad, op.pad, op.pad]),
        attr.ints('dilations', [op.dilation, op.dilation]),
        attr.int('group', op.groups),
      ]);
      addBias(c, node.params[1]);
      return;
    }
    case 'convTranspose': {
      const c = island(em, 'ConvTranspose', [x, node.params[0] ?? ''], [attr.ints('kernel_shape', [op.k, op.k]), attr.ints('strides', [op.stride, op.stride]), attr.ints('pads', [op.pad, op.pad, op.pad, op.pad])]);
      addBias(c, node.params[1]);
      return;
    }
    case 'batchNorm':
      throw new GraphError(`${n}: the float64 path drops BatchNorm`);
    case 'act':
      switch (op.fn) {
        case 'silu':
          emit('Sigmoid', [x], [`${n}::sigmoid`]);
          emit('Mul', [x, `${n}::sigmoid`], [y]);
          return;
        case 'relu':
          emit('Relu', [x], [y]);
          return;
        case 'relu6':
          emit('Clip', [x, em.scalar(0), em.scalar(6)], [y]);
          return;
        case 'hardswish':
          emit('Mul', [x, em.node('Mul', [em.node('Clip', [em.node('Add', [x, em.scalar(3)]), em.scalar(0), em.scalar(6)]), em.scalar(1 / 6)])], [y]);
          return;
        case 'leakyrelu':
          emit('LeakyRelu', [x], [y], [attr.float('alpha', LEAKY_SLOPE)]);
          return;
        case 'sigmoid':
          emit('Sigmoid', [x], [y]);
          return;
      }
      return;
    case 'add':
      emit('Add', [...node.inputs, ...node.params], [y]);
      return;
    case 'sub':
      emit('Sub', [...node.inputs, ...node.params], [y]);
      return;
    case 'mul':
      emit('Mul', [...node.inputs, ...node.params], [y]);
      return;
    case 'concat':
      emit('Concat', node.inputs, [y], [attr.int('axis', op.axis + 1)]);
      return;
    case 'split':
      emit('Split', [x, em.i64(op.sizes)], node.outputs, [attr.int('axis', op.axis + 1)]);
      return;
    case 'maxPool':
      emit('MaxPool', [x], [y], [attr.ints('kernel_shape', [op.k, op.k]), attr.ints('strides', [op.stride, op.stride]), attr.ints('pads', [op.pad, op.pad, op.pad, op.pad])]);
      return;
    case 'resize': {
      // Nearest (floor, asymmetric) upsampling by an integer factor as Reshape + Expand.
      const [c = 0, h = 0, w = 0] = g.tensors.get(x)?.shape ?? [];
      const s = op.scale;
      const big = em.expand(em.reshape(x, [B, c, h, 1, w, 1]), [B, c, h, s, w, s]);
      emit('Reshape', [big, em.i64([B, c, h * s, w * s])], [y]);
      return;
    }
    case 'reshape':
      emit('Reshape', [x, em.i64([B, ...op.shape])], [y]);
      return;
    case 'transpose':
      emit('Transpose', [x], [y], [attr.ints('perm', [0, ...op.perm.map((p) => p + 1)])]);
      return;
    case 'softmax':
      emit('Softmax', [x], [y], [attr.int('axis', op.axis + 1)]);
      return;
  }
}
