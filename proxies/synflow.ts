// SynFlow: BatchNorm off (identity), every parameter replaced by its absolute value, an all-ones
// input [1, C, H, W]; R = the sum of the head's raw level maps; score = sum over conv weights of
// |W * dR/dW|. Activations grow geometrically with depth here, past float32's range on the deep
// models of the space, so the model runs in float64 (nn/autodiff float64GradientModel: float64
// everywhere, each conv a float32 island scaled by its operands' largest magnitudes). A score past
// float64's range is reported as a 'too-large' failure, never as Infinity.
import * as ort from 'onnxruntime-node';
import { autodiff, createSession, initWeights } from '../nn/index.js';
import { convWeightParams, levelMaps } from './gradient.js';
import { float64GradientNeedOneSample } from './memory.js';
import { ProxyFailure, type CustomProxy } from './types.js';

export const synflow: CustomProxy = {
  kind: 'custom',
  name: 'synflow',
  version: 1,
  description: 'SynFlow: sum |W * dR/dW| over conv weights, abs weights, no BatchNorm, all-ones input, float64 (R: sum of head level maps)',
  loss: 'R = sum(head level maps), abs weights, ones input',
  needs: 'weights',
  higherIsBetter: true,
  memory: float64GradientNeedOneSample,
  async run(ctx, _batch, threads) {
    const { graph, seed } = ctx;
    const weights = new Map([...initWeights(graph, seed)].map(([k, v]) => [k, v.map(Math.abs)]));
    const params = convWeightParams(graph);
    if (params.length === 0) throw new ProxyFailure('error', 'the graph has no trainable convolutions');
    const { model } = autodiff.float64GradientModel(graph, {
      sumOf: levelMaps(graph),
      params,
      batch: 1,
      weights,
      dropBatchNorm: true,
      finish: (em, grads, value) => {
        const terms = params.map((p) => em.total(em.node('Abs', [em.node('Mul', [value(p), grads.get(p) as string])])));
        em.nodes.push({ name: 'synflow/identity', opType: 'Identity', input: [em.sum(terms)], output: ['synflow'] });
        em.output('synflow', []);
      },
    });
    const session = await createSession(model, { threads });
    try {
      const ones = new Float32Array(graph.input.shape.reduce((a, b) => a * b, 1)).fill(1);
      const outs = await session.run({ [graph.input.name]: new ort.Tensor('float32', ones, [1, ...graph.input.shape]) });
      const value = Number((outs['synflow']?.data as Float64Array)[0]);
      const R = Number((outs['loss']?.data as Float64Array)[0]);
      if (!Number.isFinite(R) || value === Infinity) throw new ProxyFailure('too-large', `synflow overflows float64 (R = ${R}, score = ${value})`);
      if (!Number.isFinite(value)) throw new ProxyFailure('not-finite', `synflow came out as ${value}`);
      return value;
    } finally {
      await session.release();
    }
  },
};
