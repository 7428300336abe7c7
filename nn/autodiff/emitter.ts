// A small builder of ONNX nodes for the backward pass: fresh names under one prefix, typed
// constants (float32 or float64, matching the computation) and model outputs.
import onnxProto from 'onnx-proto';
import type { IAttr, INode, ITensor, IValueInfo, OnnxExtension } from '../onnx.js';

const { onnx } = onnxProto;
const A = onnx.AttributeProto.AttributeType;

/** Element type of the values a gradient model computes in. */
export type Elem = 'float' | 'double';

export const DTYPE = {
  float: onnx.TensorProto.DataType.FLOAT,
  double: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
} as const;

/** onnxruntime's own operators (FusedMatMul); nn/onnx.ts imports the domain into every model. */
export const MS_DOMAIN = 'com.microsoft';

export const attr = {
  ints: (name: string, values: readonly number[]): IAttr => ({ name, type: A.INTS, ints: [...values] }),
  int: (name: string, value: number): IAttr => ({ name, type: A.INT, i: value }),
  float: (name: string, value: number): IAttr => ({ name, type: A.FLOAT, f: value }),
  str: (name: string, value: string): IAttr => ({ name, type: A.STRING, s: new TextEncoder().encode(value) }),
};

export class Emitter {
  readonly nodes: INode[] = [];
  readonly initializers: ITensor[] = [];
  readonly outputs: IValueInfo[] = [];
  private count = 0;
  private readonly scalars = new Map<string, string>();
  private readonly int64Consts = new Map<string, string>();
  private readonly int32Consts = new Map<string, string>();

  constructor(
    readonly prefix: string,
    readonly elem: Elem = 'float',
  ) {}

  fresh(what: string): string {
    return `${this.prefix}/${what}_${this.count++}`;
  }

  /** Appends one node with a single fresh output; returns the output's name. */
  node(opType: string, input: readonly string[], attrs: readonly IAttr[] = [], what = opType.toLowerCase()): string {
    const out = this.fresh(what);
    this.nodes.push({ name: out, opType, input: [...input], output: [out], attribute: [...attrs] });
    return out;
  }

  /** Appends one node with `n` fresh outputs. */
  nodeN(opType: string, input: readonly string[], n: number, attrs: readonly IAttr[] = [], what = opType.toLowerCase()): string[] {
    const base = this.fresh(what);
    const outs = Array.from({ length: n }, (_, i) => `${base}:${i}`);
    this.nodes.push({ name: base, opType, input: [...input], output: outs, attribute: [...attrs] });
    return outs;
  }

  /** A 1-D int64 constant (shared between equal uses). */
  i64(values: readonly number[]): string {
    const key = values.join(',');
    const known = this.int64Consts.get(key);
    if (known) return known;
    const name = this.fresh('i64');
    this.initializers.push({ name, dims: [values.length], dataType: DTYPE.int64, rawData: new Uint8Array(new BigInt64Array(values.map((v) => BigInt(v))).buffer) });
    this.int64Consts.set(key, name);
    return name;
  }

  /** A scalar constant of the computation's element type (or `elem`). */
  scalar(value: number, elem: Elem = this.elem): string {
    const key = `${elem}:${value}`;
    const known = this.scalars.get(key);
    if (known) return known;
    const name = this.constant([value], [], elem);
    this.scalars.set(key, name);
    return name;
  }

  /** A constant tensor of the computation's element type (or `elem`). */
  constant(values: ArrayLike<number>, dims: readonly number[], elem: Elem = this.elem): string {
    const name = this.fresh('const');
    const data = elem === 'double' ? Float64Array.from(values) : Float32Array.from(values);
    this.initializers.push({ name, dims: [...dims], dataType: DTYPE[elem], rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** Zeros of a static ONNX shape. */
  zeros(dims: readonly number[]): string {
    return this.node('Expand', [this.scalar(0), this.i64(dims)], [], 'zeros');
  }

  /** `x` broadcast to a static shape. */
  expand(x: string, dims: readonly number[]): string {
    return this.node('Expand', [x, this.i64(dims)]);
  }

  reshape(x: string, dims: readonly number[]): string {
    return this.node('Reshape', [x, this.i64(dims)]);
  }

  transpose(x: string, perm: readonly number[]): string {
    return this.node('Transpose', [x], [attr.ints('perm', perm)]);
  }

  /**
   * a times b, batched, either transposed in its last two axes: onnxruntime's FusedMatMul, which its
   * graph optimizer also makes of a MatMul reading a Transpose. Emitted directly, sessions created
   * without graph optimizations (nn/session.ts) do not copy an operand into its transpose first.
   * float32 only.
   */
  matMul(a: string, b: string, t: { readonly transA: boolean; readonly transB: boolean }): string {
    const out = this.fresh('matmul');
    const attrs = [...(t.transA ? [attr.int('transA', 1)] : []), ...(t.transB ? [attr.int('transB', 1)] : [])];
    this.nodes.push({ name: out, opType: 'FusedMatMul', domain: MS_DOMAIN, input: [a, b], output: [out], attribute: attrs });
    return out;
  }

  /**
   * An int32 constant of the given shape (Gather indices: half the bytes of int64), computed once
   * per `key`: equal keys must mean equal values.
   */
  i32(key: string, dims: readonly number[], values: () => Int32Array): string {
    const known = this.int32Consts.get(key);
    if (known) return known;
    const name = this.fresh('i32');
    const data = values();
    this.initializers.push({ name, dims: [...dims], dataType: DTYPE.int32, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    this.int32Consts.set(key, name);
    return name;
  }

  /** Sum over `axes` (opset 13+: axes as an input). */
  reduceSum(x: string, axes: readonly number[], keepdims: boolean): string {
    return this.node('ReduceSum', [x, this.i64(axes)], [attr.int('keepdims', keepdims ? 1 : 0)]);
  }

  /** Sum of all elements, as a scalar. */
  total(x: string): string {
    return this.node('ReduceSum', [x], [attr.int('keepdims', 0)]);
  }

  sum(xs: readonly string[]): string {
    if (xs.length === 1 && xs[0] !== undefined) return xs[0];
    return this.node('Sum', xs);
  }

  /** Exposes `tensor` as a model output. */
  output(tensor: string, dims: readonly number[], elem: Elem = this.elem): string {
    this.outputs.push({ name: tensor, type: { tensorType: { elemType: DTYPE[elem], shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    return tensor;
  }

  extension(): OnnxExtension {
    return { nodes: this.nodes, initializers: this.initializers, outputs: this.outputs };
  }
}
