// Figure: local latency repeatability, IQR/median of 30 timed batch-1 runs of yolo8n_320, with 1
// thread and with every core (the spread a user should expect from `--target local`). This VM has
// bursts of slower runs (a few hundred ms at a time, whatever runs here), so the measurement of 30
// repeats is made in 5 rounds and every round is reported, with the median round.
import os from 'node:os';
import { localTarget } from '../hardware/index.js';
import { buildGraph, genomeId, parseName } from '../space/index.js';
import { median, writeResult } from './common.js';

export async function benchLocalLatency(repeats = 30, rounds = 5): Promise<object> {
  const genome = parseName('yolo8n_320');
  const candidate = { id: genomeId(genome), genome, graph: buildGraph(genome, { classes: 80 }) };
  const rows = [];
  for (const threads of [...new Set([1, os.availableParallelism()])]) {
    const perRound = [];
    for (let r = 0; r < rounds; r++) {
      const s = (await localTarget({ repeats, threads }).measure(candidate)).latencyMs;
      perRound.push({ medianMs: s.median, iqrMs: s.iqr, iqrOverMedian: s.iqr / s.median, minMs: s.min, maxMs: s.max });
    }
    const ratios = perRound.map((p) => p.iqrOverMedian);
    rows.push({ threads, repeats, rounds: perRound, medianIqrOverMedian: median(ratios), medianMs: median(perRound.map((p) => p.medianMs)) });
    console.log(
      `local latency yolo8n_320, ${threads} thread(s), ${repeats} runs x ${rounds} rounds: median ${median(perRound.map((p) => p.medianMs)).toFixed(2)} ms; IQR/median per round ${ratios.map((x) => `${(100 * x).toFixed(1)}%`).join(', ')} (median ${(100 * median(ratios)).toFixed(1)}%)`,
    );
  }
  const result = { figure: 'local latency repeatability: IQR/median over 30 batch-1 runs of yolo8n_320 (5 rounds)', model: 'yolo8n_320', warmup: 20, rows };
  writeResult('local-latency', result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLocalLatency();
