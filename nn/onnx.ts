// Serialises a Graph to an ONNX model (opset 17) that onnxruntime-node runs.
import onnxProto from 'onnx-proto';
import { GraphError, LEAKY_SLOPE, type Graph, type Node } from './graph.js';
import { initWeights, type Weights } from './init.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IAttr = onnxProto.onnx.IAttributeProto;
type IValueInfo = onnxProto.onnx.IValueInfoProto;

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
}

const ints = (name: string, values: readonly number[]): IAttr => ({ name, type: A.INTS, ints: [...values] });
const int = (name: string, value: number): IAttr => ({ name, type: A.INT, i: value });
const float = (name: string, value: number): IAttr => ({ name, type: A.FLOAT, f: value });
const str = (name: string, value: string): IAttr => ({ name, type: A.STRING, s: new TextEncoder().encode(value) });

function floatTensor(name: string, dims: readonly number[], data: Float32Array): ITensor {
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

/** Turns one graph node into ONNX nodes, adding the constants it needs to `consts`. */
function lower(node: Node, consts: ITensor[]): INode[] {
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

/** The ONNX model bytes of `graph` with weights from `opts.weights` or initialised from `opts.seed`. */
export function toOnnx(graph: Graph, opts: OnnxOptions = {}): Uint8Array {
  const batch = opts.batch ?? 1;
  if (batch !== 'dynamic' && !(Number.isInteger(batch) && batch >= 1)) throw new GraphError(`batch must be a positive integer or 'dynamic', got ${batch}`);
  const weights = opts.weights ?? initWeights(graph, opts.seed ?? 0);
  const consts: ITensor[] = [];
  const nodes = graph.nodes.flatMap((node) => lower(node, consts));
  const initializer: ITensor[] = [];
  for (const p of graph.params.values()) {
    const data = weights.get(p.name);
    if (!data) throw new GraphError(`no weights for parameter ${p.name}`);
    initializer.push(floatTensor(p.name, p.shape, data));
  }
  const outputNames = [...(opts.outputs ?? graph.outputs), ...(opts.extraOutputs ?? [])];
  const output = [...new Set(outputNames)].map((name) => {
    const t = graph.tensors.get(name);
    if (!t) throw new GraphError(`requested output ${name} is not a tensor of ${graph.name}`);
    return valueInfo(name, t.shape, batch);
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'zcnas',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: graph.name,
      node: nodes,
      initializer: [...initializer, ...consts],
      input: [valueInfo(graph.input.name, graph.input.shape, batch)],
      output,
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
