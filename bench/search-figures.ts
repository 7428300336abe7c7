// Figures of the search: bookkeeping speed with cost-only objectives (no onnxruntime; target 200+
// candidates/s), what the fsync'ed journal costs against an unsynced one (target under 5%), and
// NASWOT search throughput at yolo-n sizes with 1 and 2 workers (target at least 1.8x scaling), for
// both pool kinds.
import { spawnSync } from 'node:child_process';
import { median, NASWOT_SEARCH, progress, progressDone, timedSearch, writeResult } from './common.js';

/**
 * What a second core adds on this machine, outside zcnas: one copy against two concurrent copies
 * of an arithmetic loop (registers only) and of a loop streaming through 64 MB, as the ratio of
 * work per second. Scoring candidates touches tens of megabytes per candidate, so the second
 * figure is the ceiling a pool of processes can reach here.
 */
export function machineScaling(): { arithmetic: number; memoryStreaming: number } {
  const loops = {
    arithmetic: 'let x = 0; for (let i = 0; i < 4e8; i++) x = (x * 1103515245 + 12345) | 0; if (x === 42) console.log(x);',
    memoryStreaming: 'const a = new Float32Array(16 << 20).fill(1); let s = 0; for (let r = 0; r < 30; r++) for (let i = 0; i < a.length; i += 4) s += a[i]; if (s === 42) console.log(s);',
  };
  const time = (code: string, copies: number): number => {
    const script = `const { spawn } = require('node:child_process'); const t = Date.now(); let left = ${copies};
      for (let i = 0; i < ${copies}; i++) spawn(process.execPath, ['-e', ${JSON.stringify(code)}], { stdio: 'inherit' }).on('exit', () => { if (--left === 0) console.log(Date.now() - t); });`;
    return Number(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout.trim());
  };
  const ratio = (code: string): number => {
    const r: number[] = [];
    for (let i = 0; i < 3; i++) r.push((2 * time(code, 1)) / time(code, 2));
    return median(r);
  };
  return { arithmetic: ratio(loops.arithmetic), memoryStreaming: ratio(loops.memoryStreaming) };
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
  progress('machine: two copies of an arithmetic loop and of a memory-streaming loop');
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
  console.log(`this machine, 1 -> 2 processes: ${ceiling.arithmetic.toFixed(2)}x on an arithmetic loop, ${ceiling.memoryStreaming.toFixed(2)}x on a memory-streaming loop`);
  console.log(`written to ${writeResult('search', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSearch();
