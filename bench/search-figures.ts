// Figures of the search: bookkeeping speed with cost-only objectives (no onnxruntime; target 200+
// candidates/s), what the fsync'ed journal costs against an unsynced one (target under 5%), and
// NASWOT search throughput at yolo-n sizes with 1 and 2 workers (target at least 1.8x scaling), for
// both pool kinds.
import { median, NASWOT_SEARCH, progress, progressDone, timedSearch, writeResult } from './common.js';


export async function benchSearch(): Promise<object> {
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
  // onnxruntime on every core, so a second has less left to add on a 2-core machine).
  const naswot: Record<string, { candidatesPerMinute: Record<string, number>; evaluated: number; scaling: number }> = {};
  for (const pool of ['processes', 'threads'] as const)
    for (const oneThread of [false, true]) {
      const rate: Record<string, number> = {};
      let evaluatedHere = 0;
      for (const workers of [1, 2]) {
        progress(`search with NASWOT, ${pool}, ${workers} worker(s)${oneThread ? ' x 1 thread' : ''}`);
        const r = await timedSearch({ ...nano, workers, pool, ...(oneThread ? { threadsPerWorker: 1 } : {}) });
        rate[`${workers}w`] = (r.evaluated / r.seconds) * 60;
        evaluatedHere = r.evaluated;
      }
      naswot[`${pool}${oneThread ? ', 1 thread per worker' : ''}`] = { candidatesPerMinute: rate, evaluated: evaluatedHere, scaling: (rate['2w'] ?? 0) / (rate['1w'] ?? 1) };
    }
  progressDone();
  const result = {
    figure: 'search: bookkeeping speed, journal cost, NASWOT scaling with workers',
    bookkeeping: { candidatesEvaluated: evaluated, candidatesPerSecond: median(durable), target: 200 },
    journal: { durablePerSecond: median(durable), unsyncedPerSecond: median(unsynced), overhead: median(unsynced) / median(durable) - 1, target: 0.05 },
    naswotSearch: { ...naswot, scalingTarget: 1.8 },
  };
  console.log(`bookkeeping: ${result.bookkeeping.candidatesPerSecond.toFixed(0)} candidates/s (target 200+)`);
  console.log(`journal fsync overhead: ${(result.journal.overhead * 100).toFixed(1)}% (target < 5%)`);
  for (const [k, v] of Object.entries(naswot))
    console.log(`NASWOT search (${k}): ${v.candidatesPerMinute['1w']?.toFixed(0)}/min with 1 worker, ${v.candidatesPerMinute['2w']?.toFixed(0)}/min with 2: ${v.scaling.toFixed(2)}x (target 1.8x; ${v.evaluated} candidates)`);
  console.log(`written to ${writeResult('search', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSearch();
