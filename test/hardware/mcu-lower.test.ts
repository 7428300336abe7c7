import { describe, expect, it } from 'vitest';
import { costs, GraphBuilder, type Graph } from '../../nn/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { lowerGraph, modelBuffers, scratchBytes, type McuOp } from '../../hardware/mcu/index.js';

const convBnAct = (fn: 'relu' | 'silu' | 'relu6' | 'leakyrelu'): Graph => {
  const b = new GraphBuilder('cba', [3, 16, 16]);
  const c = b.conv(b.input, { cout: 8, k: 3 }, 'conv');
  const n = b.batchNorm(c, 1e-3, 'bn');
  const a = b.act(n, fn, 'act');
  return b.finish([a]);
};

describe('lowerGraph', () => {
  it('folds BatchNorm into the conv and fuses ReLU: one CONV_2D with an int32 bias', () => {
    const model = lowerGraph(convBnAct('relu'));
    expect(model.ops.map((o) => o.kind)).toEqual(['CONV_2D']);
    const op = model.ops[0] as McuOp;
    expect(op.fused).toBe('relu');
    expect(op.nodes).toEqual(['conv', 'bn', 'act']);
    expect(op.conv?.bn?.node).toBe('bn');
    // 8 output channels -> 8 int32 biases although the conv itself has no bias parameter.
    expect(op.biases).toBe(8);
    expect(op.weights).toBe(8 * 3 * 3 * 3);
    expect(op.macs).toBe(8 * 16 * 16 * 3 * 9);
    // The op writes the activation's tensor, so later consumers still find it.
    expect(op.outputs.map((t) => t.name)).toEqual(['act']);
    expect(op.outputs[0]?.bytes).toBe(8 * 16 * 16);
    expect(lowerGraph(convBnAct('relu6')).ops[0]?.fused).toBe('relu6');
  });

  it('expands SiLU into LOGISTIC then MUL and keeps the conv output alive until the MUL', () => {
    const model = lowerGraph(convBnAct('silu'));
    expect(model.ops.map((o) => o.kind)).toEqual(['CONV_2D', 'LOGISTIC', 'MUL']);
    const [conv, logistic, mul] = model.ops as [McuOp, McuOp, McuOp];
    expect(conv.fused).toBe('none');
    const convOut = conv.outputs[0]?.name ?? '';
    expect(logistic.inputs.map((t) => t.name)).toEqual([convOut]);
    expect(mul.inputs.map((t) => t.name)).toEqual([convOut, logistic.outputs[0]?.name]);
    const { buffers } = modelBuffers(model);
    const life = buffers.find((b) => b.name === convOut);
    expect(life).toMatchObject({ firstOp: 0, lastOp: 2 });
    // Leaky ReLU is its own op (not fusable into an int8 conv).
    expect(lowerGraph(convBnAct('leakyrelu')).ops.map((o) => o.kind)).toEqual(['CONV_2D', 'LEAKY_RELU']);
  });

  it('does not fold a BatchNorm whose conv output is also read elsewhere; a lone BN becomes MUL + ADD', () => {
    const b = new GraphBuilder('shared', [4, 8, 8]);
    const c = b.conv(b.input, { cout: 4, k: 1 }, 'conv');
    const n = b.batchNorm(c, 1e-5, 'bn');
    const s = b.add(c, n, 'add');
    const model = lowerGraph(b.finish([s]));
    expect(model.ops.map((o) => o.kind)).toEqual(['CONV_2D', 'MUL', 'ADD', 'ADD']);
    expect(model.ops[0]?.conv?.bn).toBeUndefined();
    // The MUL / ADD carry 4 per-channel constants each.
    expect(model.ops[1]?.constantElements).toBe(4);
    expect(model.ops[2]?.constantElements).toBe(4);
  });

  it('recognises depthwise convs and gives CMSIS-NN scratch sizes', () => {
    const b = new GraphBuilder('dw', [8, 12, 12]);
    const dw3 = b.conv(b.input, { cout: 8, k: 3, groups: 8 }, 'dw3');
    const dw5 = b.conv(dw3, { cout: 8, k: 5, groups: 8 }, 'dw5');
    const pw = b.conv(dw5, { cout: 16, k: 1 }, 'pw');
    const full = b.conv(pw, { cout: 4, k: 3 }, 'full');
    const model = lowerGraph(b.finish([full]));
    expect(model.ops.map((o) => [o.kind, o.costClass])).toEqual([
      ['DEPTHWISE_CONV_2D', 'depthwise'],
      ['DEPTHWISE_CONV_2D', 'depthwise'],
      ['CONV_2D', 'conv1x1'],
      ['CONV_2D', 'convKxK'],
    ]);
    // 3x3 depthwise (pad 1): arm_depthwise_conv_3x3_s8, no buffer. 5x5: C_in * 25 int16 = 8 * 25 * 2.
    // 1x1: none. 3x3 over 16 channels: 2 columns * align4(16 * 9 = 144) * 2 bytes = 576.
    expect(model.ops.map(scratchBytes)).toEqual([0, 400, 0, 576]);
    // A 3x3 conv on 3 channels: 27 rounds up to 28 -> 2 * 28 * 2 = 112.
    expect(scratchBytes(lowerGraph(convBnAct('relu')).ops[0] as McuOp)).toBe(112);
  });

  it('lowers a real YOLOv8n: every BN folded, every SiLU expanded, MACs and weights preserved', () => {
    const graph = buildGraph(parseName('yolo8n_160'));
    const model = lowerGraph(graph);
    const count = (pred: (n: Graph['nodes'][number]) => boolean): number => graph.nodes.filter(pred).length;
    const convs = count((n) => n.op.kind === 'conv');
    const bns = count((n) => n.op.kind === 'batchNorm');
    const silus = count((n) => n.op.kind === 'act' && n.op.fn === 'silu');
    const sigmoids = count((n) => n.op.kind === 'act' && n.op.fn === 'sigmoid');
    const muls = count((n) => n.op.kind === 'mul');
    const kinds = (k: string): number => model.ops.filter((o) => o.kind === k).length;
    expect(kinds('CONV_2D')).toBe(convs);
    expect(model.ops.filter((o) => o.conv?.bn).length).toBe(bns);
    expect(kinds('LOGISTIC')).toBe(silus + sigmoids);
    expect(kinds('MUL')).toBe(silus + muls);
    // Each BN disappears, each SiLU becomes two ops, everything else stays one op.
    expect(model.ops.length).toBe(graph.nodes.length - bns + silus);
    const c = costs(graph);
    expect(model.ops.reduce((a, o) => a + o.macs, 0)).toBe(c.macs);
    const convWeights = graph.nodes.filter((n) => n.op.kind === 'conv').reduce((a, n) => a + (graph.params.get(n.params[0] ?? '')?.shape.reduce((x, y) => x * y, 1) ?? 0), 0);
    expect(model.ops.reduce((a, o) => a + o.weights, 0)).toBe(convWeights);
    // The layer scopes survive, so the report can group by layer.
    expect(new Set(model.ops.map((o) => o.layer))).toEqual(new Set(graph.nodes.map((n) => n.layer)));
  });

  it('lowers YOLOv6 (ConvTranspose, ReLU, RepVGG identity BN)', () => {
    const graph = buildGraph(parseName('yolo6s_160'));
    const model = lowerGraph(graph);
    expect(model.ops.some((o) => o.kind === 'TRANSPOSE_CONV')).toBe(true);
    expect(model.ops.some((o) => o.fused === 'relu')).toBe(true);
    expect(model.ops.reduce((a, o) => a + o.macs, 0)).toBe(costs(graph).macs);
  });
});
