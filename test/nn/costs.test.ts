import { describe, expect, it } from 'vitest';
import { checkShapes, costs, GraphBuilder, initWeights } from '../../nn/index.js';
import { buildGraph, parseName } from '../../space/index.js';

describe('costs(graph)', () => {
  it('peak live activation memory follows the execution order (residual add and concat keep inputs alive)', () => {
    const b = new GraphBuilder('toy', [1, 4, 4]); // x: 16 elements
    const a = b.conv(b.input, { cout: 2 }, 'a'); // 32
    const c1 = b.conv(a, { cout: 2 }, 'b'); // 32; a stays alive for the add
    const s = b.add(a, c1, 'add'); // 32; live: x + a + b + add = 112 (x waits for the concat)
    const d = b.concat([s, b.input], 0, 'cat'); // 48; live: x + add + cat = 96
    const c = costs(b.finish([d]));
    expect(c.peak.elements).toBe(112);
    expect(c.peak.atNode).toBe('add');
    expect(c.peak.bytesFp32).toBe(448);
    expect(c.peak.bytesInt8).toBe(112);
    // MACs: 1x1 convs 1->2 and 2->2 over 16 pixels.
    expect(c.macs).toBe(2 * 16 * 1 + 2 * 16 * 2);
    expect(c.params).toBe(2 + 4);
  });

  it('conv MACs follow C_out x H_out x W_out x C_in / groups x k x k, transposed convs the input side', () => {
    const b = new GraphBuilder('convs', [8, 10, 10]);
    const y = b.conv(b.input, { cout: 16, k: 3, stride: 2, groups: 2, bias: true });
    const z = b.convTranspose(y, { cout: 4, k: 2, stride: 2 });
    const c = costs(b.finish([z]));
    expect(c.nodes[0]?.macs).toBe(16 * 5 * 5 * 4 * 9);
    expect(c.nodes[1]?.macs).toBe(16 * 5 * 5 * 4 * 4);
    expect(c.params).toBe(16 * 4 * 9 + 16 + (16 * 4 * 4 + 4));
  });

  it('shape inference re-derives every stored shape of every family', () => {
    for (const name of ['yolo3n_160', 'yolo4s_224', 'yolo5n_320', 'yolo6s-d33w25_320', 'yolo6m-d6w5_256', 'yolo6l-d1w25_160', 'yolo7n_320', 'yolo8n+n3+sd0.5x1x1.5x1_288', 'yolo7s+n5+hv8lite_96']) {
      expect(() => checkShapes(buildGraph(parseName(name)))).not.toThrow();
    }
  });

  it('per-layer totals add up to the graph totals', () => {
    const c = costs(buildGraph(parseName('yolo8s_320')));
    const layerParams = c.layers.reduce((a, l) => a + l.params, 0);
    expect(layerParams).toBe(c.params);
    expect(c.layers.reduce((a, l) => a + l.macs, 0)).toBe(c.macs);
  });
});

describe('seeded initialisation with PyTorch defaults', () => {
  const graph = buildGraph(parseName('yolo8n_160'));

  it('is the same for the same seed and differs for another', () => {
    const a = initWeights(graph, 1);
    const b = initWeights(graph, 1);
    const c = initWeights(graph, 2);
    const w = 'backbone.1.conv.weight';
    expect(a.get(w)).toEqual(b.get(w));
    expect(a.get(w)).not.toEqual(c.get(w));
  });

  it('conv weights are uniform within 1/sqrt(fan_in); BN starts at 1, 0, 0, 1; DFL is arange(16)', () => {
    const w = initWeights(graph, 0);
    const conv = w.get('backbone.1.conv.weight') as Float32Array; // 16 -> 32, 3x3: fan_in 144
    const bound = 1 / Math.sqrt(144);
    expect(Math.max(...conv)).toBeLessThanOrEqual(bound);
    expect(Math.min(...conv)).toBeGreaterThanOrEqual(-bound);
    // A uniform on [-b, b] has variance b^2 / 3.
    const variance = conv.reduce((s, v) => s + v * v, 0) / conv.length;
    expect(variance).toBeGreaterThan((bound * bound) / 3 * 0.85);
    expect(variance).toBeLessThan((bound * bound) / 3 * 1.15);
    expect([...(w.get('backbone.1.bn.weight') as Float32Array)].every((v) => v === 1)).toBe(true);
    expect([...(w.get('backbone.1.bn.running_var') as Float32Array)].every((v) => v === 1)).toBe(true);
    expect([...(w.get('head.decode.dfl.conv.weight') as Float32Array)]).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('detect head biases carry the Ultralytics priors', () => {
    const w = initWeights(graph, 0);
    expect([...(w.get('head.cv2.0.2.bias') as Float32Array)].every((v) => v === 1)).toBe(true);
    const cls = w.get('head.cv3.0.2.bias') as Float32Array;
    expect(cls[0]).toBeCloseTo(Math.log(5 / 80 / (640 / 8) ** 2), 5);
  });
});

describe('ONNX writer', () => {
  it('seeded weights generated in place equal the same weights passed explicitly, byte for byte', async () => {
    const { toOnnx } = await import('../../nn/index.js');
    const g = buildGraph(parseName('yolo6s-d33w25_160'));
    const a = toOnnx(g, { seed: 5 });
    const b = toOnnx(g, { weights: initWeights(g, 5) });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(toOnnx(g, { seed: 6 })).equals(Buffer.from(a))).toBe(false);
  });

  it('writes only the nodes its outputs depend on, and they compute the same values', async () => {
    const { toOnnx } = await import('../../nn/index.js');
    const ort = await import('onnxruntime-node');
    const { default: onnxProto } = await import('onnx-proto');
    const g = buildGraph(parseName('yolo8n_96'));
    const nodeNames = (bytes: Uint8Array): string[] => (onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? []).map((n) => n.name ?? '');
    const full = toOnnx(g, { seed: 1, batch: 2 });
    const levels = toOnnx(g, { seed: 1, batch: 2, outputs: ['p3'] });
    // The detections are decoded from every level; p3 needs neither the decoding nor the p4/p5 branches.
    expect(nodeNames(full).some((n) => n.startsWith('head.decode'))).toBe(true);
    expect(nodeNames(levels).some((n) => n.startsWith('head.decode') || n.startsWith('head.cv2.2'))).toBe(false);
    expect(nodeNames(levels).length).toBeLessThan(nodeNames(full).length);
    const x = new ort.Tensor('float32', Float32Array.from({ length: 2 * 3 * 96 * 96 }, (_, i) => Math.sin(i)), [2, 3, 96, 96]);
    const run = async (bytes: Uint8Array): Promise<Float32Array> => {
      const s = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
      const out = (await s.run({ [g.input.name]: x })).p3?.data as Float32Array;
      await s.release();
      return out;
    };
    const fullModel = toOnnx(g, { seed: 1, batch: 2, extraOutputs: ['p3'] });
    expect(Buffer.from((await run(levels)).buffer).equals(Buffer.from((await run(fullModel)).buffer))).toBe(true);
  });

  it('bulk uniform generation draws the same stream as the generator', async () => {
    const { createRng, fillUniform } = await import('../../nn/index.js');
    const rng = createRng(9, 'w');
    const bulk = fillUniform(new Float32Array(100), 9, 'w', -2, 2);
    for (let i = 0; i < 100; i++) expect(bulk[i]).toBeCloseTo(-2 + rng.next() * 4, 5);
  });
});

describe('ONNX writer layout at varint boundaries', () => {
  it('tensors whose sizes straddle 128^2 bytes encode, align and load (the prefix and padding settle)', async () => {
    const { GraphBuilder: B, toOnnx } = await import('../../nn/index.js');
    const ort = await import('onnxruntime-node');
    // A 1x1 conv from 1 channel: 4 * cout weight bytes, swept across 16384.
    for (let cout = 4080; cout <= 4100; cout++) {
      for (const name of ['c', 'conv_with_a_longer_name']) {
        const b = new B(name, [1, 1, 1]);
        const g = b.finish([b.conv(b.input, { cout }, name)]);
        const bytes = toOnnx(g);
        const s = await ort.InferenceSession.create(bytes);
        const out = await s.run({ images: new ort.Tensor('float32', Float32Array.of(1), [1, 1, 1, 1]) });
        expect(out[g.outputs[0] as string]?.dims).toEqual([1, cout, 1, 1]);
        await s.release();
      }
    }
  });
});
