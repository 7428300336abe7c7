// Serialises a Graph to an ONNX model (opset 17) that onnxruntime-node runs.
import onnxProto from 'onnx-proto';
import { GraphError, LEAKY_SLOPE, type Graph, type Node, type Param } from './graph.js';
import { initParamInto, type Weights } from './init.js';

const { onnx } = onnxProto;
export type INode = onnxProto.onnx.INodeProto;
export type ITensor = onnxProto.onnx.ITensorProto;
export type IAttr = onnxProto.onnx.IAttributeProto;
export type IValueInfo = onnxProto.onnx.IValueInfoProto;

export const OPSET = 17;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

export interface OnnxOptions {
  /** A fixed batch size, or 'dynamic' for a symbolic `batch` dimension. Default 1. */
  readonly batch?: number | 'dynamic';
  /** Seed of the initial weights (ignored when `weights` is given). Default 0. */
  readonly seed?: number;
  readonly weights?: Weights;
  /** Intermediate tensors to expose as extra outputs (after the graph's own outputs). */
  readonly extraOutputs?: readonly string[];
  /** Replace the graph's outputs with these (e.g. only activations a proxy needs). */
  readonly outputs?: readonly string[];
  /**
   * BatchNorm with its running statistics ('inference', the default) or normalising by the
   * statistics of the batch itself ('batch', training mode). In 'batch' mode each BN node also
   * produces `<node>::batch_var`, the per-channel biased batch variance, shape [1, C, 1, 1].
   */
  readonly batchNorm?: 'inference' | 'batch';
  /** Extra ONNX nodes reading graph tensors (e.g. a proxy's in-graph reductions), with their outputs. */
  readonly extension?: OnnxExtension;
}

/** Nodes appended after the graph's own; their outputs become model outputs. */
export interface OnnxExtension {
  readonly nodes: readonly INode[];
  readonly initializers: readonly ITensor[];
  readonly outputs: readonly IValueInfo[];
}

const ints = (name: string, values: readonly number[]): IAttr => ({ name, type: A.INTS, ints: [...values] });
const int = (name: string, value: number): IAttr => ({ name, type: A.INT, i: value });
const float = (name: string, value: number): IAttr => ({ name, type: A.FLOAT, f: value });
const str = (name: string, value: string): IAttr => ({ name, type: A.STRING, s: new TextEncoder().encode(value) });

function floatTensor(name: string, dims: readonly number[], data: Float32Array): ITensor {
  // Small constants only; model weights go through rawTensor below.
  return { name, dims: [...dims], dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Tensor(name: string, values: readonly number[]): ITensor {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) };
}

function valueInfo(name: string, shape: readonly number[], batch: number | 'dynamic'): IValueInfo {
  const dims = [batch === 'dynamic' ? { dimParam: 'batch' } : { dimValue: batch }, ...shape.map((d) => ({ dimValue: d }))];
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims } } } };
}

/**
 * BatchNorm by batch statistics, as a per-channel scale and shift: mean_b = E[x], var_b = E[x^2] -
 * mean_b^2 (biased, as PyTorch normalises), y = x * s + (beta - mean_b * s), s = gamma / sqrt(var_b + eps).
 * Two passes over x for the statistics and two for the output.
 */
function lowerBatchStatBN(node: Node, eps: number, channels: number, konst: (suffix: string, values: readonly number[], kind: 'i64' | 'f32' | 'scalar') => string): INode[] {
  const n = node.name;
  const [x = '', gamma = '', beta = ''] = [node.inputs[0], node.params[0], node.params[1]];
  const axes = ints('axes', [0, 2, 3]);
  const shape = konst('cshape', [1, channels, 1, 1], 'i64');
  return [
    { name: `${n}/mean`, opType: 'ReduceMean', input: [x], output: [`${n}::batch_mean`], attribute: [axes, int('keepdims', 1)] },
    { name: `${n}/square`, opType: 'Mul', input: [x, x], output: [`${n}::sq`] },
    { name: `${n}/meansq`, opType: 'ReduceMean', input: [`${n}::sq`], output: [`${n}::mean_sq`], attribute: [axes, int('keepdims', 1)] },
    { name: `${n}/mean2`, opType: 'Mul', input: [`${n}::batch_mean`, `${n}::batch_mean`], output: [`${n}::mean2`] },
    { name: `${n}/var`, opType: 'Sub', input: [`${n}::mean_sq`, `${n}::mean2`], output: [`${n}::batch_var`] },
    { name: `${n}/eps`, opType: 'Add', input: [`${n}::batch_var`, konst('eps', [eps], 'scalar')], output: [`${n}::var_eps`] },
    { name: `${n}/std`, opType: 'Sqrt', input: [`${n}::var_eps`], output: [`${n}::std`] },
    { name: `${n}/gamma`, opType: 'Reshape', input: [gamma, shape], output: [`${n}::gamma`] },
    { name: `${n}/beta`, opType: 'Reshape', input: [beta, shape], output: [`${n}::beta`] },
    { name: `${n}/s`, opType: 'Div', input: [`${n}::gamma`, `${n}::std`], output: [`${n}::s`] },
    { name: `${n}/ms`, opType: 'Mul', input: [`${n}::batch_mean`, `${n}::s`], output: [`${n}::ms`] },
    { name: `${n}/shift`, opType: 'Sub', input: [`${n}::beta`, `${n}::ms`], output: [`${n}::shift`] },
    { name: `${n}/scale`, opType: 'Mul', input: [x, `${n}::s`], output: [`${n}::scaled`] },
    { name: n, opType: 'Add', input: [`${n}::scaled`, `${n}::shift`], output: [...node.outputs] },
  ];
}

/** Turns one graph node into ONNX nodes, adding the constants it needs to `consts`. */
function lower(node: Node, consts: ITensor[], bnMode: 'inference' | 'batch', channels: number): INode[] {
  const op = node.op;
  const inputs = [...node.inputs, ...node.params];
  const outputs = [...node.outputs];
  const n = node.name;
  const konst = (suffix: string, values: readonly number[], kind: 'i64' | 'f32' | 'scalar'): string => {
    const name = `${n}::${suffix}`;
    if (kind === 'i64') consts.push(int64Tensor(name, values));
    else consts.push(floatTensor(name, kind === 'scalar' ? [] : [values.length], Float32Array.from(values)));
    return name;
  };
  switch (op.kind) {
    case 'conv':
      return [
        {
          name: n,
          opType: 'Conv',
          input: inputs,
          output: outputs,
          attribute: [ints('kernel_shape', [op.k, op.k]), ints('strides', [op.stride, op.stride]), ints('pads', [op.pad, op.pad, op.pad, op.pad]), ints('dilations', [op.dilation, op.dilation]), int('group', op.groups)],
        },
      ];
    case 'convTranspose':
      return [
        { name: n, opType: 'ConvTranspose', input: inputs, output: outputs, attribute: [ints('kernel_shape', [op.k, op.k]), ints('strides', [op.stride, op.stride]), ints('pads', [op.pad, op.pad, op.pad, op.pad])] },
      ];
    case 'batchNorm':
      if (bnMode === 'batch') return lowerBatchStatBN(node, op.eps, channels, konst);
      return [{ name: n, opType: 'BatchNormalization', input: inputs, output: outputs, attribute: [float('epsilon', op.eps)] }];
    case 'act':
      switch (op.fn) {
        case 'silu': {
          const sig = `${n}::sigmoid`;
          return [
            { name: `${n}/sigmoid`, opType: 'Sigmoid', input: inputs, output: [sig] },
            { name: n, opType: 'Mul', input: [...inputs, sig], output: outputs },
          ];
        }
        case 'relu':
          return [{ name: n, opType: 'Relu', input: inputs, output: outputs }];
        case 'relu6':
          return [{ name: n, opType: 'Clip', input: [...inputs, konst('min', [0], 'scalar'), konst('max', [6], 'scalar')], output: outputs }];
        case 'hardswish':
          return [{ name: n, opType: 'HardSwish', input: inputs, output: outputs }];
        case 'leakyrelu':
          return [{ name: n, opType: 'LeakyRelu', input: inputs, output: outputs, attribute: [float('alpha', LEAKY_SLOPE)] }];
        case 'sigmoid':
          return [{ name: n, opType: 'Sigmoid', input: inputs, output: outputs }];
      }
      break;
    case 'add':
      return [{ name: n, opType: 'Add', input: inputs, output: outputs }];
    case 'sub':
      return [{ name: n, opType: 'Sub', input: inputs, output: outputs }];
    case 'mul':
      return [{ name: n, opType: 'Mul', input: inputs, output: outputs }];
    case 'concat':
      return [{ name: n, opType: 'Concat', input: inputs, output: outputs, attribute: [int('axis', op.axis + 1)] }];
    case 'split':
      return [{ name: n, opType: 'Split', input: [...inputs, konst('split', op.sizes, 'i64')], output: outputs, attribute: [int('axis', op.axis + 1)] }];
    case 'maxPool':
      return [{ name: n, opType: 'MaxPool', input: inputs, output: outputs, attribute: [ints('kernel_shape', [op.k, op.k]), ints('strides', [op.stride, op.stride]), ints('pads', [op.pad, op.pad, op.pad, op.pad])] }];
    case 'resize':
      return [
        {
          name: n,
          opType: 'Resize',
          input: [...inputs, '', konst('scales', [1, 1, op.scale, op.scale], 'f32')],
          output: outputs,
          attribute: [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')],
        },
      ];
    case 'reshape':
      // 0 copies the batch dimension from the input.
      return [{ name: n, opType: 'Reshape', input: [...inputs, konst('shape', [0, ...op.shape], 'i64')], output: outputs }];
    case 'transpose':
      return [{ name: n, opType: 'Transpose', input: inputs, output: outputs, attribute: [ints('perm', [0, ...op.perm.map((p) => p + 1)])] }];
    case 'softmax':
      return [{ name: n, opType: 'Softmax', input: inputs, output: outputs, attribute: [int('axis', op.axis + 1)] }];
  }
  throw new GraphError(`${n}: no ONNX lowering for this op`);
}

// Weights are most of a model's bytes. The writer encodes everything else with onnx-proto and lays
// the weight tensors out itself, straight into the one output buffer: each tensor's raw data is
// aligned to 4 bytes (padded with a short doc_string) so seeded weights are generated in place,
// never copied. Fresh memory is slow to touch, and this is on every candidate's path.
const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const TENSOR = { dims: 1, dataType: 2, name: 8, docString: 12, rawData: 9 } as const;
const GRAPH_INITIALIZER = 5;
const MODEL_GRAPH = 7;

function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

class ByteWriter {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  varint(n: number): void {
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  bytes(data: Uint8Array): void {
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }
}

interface TensorLayout {
  readonly param: Param;
  readonly name: Uint8Array;
  readonly dataBytes: number;
  /** Length of the doc_string used as padding (-1: none). */
  readonly pad: number;
  /** Encoded size of the TensorProto message. */
  readonly size: number;
  /** Size of the initializer field: key, length prefix and message. */
  readonly fieldSize: number;
}

/** Bytes of a doc_string field of k characters: key, length, text. */
const padFieldBytes = (k: number): number => (k < 0 ? 0 : 2 + k);
/** doc_string length that shifts the raw data by `shift` bytes (mod 4). */
const padFor = (shift: number): number => [-1, 3, 0, 1][shift] ?? -1;

/**
 * Layout of one initializer field starting at absolute offset `at`, raw data 4-byte aligned. The
 * field's length prefix and the padding depend on each other near varint boundaries; a padding 4
 * bytes longer keeps the alignment, so the search always ends.
 */
function layoutTensor(param: Param, name: Uint8Array, at: number): TensorLayout {
  const dataBytes = 4 * param.shape.reduce((a, b) => a * b, 1);
  const beforePad = param.shape.reduce((a, d) => a + 1 + varintLength(d), 0) + 1 + varintLength(FLOAT) + 1 + varintLength(name.length) + name.length;
  const rawHead = 1 + varintLength(dataBytes);
  for (let prefix = varintLength(beforePad + rawHead + dataBytes); prefix <= 10; prefix++) {
    const dataAt = at + 1 + prefix + beforePad + rawHead;
    const basePad = padFieldBytes(padFor((4 - (dataAt % 4)) % 4));
    for (let extra = 0; extra <= 8; extra += 4) {
      const padBytes = basePad + extra;
      const size = beforePad + padBytes + rawHead + dataBytes;
      if (varintLength(size) === prefix) return { param, name, dataBytes, pad: padBytes === 0 ? -1 : padBytes - 2, size, fieldSize: 1 + prefix + size };
    }
  }
  throw new GraphError(`ONNX writer: no aligned layout for ${param.name}`);
}

function writeTensor(w: ByteWriter, t: TensorLayout, fill: (out: Float32Array) => void): void {
  w.key(GRAPH_INITIALIZER, WIRE_BYTES);
  w.varint(t.size);
  for (const d of t.param.shape) {
    w.key(TENSOR.dims, WIRE_VARINT);
    w.varint(d);
  }
  w.key(TENSOR.dataType, WIRE_VARINT);
  w.varint(FLOAT);
  w.key(TENSOR.name, WIRE_BYTES);
  w.varint(t.name.length);
  w.bytes(t.name);
  if (t.pad >= 0) {
    w.key(TENSOR.docString, WIRE_BYTES);
    w.varint(t.pad);
    w.buf.fill(32, w.pos, w.pos + t.pad);
    w.pos += t.pad;
  }
  w.key(TENSOR.rawData, WIRE_BYTES);
  w.varint(t.dataBytes);
  if ((w.buf.byteOffset + w.pos) % 4 !== 0) throw new GraphError(`ONNX writer: raw data of ${t.param.name} is not aligned`);
  // Little-endian hosts only (ONNX raw_data is little-endian), which is every platform Node supports here.
  fill(new Float32Array(w.buf.buffer, w.buf.byteOffset + w.pos, t.dataBytes / 4));
  w.pos += t.dataBytes;
}

/**
 * The nodes some model output depends on, in their order. onnxruntime runs every node it is given,
 * so a model whose outputs are a proxy's reductions or a loss's gradients would otherwise still
 * compute the detector's decoding (the DFL softmax alone is 7% of a yolo8n forward pass).
 */
function liveNodes(nodes: readonly INode[], outputs: readonly string[]): INode[] {
  const live = new Set(outputs);
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i] as INode;
    if (!(n.output ?? []).some((o) => live.has(o))) continue;
    keep[i] = true;
    for (const x of n.input ?? []) live.add(x);
  }
  return nodes.filter((_, i) => keep[i]);
}

/** The ONNX model bytes of `graph` with weights from `opts.weights` or initialised from `opts.seed`. */
export function toOnnx(graph: Graph, opts: OnnxOptions = {}): Uint8Array {
  const batch = opts.batch ?? 1;
  if (batch !== 'dynamic' && !(Number.isInteger(batch) && batch >= 1)) throw new GraphError(`batch must be a positive integer or 'dynamic', got ${batch}`);
  const seed = opts.seed ?? 0;
  const consts: ITensor[] = [];
  const bnMode = opts.batchNorm ?? 'inference';
  const nodes = graph.nodes.flatMap((node) => lower(node, consts, bnMode, graph.tensors.get(node.inputs[0] ?? '')?.shape[0] ?? 0));
  const ext = opts.extension;
  const outputNames = [...(opts.outputs ?? graph.outputs), ...(opts.extraOutputs ?? [])];
  const output = [...new Set(outputNames)].map((name) => {
    const t = graph.tensors.get(name);
    if (!t) throw new GraphError(`requested output ${name} is not a tensor of ${graph.name}`);
    return valueInfo(name, t.shape, batch);
  });
  const live = liveNodes([...nodes, ...(ext?.nodes ?? [])], [...output, ...(ext?.outputs ?? [])].map((o) => o.name ?? ''));
  // onnxruntime's own operators (the gradient models' FusedMatMul) need their domain imported.
  const domains = [...new Set(live.map((n) => n.domain ?? '').filter((d) => d !== ''))];
  const graphHead = onnx.GraphProto.encode({
    name: graph.name,
    node: live,
    initializer: [...consts, ...(ext?.initializers ?? [])],
    input: [valueInfo(graph.input.name, graph.input.shape, batch)],
    output: [...output, ...(ext?.outputs ?? [])],
  }).finish();
  const modelHead = onnx.ModelProto.encode({ irVersion: 8, producerName: 'zcnas', opsetImport: [{ domain: '', version: OPSET }, ...domains.map((domain) => ({ domain, version: 1 }))] }).finish();

  const params = [...graph.params.values()];
  const names = params.map((p) => new TextEncoder().encode(p.name));
  // The graph's length prefix shifts every tensor, so find the prefix length consistent with the layout.
  for (let prefix = 1; prefix <= 10; prefix++) {
    let at = modelHead.length + 1 + prefix + graphHead.length;
    const layouts = params.map((p, i) => {
      const t = layoutTensor(p, names[i] as Uint8Array, at);
      at += t.fieldSize;
      return t;
    });
    const graphSize = at - (modelHead.length + 1 + prefix);
    if (varintLength(graphSize) !== prefix) continue;
    const w = new ByteWriter(new Uint8Array(at));
    w.bytes(modelHead);
    w.key(MODEL_GRAPH, WIRE_BYTES);
    w.varint(graphSize);
    w.bytes(graphHead);
    for (const t of layouts) {
      const given = opts.weights?.get(t.param.name);
      if (opts.weights && !given) throw new GraphError(`no weights for parameter ${t.param.name}`);
      if (given && given.length * 4 !== t.dataBytes) throw new GraphError(`weights of ${t.param.name} have ${given.length} values for shape [${t.param.shape.join(', ')}]`);
      writeTensor(w, t, (out) => (given ? out.set(given) : initParamInto(t.param, seed, out)));
    }
    if (w.pos !== at) throw new GraphError(`ONNX writer size mismatch: wrote ${w.pos} of ${at} bytes`);
    return w.buf;
  }
  throw new GraphError('ONNX writer: model too large to encode');
}
