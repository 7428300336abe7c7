// Figure: one forward + backward pass on yolo8n_320 at batch 16 costs at most 3x a forward pass
// alone. The backward pass is ours (nn/autodiff, emitted as ONNX); the loss is the gradient
// proxies' label-free surrogate and the gradients are those of every conv weight, as grad_norm,
// snip and the others ask for. The forward pass it is compared with computes BatchNorm from batch
// statistics as the differentiated model does; a forward pass with fixed statistics (BatchNorm
// folded into the convs by onnxruntime) is reported beside it. Sessions are created once and run
// interleaved in one process; the figure is the ratio of medians.
import * as ort from 'onnxruntime-node';
import { createSession, gradientModel, toOnnx } from '../nn/index.js';
import { gaussianSource, makeBatch, surrogateLoss } from '../proxies/index.js';
import { buildGraph, parseName } from '../space/index.js';
import { median, progress, progressDone, writeResult } from './common.js';

const B = 16;
const NAME = 'yolo8n_320';

export async function benchBackwardOverhead(repeats = 15): Promise<object> {
  const graph = buildGraph(parseName(NAME));
  const sessions = {
    forwardBatchStats: await createSession(toOnnx(graph, { batch: B, seed: 0, batchNorm: 'batch' })),
    forwardFixedStats: await createSession(toOnnx(graph, { batch: B, seed: 0 })),
    forwardBackward: await createSession(gradientModel(graph, { of: surrogateLoss(graph, B), wrt: 'weights', batch: B, seed: 0, batchNorm: 'batch' }).model),
  };
  const feeds = { [graph.input.name]: new ort.Tensor('float32', makeBatch(gaussianSource(), B, 320, 0).data, [B, ...graph.input.shape]) };
  const ms: Record<keyof typeof sessions, number[]> = { forwardBatchStats: [], forwardFixedStats: [], forwardBackward: [] };
  for (let i = 0; i < repeats + 2; i++) {
    progress(`backward-overhead ${i + 1}/${repeats + 2}`);
    for (const [k, s] of Object.entries(sessions) as [keyof typeof sessions, ort.InferenceSession][]) {
      const t = performance.now();
      await s.run(feeds);
      if (i >= 2) ms[k].push(performance.now() - t);
    }
  }
  progressDone();
  for (const s of Object.values(sessions)) await s.release();
  const med = { forwardBatchStats: median(ms.forwardBatchStats), forwardFixedStats: median(ms.forwardFixedStats), forwardBackward: median(ms.forwardBackward) };
  const result = {
    figure: `forward + backward (all conv weight gradients, surrogate loss) vs forward alone, ${NAME}, batch ${B}`,
    repeats,
    medianMs: med,
    ratio: med.forwardBackward / med.forwardBatchStats,
    ratioToFixedStatsForward: med.forwardBackward / med.forwardFixedStats,
    target: 3,
  };
  console.log(
    `forward+backward ${med.forwardBackward.toFixed(0)} ms vs forward ${med.forwardBatchStats.toFixed(0)} ms (batch statistics) at batch ${B}: ratio ${result.ratio.toFixed(2)} (target <= 3); ` +
      `against the fixed-statistics forward (${med.forwardFixedStats.toFixed(0)} ms): ${result.ratioToFixedStatsForward.toFixed(2)}`,
  );
  console.log(`written to ${writeResult('backward-overhead', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchBackwardOverhead();
