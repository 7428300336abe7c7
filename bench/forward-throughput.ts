// Figure: forward throughput of yolo8n_320 at batch 8 in MACs per second, next to this machine's
// peak measured in the same run by one large convolution (target: at least 50% of that peak).
import * as ort from 'onnxruntime-node';
import { costs, GraphBuilder, toOnnx, type Graph } from '../nn/index.js';
import { buildGraph, parseName } from '../space/index.js';
import { median, progress, progressDone, writeResult } from './common.js';

const BATCH = 8;

/** Median seconds per run of `graph` at BATCH, after warm-up. */
async function secondsPerRun(graph: Graph, repeats: number): Promise<number> {
  const session = await ort.InferenceSession.create(toOnnx(graph, { batch: BATCH, seed: 0 }));
  const [c, h, w] = graph.input.shape as [number, number, number];
  const x = new ort.Tensor('float32', new Float32Array(BATCH * c * h * w).map((_, i) => (i % 97) / 97), [BATCH, c, h, w]);
  for (let i = 0; i < 3; i++) await session.run({ [graph.input.name]: x });
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    progress(`forward ${graph.name} ${i + 1}/${repeats}`);
    const t = performance.now();
    await session.run({ [graph.input.name]: x });
    times.push((performance.now() - t) / 1000);
  }
  await session.release();
  return median(times);
}

/** One 3x3 conv, 128 -> 128 channels at 80x80: a dense GEMM-shaped workload near the CPU's peak. */
function peakConv(): Graph {
  const b = new GraphBuilder('peak-conv', [128, 80, 80]);
  return b.finish([b.conv(b.input, { cout: 128, k: 3 })]);
}

export async function benchForwardThroughput(repeats = 20): Promise<object> {
  const model = buildGraph(parseName('yolo8n_320'));
  const peak = peakConv();
  // Interleave the two measurements so machine noise hits both alike.
  const modelRates: number[] = [];
  const peakRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    peakRates.push((costs(peak).macs * BATCH) / (await secondsPerRun(peak, repeats)));
    modelRates.push((costs(model).macs * BATCH) / (await secondsPerRun(model, repeats)));
  }
  progressDone();
  const modelRate = median(modelRates);
  const peakRate = median(peakRates);
  const result = {
    figure: 'forward throughput of yolo8n_320 at batch 8 against one large convolution (MACs/s)',
    batch: BATCH,
    threads: 'onnxruntime default (all cores)',
    model: { name: 'yolo8n_320', macsPerSample: costs(model).macs, macsPerSecond: modelRate },
    peak: { what: 'Conv 3x3 128->128 at 80x80', macsPerSample: costs(peak).macs, macsPerSecond: peakRate },
    ratio: modelRate / peakRate,
    target: 0.5,
  };
  console.log(`yolo8n_320 batch ${BATCH}: ${(modelRate / 1e9).toFixed(1)} GMAC/s; peak conv ${(peakRate / 1e9).toFixed(1)} GMAC/s; ratio ${(result.ratio * 100).toFixed(0)}% (target >= 50%)`);
  console.log(`written to ${writeResult('forward-throughput', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchForwardThroughput();
