// Figure: a gradient session that runs once, created with and without onnxruntime's graph
// optimizations: creation, one run, and their sum (what a candidate's gradient proxy pays). The
// gradient proxies create theirs without (nn/session.ts, `optimize: false`); the forward+backward
// figure (backward-overhead) keeps them, since it times a session run many times. Both kinds of
// session are created and run in turn in one process, three rounds; medians per candidate.
import * as ort from 'onnxruntime-node';
import { createSession, gradientModel } from '../nn/index.js';
import { gaussianSource, makeBatch, surrogateLoss } from '../proxies/index.js';
import { buildGraph, parseName } from '../space/index.js';
import { median, progress, progressDone, writeResult } from './common.js';

const CANDIDATES = ['yolo8n_160', 'yolo5s_224', 'yolo8n_320', 'yolo7n_320'];
const BATCH = 8;
const ROUNDS = 3;

interface Timing {
  createMs: number;
  runMs: number;
  totalMs: number;
}

export async function benchSessionOptimizations(): Promise<object> {
  const perCandidate: Record<string, { optimized: Timing; unoptimized: Timing; ratio: number }> = {};
  for (const id of CANDIDATES) {
    const graph = buildGraph(parseName(id));
    const model = gradientModel(graph, { of: surrogateLoss(graph, BATCH), wrt: 'weights', batch: BATCH, seed: 0, batchNorm: 'batch' }).model;
    const feeds = { [graph.input.name]: new ort.Tensor('float32', makeBatch(gaussianSource(), BATCH, graph.input.shape[1] ?? 0, 0).data, [BATCH, ...graph.input.shape]) };
    const times: Record<'optimized' | 'unoptimized', [number, number][]> = { optimized: [], unoptimized: [] };
    for (let r = 0; r < ROUNDS; r++)
      for (const kind of ['optimized', 'unoptimized'] as const) {
        progress(`session optimizations: ${id}, round ${r + 1}/${ROUNDS}, ${kind}`);
        let t = performance.now();
        const session = await createSession(model, { optimize: kind === 'optimized' });
        const create = performance.now() - t;
        t = performance.now();
        await session.run(feeds);
        times[kind].push([create, performance.now() - t]);
        await session.release();
      }
    const summary = (xs: [number, number][]): Timing => ({ createMs: median(xs.map((x) => x[0])), runMs: median(xs.map((x) => x[1])), totalMs: median(xs.map((x) => x[0] + x[1])) });
    const optimized = summary(times.optimized);
    const unoptimized = summary(times.unoptimized);
    perCandidate[id] = { optimized, unoptimized, ratio: unoptimized.totalMs / optimized.totalMs };
  }
  progressDone();
  const result = { figure: `one gradient session (surrogate loss, all conv weights) created and run once, batch ${BATCH}: with and without graph optimizations`, rounds: ROUNDS, perCandidate };
  for (const [id, r] of Object.entries(perCandidate))
    console.log(
      `${id.padEnd(11)} optimized: create ${r.optimized.createMs.toFixed(0)} + run ${r.optimized.runMs.toFixed(0)} = ${r.optimized.totalMs.toFixed(0)} ms; ` +
        `unoptimized: ${r.unoptimized.createMs.toFixed(0)} + ${r.unoptimized.runMs.toFixed(0)} = ${r.unoptimized.totalMs.toFixed(0)} ms (${r.ratio.toFixed(2)}x)`,
    );
  console.log(`written to ${writeResult('session-optimizations', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSessionOptimizations();
