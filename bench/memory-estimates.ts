// Figure: how the memory guard's estimates (proxies/memory.ts) compare with what passes really
// take. For each candidate and proxy, a fresh process scores it at batch 4 and at batch 12 and
// reports how much its peak resident memory grew; the growth per sample (the slope, which cancels
// onnxruntime and the model) is divided by the estimate per sample. Below 1 the guard is
// conservative; the test (test/proxies/memory.test.ts) holds two of them to it.
import { costs } from '../nn/index.js';
import { forwardNeed, gradientNeed, needBytes, type CandidateContext, type MemoryNeed } from '../proxies/index.js';
import { buildGraph, parseName } from '../space/index.js';
import { progress, progressDone, writeResult } from './common.js';
import { residentGrowth } from './resident.js';

const CANDIDATES = ['yolo3n_224', 'yolo4n_224', 'yolo5s_224', 'yolo6s-d33w25_224', 'yolo7n_224', 'yolo8n_256'];
const PROXIES: Record<string, (ctx: CandidateContext) => MemoryNeed> = { nwot: forwardNeed, grad_norm: gradientNeed, grasp: gradientNeed, az_nas: gradientNeed };
const [SMALL, LARGE] = [4, 12];

export async function benchMemoryEstimates(): Promise<object> {
  const rows: { candidate: string; proxy: string; slopeMiB: number; estimateMiB: number; ratio: number; grownAtLargeMiB: number; estimateAtLargeMiB: number }[] = [];
  const MiB = 2 ** 20;
  for (const candidate of CANDIDATES) {
    const graph = buildGraph(parseName(candidate));
    const ctx: CandidateContext = { genome: parseName(candidate), graph, costs: costs(graph), seed: 0, batchSize: LARGE };
    for (const [proxy, need] of Object.entries(PROXIES)) {
      progress(`memory estimates: ${proxy} on ${candidate}`);
      const small = residentGrowth(candidate, SMALL, proxy);
      const large = residentGrowth(candidate, LARGE, proxy);
      const est = need(ctx);
      const slope = (large - small) / (LARGE - SMALL);
      rows.push({ candidate, proxy, slopeMiB: slope / MiB, estimateMiB: est.perSample / MiB, ratio: slope / est.perSample, grownAtLargeMiB: large / MiB, estimateAtLargeMiB: needBytes(est) / MiB });
    }
  }
  progressDone();
  const ratios = rows.map((r) => r.ratio);
  const result = { figure: `peak resident growth per sample (batch ${SMALL} to ${LARGE}) over the estimate per sample`, rows, minRatio: Math.min(...ratios), maxRatio: Math.max(...ratios) };
  for (const r of rows) console.log(`${r.candidate.padEnd(18)} ${r.proxy.padEnd(10)} ${r.slopeMiB.toFixed(1).padStart(6)} MiB/sample measured, ${r.estimateMiB.toFixed(1).padStart(6)} estimated: ${r.ratio.toFixed(2)}`);
  console.log(`measured / estimated per sample: ${result.minRatio.toFixed(2)}-${result.maxRatio.toFixed(2)}`);
  console.log(`written to ${writeResult('memory-estimates', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMemoryEstimates();
