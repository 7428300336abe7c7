// Figure: local latency repeatability, IQR/median of 30 timed batch-1 runs of yolo8n_320, with 1
// thread and with every core (the spread a user should expect from `--target local`).
import os from 'node:os';
import { localTarget } from '../hardware/index.js';
import { buildGraph, genomeId, parseName } from '../space/index.js';
import { writeResult } from './common.js';

export async function benchLocalLatency(repeats = 30): Promise<object> {
  const genome = parseName('yolo8n_320');
  const candidate = { id: genomeId(genome), genome, graph: buildGraph(genome, { classes: 80 }) };
  const rows = [];
  for (const threads of [...new Set([1, os.availableParallelism()])]) {
    const m = await localTarget({ repeats, warmup: 5, threads }).measure(candidate);
    const s = m.latencyMs;
    rows.push({ threads, repeats: s.repeats, medianMs: s.median, iqrMs: s.iqr, iqrOverMedian: s.iqr / s.median, minMs: s.min, maxMs: s.max });
    console.log(`local latency yolo8n_320, ${threads} thread(s): median ${s.median.toFixed(2)} ms, IQR ${s.iqr.toFixed(2)} ms, IQR/median ${(100 * s.iqr / s.median).toFixed(1)}% over ${s.repeats} runs`);
  }
  const result = { figure: 'local latency repeatability: IQR/median over 30 batch-1 runs of yolo8n_320', model: 'yolo8n_320', rows };
  writeResult('local-latency', result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLocalLatency();
