// Figure: NASWOT on yolo8n_320 at batch 16 costs at most 1.5x a plain forward pass of the same
// batch. Both sessions are created once; the figure is the ratio of median run times, measured
// interleaved in one process.
import * as ort from 'onnxruntime-node';
import { costs, createSession, toOnnx } from '../nn/index.js';
import { gaussianSource, makeBatch, PROXIES, ProbeBuilder } from '../proxies/index.js';
import { buildGraph, parseName } from '../space/index.js';
import { median, progress, progressDone, writeResult } from './common.js';

const B = 16;

export async function benchNaswotOverhead(repeats = 15): Promise<object> {
  const genome = parseName('yolo8n_320');
  const graph = buildGraph(genome);
  const nwot = PROXIES.find((p) => p.name === 'nwot');
  if (!nwot || nwot.kind !== 'forward') throw new Error('nwot proxy missing');
  const pb = new ProbeBuilder('probe');
  nwot.probe({ genome, graph, costs: costs(graph), seed: 0, batchSize: B }, pb);
  const plain = await createSession(toOnnx(graph, { batch: B, seed: 0 }));
  const probed = await createSession(toOnnx(graph, { batch: B, seed: 0, outputs: [], extension: pb.extension() }));
  const x = new ort.Tensor('float32', makeBatch(gaussianSource(), B, 320, 0).data, [B, 3, 320, 320]);
  const plainMs: number[] = [];
  const nwotMs: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    progress(`naswot-overhead ${i + 1}/${repeats + 2}`);
    let t = performance.now();
    await plain.run({ images: x });
    const p = performance.now() - t;
    t = performance.now();
    await probed.run({ images: x });
    const n = performance.now() - t;
    if (i >= 2) {
      plainMs.push(p);
      nwotMs.push(n);
    }
  }
  progressDone();
  await plain.release();
  await probed.release();
  const result = {
    figure: 'NASWOT (in-graph B x B kernel) vs plain forward pass, yolo8n_320, batch 16',
    repeats,
    plainForwardMs: median(plainMs),
    naswotForwardMs: median(nwotMs),
    ratio: median(nwotMs) / median(plainMs),
    target: 1.5,
    note: 'The plain pass runs the whole network with the detect head; the NASWOT pass runs what the kernels need (every activation, the head convs included) and the MatMul reductions.',
  };
  console.log(`NASWOT ${result.naswotForwardMs.toFixed(0)} ms vs plain forward ${result.plainForwardMs.toFixed(0)} ms at batch ${B}: ratio ${result.ratio.toFixed(2)} (target <= 1.5)`);
  console.log(`written to ${writeResult('naswot-overhead', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchNaswotOverhead();
