// Figure: scoring throughput (candidates per minute) of each proxy with 1 and 2 workers, on a
// fixed spread of YOLOBench candidates. Each worker's onnxruntime uses cores / workers threads.
import { availableParallelism } from 'node:os';
import { PROXY_NAMES } from '../proxies/index.js';
import { createScorePool } from '../search/index.js';
import { progress, progressDone, writeResult } from './common.js';

const CANDIDATES = ['yolo8n_160', 'yolo5s_224', 'yolo6s-d33w25_256', 'yolo7n_320', 'yolo3d33w75_192', 'yolo4n_288', 'yolo6l-d6w5_160', 'yolo8d67w25_352'];
const BATCH = 16;

export async function benchProxyThroughput(): Promise<object> {
  const perProxy: Record<string, Record<string, number>> = {};
  for (const workers of [1, 2]) {
    const pool = createScorePool(workers);
    try {
      // Warm the worker threads up (module loading, onnxruntime initialisation).
      await Promise.all(Array.from({ length: workers }, () => pool.score({ id: 'yolo8n_96', proxies: ['nwot'], batchSize: 4, seed: 0, input: {}, classes: 80 })));
      for (const proxy of PROXY_NAMES) {
        progress(`throughput ${proxy} with ${workers} worker(s)`);
        const t = performance.now();
        await Promise.all(CANDIDATES.map((id) => pool.score({ id, proxies: [proxy], batchSize: BATCH, seed: 0, input: {}, classes: 80 })));
        const minutes = (performance.now() - t) / 60_000;
        (perProxy[proxy] ??= {})[`${workers}w`] = CANDIDATES.length / minutes;
      }
      progress('throughput all proxies together');
      const t = performance.now();
      await Promise.all(CANDIDATES.map((id) => pool.score({ id, proxies: PROXY_NAMES, batchSize: BATCH, seed: 0, input: {}, classes: 80 })));
      (perProxy['all (one shared forward pass)'] ??= {})[`${workers}w`] = CANDIDATES.length / ((performance.now() - t) / 60_000);
    } finally {
      await pool.close();
    }
  }
  progressDone();
  const result = { figure: 'candidates per minute per proxy, 1 and 2 workers', cores: availableParallelism(), batch: BATCH, candidates: CANDIDATES, candidatesPerMinute: perProxy };
  for (const [p, v] of Object.entries(perProxy)) console.log(`${p.padEnd(30)} 1 worker ${v['1w']?.toFixed(1)}/min, 2 workers ${v['2w']?.toFixed(1)}/min`);
  console.log(`written to ${writeResult('proxy-throughput', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchProxyThroughput();
