import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createSession, GraphBuilder, initWeights, toOnnx, type Graph } from '../../nn/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { flashOf, lowerGraph, RUNTIME_CODE_BYTES, toInt8Onnx } from '../../hardware/mcu/index.js';
import { randomWeights } from '../helpers/onnx.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

/** Bytes and elements of the exported model's initializers, classified by how DequantizeLinear reads them. */
function inventory(bytes: Uint8Array) {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new Error('no graph');
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const size = (t: onnxProto.onnx.ITensorProto): number => (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1);
  const out = { int8Data: 0, int32Data: 0, perChannelScales: 0, perChannelScaleBytes: 0, dequantizers: 0, otherInt8: 0 };
  const dataInputs = new Set<string>();
  for (const node of graph.node ?? []) {
    if (node.opType !== 'DequantizeLinear') continue;
    out.dequantizers += 1;
    const [data = '', scale = ''] = node.input ?? [];
    dataInputs.add(data);
    const d = inits.get(data);
    const s = inits.get(scale);
    if (!d || !s) throw new Error(`DequantizeLinear ${node.name} reads a non-initializer`);
    // int8 / int32 payloads: bytes as stored in raw_data.
    if (d.dataType === DT.INT8) out.int8Data += d.rawData?.length ?? 0;
    if (d.dataType === DT.INT32) out.int32Data += d.rawData?.length ?? 0;
    if ((s.dims ?? []).length === 1) {
      out.perChannelScales += size(s);
      out.perChannelScaleBytes += s.rawData?.length ?? 0;
    }
  }
  for (const t of graph.initializer ?? []) if (t.dataType === DT.INT8 && !dataInputs.has(t.name ?? '')) out.otherInt8 += size(t);
  return out;
}

async function run(bytes: Uint8Array, graph: Graph, input: Float32Array): Promise<Record<string, ort.Tensor>> {
  const session = await createSession(bytes, { threads: 1 });
  try {
    return await session.run({ [graph.input.name]: new ort.Tensor('float32', input, [1, ...graph.input.shape]) });
  } finally {
    await session.release();
  }
}

describe('flash against the exported int8 model', () => {
  it('weights, biases and per-channel scales of yolo8n_160 match the int8 QDQ ONNX exactly, and it runs', async () => {
    const graph = buildGraph(parseName('yolo8n_160'));
    const model = lowerGraph(graph);
    const flash = flashOf(graph, model);
    const bytes = toInt8Onnx(graph, { seed: 3 }, model);
    const inv = inventory(bytes);
    // int8 payloads = conv weights + constant operands (anchor grid, strides, 0.5).
    expect(inv.int8Data).toBe(flash.weightBytes + flash.constantBytes);
    expect(inv.int32Data).toBe(flash.biasBytes);
    // Each conv has a weight scale and a bias scale per output channel (float32).
    expect(inv.perChannelScales).toBe(2 * flash.channels);
    expect(inv.perChannelScaleBytes).toBe(2 * 4 * flash.channels);
    // The conv weights are exactly the graph's conv kernels (BN folded, so BN adds none).
    const convParams = [...graph.nodes].filter((n) => n.op.kind === 'conv').map((n) => graph.params.get(n.params[0] ?? ''));
    expect(flash.weightBytes).toBe(convParams.reduce((a, p) => a + (p?.shape.reduce((x, y) => x * y, 1) ?? 0), 0));
    expect(flash.totalBytes).toBe(flash.modelBytes + RUNTIME_CODE_BYTES);

    const input = new Float32Array(3 * 160 * 160).map((_, i) => ((i * 7919) % 255) / 255);
    const out = await run(bytes, graph, input);
    const det = out['detections'];
    expect(det?.dims).toEqual([1, 84, 525]);
    expect((det?.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('the int8 model computes what the float model does (BN folded, weights quantised per channel)', async () => {
    // Random BN statistics so the fold is not an identity; relu fused, silu expanded, a lone BN.
    const b = new GraphBuilder('tiny', [3, 16, 16]);
    let x = b.module('m', 'Block', () => b.module(0, 'Conv', () => b.act(b.batchNorm(b.conv(b.input, { cout: 8, k: 3, stride: 2 }), 1e-3), 'relu')));
    x = b.module('m', 'Block', () => b.module(1, 'Conv', () => b.act(b.batchNorm(b.conv(x, { cout: 8, k: 3, groups: 8 }), 1e-3), 'silu')));
    const skip = b.batchNorm(x, 1e-3, 'lonebn');
    const y = b.add(b.conv(x, { cout: 8, k: 1, bias: true }, 'pw'), skip, 'sum');
    const graph = b.finish([y]);
    const weights = randomWeights(graph, 11);
    const input = new Float32Array(3 * 16 * 16).map((_, i) => Math.sin(i * 0.37));
    const ref = (await run(toOnnx(graph, { weights }), graph, input))['sum']?.data as Float32Array;
    const q = (await run(toInt8Onnx(graph, { weights }), graph, input))['sum']?.data as Float32Array;
    let err = 0;
    let norm = 0;
    for (let i = 0; i < ref.length; i++) {
      err += ((q[i] ?? 0) - (ref[i] ?? 0)) ** 2;
      norm += (ref[i] ?? 0) ** 2;
    }
    // int8 weights (7 bits of magnitude) on three layers: a few per cent of error at most.
    expect(Math.sqrt(err / norm)).toBeLessThan(0.05);
    expect(Math.sqrt(err / norm)).toBeGreaterThan(0); // it really was quantised
  });

  it('weights do not depend on the input resolution; the arena does', () => {
    const small = buildGraph(parseName('yolo8n_160'));
    const large = buildGraph(parseName('yolo8n_320'));
    const fs = flashOf(small, lowerGraph(small));
    const fl = flashOf(large, lowerGraph(large));
    expect(fl.weightBytes).toBe(fs.weightBytes);
    expect(fl.biasBytes).toBe(fs.biasBytes);
    expect(fl.channels).toBe(fs.channels);
    // Only the decode constants (one anchor per grid cell: 2 + 1 bytes each) grow, 4x the cells.
    expect(fl.constantBytes - 1).toBe(4 * (fs.constantBytes - 1));
  });

  it('is deterministic: same seed, same LZ4 flash', () => {
    const graph = buildGraph(parseName('yolo8n_160'));
    const model = lowerGraph(graph);
    const a = flashOf(graph, model, { compress: 'lz4', seed: 5 });
    const b = flashOf(graph, model, { compress: 'lz4', seed: 5 });
    expect(b).toEqual(a);
    // The same seed passed as explicit weights gives the same flash: the seed is the whole input.
    expect(flashOf(graph, model, { compress: 'lz4', weights: initWeights(graph, 5) })).toEqual(a);
  });
});
