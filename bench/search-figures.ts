// Figures of the search: bookkeeping speed with cost-only objectives (no onnxruntime; target 200+
// candidates/s), what the fsync'ed journal costs against an unsynced one (target under 5%), and
// NASWOT search throughput at yolo-n sizes with 1 and 2 workers (target at least 1.8x scaling), for
// both pool kinds.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_PROCESS_ENV } from '../search/index.js';
import { median, NASWOT_SEARCH, progress, progressDone, timedSearch, writeResult } from './common.js';

/**
 * What a second core adds on this machine, outside the pool and the search: one copy against two
 * concurrent copies, as the ratio of work per second, of
 * - an arithmetic loop (registers only),
 * - a loop reading through 64 MB, and one writing through it (a fresh session and model per
 *   candidate write tens of megabytes, and writes are what two cores here contend for most),
 * - the scoring itself: bench/score-loop.js scoring the same NASWOT candidates as the search, in
 *   one process each with the worker processes' settings. Its ratio is the most any pool can reach.
 */
export function machineScaling(rounds = 3): { arithmetic: number; memoryReading: number; memoryWriting: number; naswotScoring: number } {
  const loops = {
    arithmetic: 'let x = 0; for (let i = 0; i < 4e8; i++) x = (x * 1103515245 + 12345) | 0; if (x === 42) console.log(x);',
    memoryReading: 'const a = new Float32Array(16 << 20).fill(1); let s = 0; for (let r = 0; r < 30; r++) for (let i = 0; i < a.length; i += 4) s += a[i]; if (s === 42) console.log(s);',
    memoryWriting: 'const a = new Float32Array(16 << 20); for (let r = 0; r < 60; r++) a.fill(r);',
  };
  const time = (args: readonly string[], copies: number): number => {
    const script = `const { spawn } = require('node:child_process'); const t = Date.now(); let left = ${copies};
      for (let i = 0; i < ${copies}; i++) spawn(process.execPath, ${JSON.stringify(args)}, { stdio: 'inherit' }).on('exit', () => { if (--left === 0) console.log(Date.now() - t); });`;
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...WORKER_PROCESS_ENV, ...process.env } }).stdout;
    return Number(out.trim().split('\n').at(-1));
  };
  const ratio = (args: readonly string[]): number => {
    const r: number[] = [];
    for (let i = 0; i < rounds; i++) r.push((2 * time(args, 1)) / time(args, 2));
    return median(r);
  };
  const scoreLoop = [fileURLToPath(new URL('./score-loop.js', import.meta.url)), '40'];
  return {
    arithmetic: ratio(['-e', loops.arithmetic]),
    memoryReading: ratio(['-e', loops.memoryReading]),
    memoryWriting: ratio(['-e', loops.memoryWriting]),
    naswotScoring: ratio(scoreLoop),
  };
}

export async function benchSearch(rounds = 3): Promise<object> {
  const costOnly = { objectives: [{ minimize: 'macs' }, { minimize: 'memory' }], constraints: [{ cost: 'params', max: 5e6 }], population: 50, generations: 20, seed: 1 };
  await timedSearch({ ...costOnly, generations: 2 }); // warm-up
  const durable: number[] = [];
  const unsynced: number[] = [];
  let evaluated = 0;
  for (let i = 0; i < 5; i++) {
    progress(`search bookkeeping ${i + 1}/5`);
    const a = await timedSearch(costOnly, true);
    const b = await timedSearch(costOnly, false);
    evaluated = a.evaluated;
    durable.push(a.evaluated / a.seconds);
    unsynced.push(b.evaluated / b.seconds);
  }
  const nano = { ...NASWOT_SEARCH, seed: 2 };
  // Each pool kind with 1 and 2 workers, with cores / workers onnxruntime threads (the default) and
  // with one thread per worker (the pool's own scaling: by default one worker already runs
  // onnxruntime on every core, so a second has less left to add on a 2-core machine). This machine's
  // speed drifts over minutes, so 1 and 2 workers run back to back, several rounds, and the figure
  // is the median of the rounds' ratios.
  const naswot: Record<string, { candidatesPerMinute: Record<string, number>; evaluated: number; scaling: number; scalingPerRound: number[] }> = {};
  for (const pool of ['processes', 'threads'] as const)
    for (const oneThread of [false, true]) {
      const rates: Record<string, number[]> = { '1w': [], '2w': [] };
      const ratios: number[] = [];
      let evaluatedHere = 0;
      for (let round = 0; round < rounds; round++) {
        for (const workers of [1, 2]) {
          progress(`search with NASWOT, ${pool}, ${workers} worker(s)${oneThread ? ' x 1 thread' : ''}, round ${round + 1}/${rounds}`);
          const r = await timedSearch({ ...nano, workers, pool, ...(oneThread ? { threadsPerWorker: 1 } : {}) });
          rates[`${workers}w`]?.push((r.evaluated / r.seconds) * 60);
          evaluatedHere = r.evaluated;
        }
        ratios.push((rates['2w']?.[round] ?? 0) / (rates['1w']?.[round] ?? 1));
      }
      naswot[`${pool}${oneThread ? ', 1 thread per worker' : ''}`] = {
        candidatesPerMinute: { '1w': median(rates['1w'] ?? []), '2w': median(rates['2w'] ?? []) },
        evaluated: evaluatedHere,
        scaling: median(ratios),
        scalingPerRound: ratios,
      };
    }
  progress('machine: one copy against two of an arithmetic loop, memory loops and candidate scoring');
  const ceiling = machineScaling();
  progressDone();
  const result = {
    figure: 'search: bookkeeping speed, journal cost, NASWOT scaling with workers',
    bookkeeping: { candidatesEvaluated: evaluated, candidatesPerSecond: median(durable), target: 200 },
    journal: { durablePerSecond: median(durable), unsyncedPerSecond: median(unsynced), overhead: median(unsynced) / median(durable) - 1, target: 0.05 },
    naswotSearch: { ...naswot, scalingTarget: 1.8 },
    machineScaling: ceiling,
  };
  console.log(`bookkeeping: ${result.bookkeeping.candidatesPerSecond.toFixed(0)} candidates/s (target 200+)`);
  console.log(`journal fsync overhead: ${(result.journal.overhead * 100).toFixed(1)}% (target < 5%)`);
  for (const [k, v] of Object.entries(naswot))
    console.log(
      `NASWOT search (${k}): ${v.candidatesPerMinute['1w']?.toFixed(0)}/min with 1 worker, ${v.candidatesPerMinute['2w']?.toFixed(0)}/min with 2: ${v.scaling.toFixed(2)}x ` +
        `(rounds ${v.scalingPerRound.map((x) => x.toFixed(2)).join(', ')}; target 1.8x; ${v.evaluated} candidates)`,
    );
  console.log(
    `this machine, 1 -> 2 processes: ${ceiling.arithmetic.toFixed(2)}x on an arithmetic loop, ${ceiling.memoryReading.toFixed(2)}x reading 64 MB, ` +
      `${ceiling.memoryWriting.toFixed(2)}x writing 64 MB, ${ceiling.naswotScoring.toFixed(2)}x scoring NASWOT candidates without pool or search`,
  );
  console.log(`written to ${writeResult('search', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSearch();
