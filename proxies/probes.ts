// In-graph reductions that proxies attach to a candidate's ONNX model, so that onnxruntime
// returns small statistics (B x B kernels, C x C correlations, pattern codes) instead of every
// activation tensor.
import onnxProto from 'onnx-proto';
import type { INode, ITensor, IValueInfo, OnnxExtension } from '../nn/index.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const DOUBLE = onnx.TensorProto.DataType.DOUBLE;
const INT64 = onnx.TensorProto.DataType.INT64;
const A = onnx.AttributeProto.AttributeType;

/** Builds extension nodes with unique names under one prefix. */
export class ProbeBuilder {
  readonly nodes: INode[] = [];
  readonly initializers: ITensor[] = [];
  readonly outputs: IValueInfo[] = [];
  private count = 0;

  constructor(private readonly prefix: string) {}

  private fresh(what: string): string {
    return `${this.prefix}/${what}_${this.count++}`;
  }

  node(opType: string, input: readonly string[], attrs: INode['attribute'] = [], what = opType.toLowerCase()): string {
    const out = this.fresh(what);
    this.nodes.push({ name: out, opType, input: [...input], output: [out], attribute: attrs ?? [] });
    return out;
  }

  int64s(values: readonly number[]): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });
    return name;
  }

  floats(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dims: [...dims], dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) });
    return name;
  }

  /** Exposes `tensor` as a model output of element type float or double; a string dim is symbolic. */
  output(tensor: string, dims: readonly (number | string)[], elem: 'float' | 'double' = 'float'): string {
    const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
    this.outputs.push({ name: tensor, type: { tensorType: { elemType: elem === 'float' ? FLOAT : DOUBLE, shape: { dim } } } });
    return tensor;
  }

  ints(name: string, values: readonly number[]): onnxProto.onnx.IAttributeProto {
    return { name, type: A.INTS, ints: [...values] };
  }

  int(name: string, value: number): onnxProto.onnx.IAttributeProto {
    return { name, type: A.INT, i: value };
  }

  /** x > 0 as 0/1 floats, flattened per sample: [B, N]. */
  binaryCode(x: string): string {
    const positive = this.node('Greater', [x, this.floats([0], [])]);
    const code = this.node('Cast', [positive], [this.int('to', FLOAT)]);
    return this.node('Reshape', [code, this.int64s([0, -1])]);
  }

  extension(): OnnxExtension {
    return { nodes: this.nodes, initializers: this.initializers, outputs: this.outputs };
  }
}

export const ELEM = { FLOAT, DOUBLE } as const;
