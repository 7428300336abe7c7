// Exports a candidate as a real int8 QDQ ONNX model, the way an int8 deployment stores it: BN folded,
// conv weights as int8 initializers with per-output-channel DequantizeLinear (axis 0; axis 1 for
// ConvTranspose, whose weight is [C_in, C_out, k, k]), biases as int32 initializers with their own
// per-channel DequantizeLinear (scale = weight scale * NOMINAL_ACTIVATION_SCALE, zero point 0),
// constant operands (anchor grids, strides) as int8 with a per-tensor DequantizeLinear.
// Choice: activations stay float between ops (weight-only QDQ). Quantising them too would need
// calibration data to choose scales, and the counts this file exists to check (weights, biases,
// per-channel scales) do not depend on it. Fused ReLU / ReLU6 are written back as Relu / Clip,
// since float activations are not clamped by a quantised range.
// The op list is lower.ts's, so the exported model is exactly what flash.ts counts.
import onnxProto from 'onnx-proto';
import { initWeights, type Graph, type Weights } from '../../nn/index.js';
import { LEAKY_SLOPE } from '../../nn/index.js';
import { lowerGraph, type LoweredModel, type McuOp } from './lower.js';
import { quantizeConst, quantizeConv } from './quant.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IAttr = onnxProto.onnx.IAttributeProto;
const DT = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

export interface Int8OnnxOptions {
  /** Seed of the candidate's weights (initWeights). Default 0. */
  readonly seed?: number;
  readonly weights?: Weights;
}

const ints = (name: string, values: readonly number[]): IAttr => ({ name, type: A.INTS, ints: [...values] });
const int = (name: string, value: number): IAttr => ({ name, type: A.INT, i: value });
const float = (name: string, value: number): IAttr => ({ name, type: A.FLOAT, f: value });
const str = (name: string, value: string): IAttr => ({ name, type: A.STRING, s: new TextEncoder().encode(value) });
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function tensor(name: string, dims: readonly number[], dataType: number, data: ArrayBufferView): ITensor {
  return { name, dims: [...dims], dataType, rawData: bytesOf(data) };
}

export function toInt8Onnx(graph: Graph, options: Int8OnnxOptions = {}, lowered?: LoweredModel): Uint8Array {
  const model = lowered ?? lowerGraph(graph);
  const weights = options.weights ?? initWeights(graph, options.seed ?? 0);
  const inits: ITensor[] = [];
  const nodes: INode[] = [];
  const constOut = new Map<string, string>();

  const dequant = (base: string, q: ITensor, scale: ITensor, zp: ITensor, axis?: number): string => {
    inits.push(q, scale, zp);
    const out = `${base}::dq`;
    nodes.push({ name: `${base}/dequantize`, opType: 'DequantizeLinear', input: [q.name ?? '', scale.name ?? '', zp.name ?? ''], output: [out], attribute: axis === undefined ? [] : [int('axis', axis)] });
    return out;
  };
  const konst = (name: string, kind: 'i64' | 'f32', values: readonly number[], dims: readonly number[] = [values.length]): string => {
    inits.push(kind === 'i64' ? tensor(name, dims, DT.INT64, BigInt64Array.from(values.map((v) => BigInt(v)))) : tensor(name, dims, DT.FLOAT, Float32Array.from(values)));
    return name;
  };

  for (const op of model.ops) {
    for (const c of op.constants) {
      if (constOut.has(c.name)) continue;
      const q = quantizeConst(c, weights);
      constOut.set(c.name, dequant(c.name, tensor(`${c.name}::q`, c.shape, DT.INT8, q.data), tensor(`${c.name}::scale`, [], DT.FLOAT, Float32Array.of(q.scale)), tensor(`${c.name}::zero_point`, [], DT.INT8, Int8Array.of(0))));
    }
    nodes.push(...opNodes(op));
  }

  function operand(name: string): string {
    return constOut.get(name) ?? name;
  }

  function opNodes(op: McuOp): INode[] {
    const n = op.name;
    const ins = op.operands.map(operand);
    const outs = op.outputs.map((t) => t.name);
    const src = op.source;
    if (op.conv) {
      const c = op.conv;
      const q = quantizeConv(c, weights);
      const w = dequant(`${n}::weight`, tensor(`${n}::weight_q`, q.shape, DT.INT8, q.weights), tensor(`${n}::weight_scale`, [c.cout], DT.FLOAT, q.weightScales), tensor(`${n}::weight_zero_point`, [c.cout], DT.INT8, new Int8Array(c.cout)), q.axis);
      const b = dequant(`${n}::bias`, tensor(`${n}::bias_q`, [c.cout], DT.INT32, q.bias), tensor(`${n}::bias_scale`, [c.cout], DT.FLOAT, q.biasScales), tensor(`${n}::bias_zero_point`, [c.cout], DT.INT32, new Int32Array(c.cout)), 0);
      const convOut = op.fused === 'none' ? (outs[0] ?? '') : `${n}::preact`;
      const attrs = c.transposed
        ? [ints('kernel_shape', [c.k, c.k]), ints('strides', [c.stride, c.stride]), ints('pads', [c.pad, c.pad, c.pad, c.pad])]
        : [ints('kernel_shape', [c.k, c.k]), ints('strides', [c.stride, c.stride]), ints('pads', [c.pad, c.pad, c.pad, c.pad]), ints('dilations', [c.dilation, c.dilation]), int('group', c.groups)];
      const out: INode[] = [{ name: n, opType: c.transposed ? 'ConvTranspose' : 'Conv', input: [ins[0] ?? '', w, b], output: [convOut], attribute: attrs }];
      if (op.fused === 'relu') out.push({ name: `${n}/relu`, opType: 'Relu', input: [convOut], output: outs });
      if (op.fused === 'relu6') out.push({ name: `${n}/relu6`, opType: 'Clip', input: [convOut, konst(`${n}::min`, 'f32', [0], []), konst(`${n}::max`, 'f32', [6], [])], output: outs });
      return out;
    }
    const one = (opType: string, attribute: IAttr[] = [], extra: string[] = []): INode[] => [{ name: n, opType, input: [...ins, ...extra], output: outs, attribute }];
    switch (op.kind) {
      case 'LOGISTIC':
        return one('Sigmoid');
      case 'HARD_SWISH':
        return one('HardSwish');
      case 'LEAKY_RELU':
        return one('LeakyRelu', [float('alpha', LEAKY_SLOPE)]);
      case 'RELU':
        return one('Relu');
      case 'RELU6':
        return one('Clip', [], [konst(`${n}::min`, 'f32', [0], []), konst(`${n}::max`, 'f32', [6], [])]);
      case 'ADD':
        return one('Add');
      case 'SUB':
        return one('Sub');
      case 'MUL':
        return one('Mul');
      case 'CONCATENATION':
        return one('Concat', [int('axis', src.kind === 'concat' ? src.axis + 1 : 1)]);
      case 'SPLIT_V':
        if (src.kind !== 'split') break;
        return one('Split', [int('axis', src.axis + 1)], [konst(`${n}::split`, 'i64', src.sizes)]);
      case 'MAX_POOL_2D':
        if (src.kind !== 'maxPool') break;
        return one('MaxPool', [ints('kernel_shape', [src.k, src.k]), ints('strides', [src.stride, src.stride]), ints('pads', [src.pad, src.pad, src.pad, src.pad])]);
      case 'RESIZE_NEAREST_NEIGHBOR':
        if (src.kind !== 'resize') break;
        return one('Resize', [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')], ['', konst(`${n}::scales`, 'f32', [1, 1, src.scale, src.scale])]);
      case 'RESHAPE':
        if (src.kind !== 'reshape') break;
        return one('Reshape', [], [konst(`${n}::shape`, 'i64', [0, ...src.shape])]);
      case 'TRANSPOSE':
        if (src.kind !== 'transpose') break;
        return one('Transpose', [ints('perm', [0, ...src.perm.map((p) => p + 1)])]);
      case 'SOFTMAX':
        if (src.kind !== 'softmax') break;
        return one('Softmax', [int('axis', src.axis + 1)]);
      default:
        break;
    }
    throw new RangeError(`int8 ONNX export: no lowering for ${op.kind} (${n})`);
  }

  const valueInfo = (name: string, shape: readonly number[]) => ({ name, type: { tensorType: { elemType: DT.FLOAT, shape: { dim: [1, ...shape].map((d) => ({ dimValue: d })) } } } });
  const outputs = model.outputs.map((o) => valueInfo(o, model.tensors.get(o)?.shape ?? graph.tensors.get(o)?.shape ?? []));
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'zcnas',
    docString: 'int8 QDQ (weights int8 per-channel, biases int32, BN folded; activations float)',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: `${graph.name}_int8`, node: nodes, initializer: inits, input: [valueInfo(model.input.name, model.input.shape)], output: outputs },
  }).finish();
}
