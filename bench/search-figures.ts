// Figures of the search: bookkeeping speed with cost-only objectives (no onnxruntime; target 200+
// candidates/s), what the fsync'ed journal costs against an unsynced one (target under 5%), and
// NASWOT search throughput at yolo-n sizes with 1 and 2 workers (target at least 1.8x scaling).
import { median, progress, progressDone, timedSearch, writeResult } from './common.js';


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
  const nano = {
    objectives: [{ maximize: 'nwot' }, { minimize: 'macs' }],
    // 48 candidates, so that starting the pool (each thread loads onnxruntime) and the wait at the end of
    // each generation weigh as they do in a real search, not as in a toy one.
    population: 16,
    generations: 3,
    batch: 8,
    seed: 2,
    space: { backbones: ['v5', 'v8'], mixNecks: false, depths: [0.33], widths: [0.25], resolutions: [160, 192, 224, 256], heads: ['v8'], activations: ['family'], stageMultipliers: [1] },
  };
  const perWorkers: Record<string, number> = {};
  for (const workers of [1, 2]) {
    progress(`search with NASWOT, ${workers} worker(s)`);
    const r = await timedSearch({ ...nano, workers });
    perWorkers[`${workers}w`] = (r.evaluated / r.seconds) * 60;
  }
  // The pool's own scaling, with every worker on one onnxruntime thread: by default one worker already
  // runs onnxruntime on every core, so on a 2-core machine a second worker has little left to add.
  const oneThread: Record<string, number> = {};
  for (const workers of [1, 2]) {
    progress(`search with NASWOT, ${workers} worker(s) x 1 thread`);
    const r = await timedSearch({ ...nano, workers, threadsPerWorker: 1, seed: 5 });
    oneThread[`${workers}w`] = (r.evaluated / r.seconds) * 60;
  }
  progressDone();
  const result = {
    figure: 'search: bookkeeping speed, journal cost, NASWOT scaling with workers',
    bookkeeping: { candidatesEvaluated: evaluated, candidatesPerSecond: median(durable), target: 200 },
    journal: { durablePerSecond: median(durable), unsyncedPerSecond: median(unsynced), overhead: median(unsynced) / median(durable) - 1, target: 0.05 },
    naswotSearch: { candidatesPerMinute: perWorkers, scaling: (perWorkers['2w'] ?? 0) / (perWorkers['1w'] ?? 1), target: 1.8 },
    naswotSearchOneThreadPerWorker: { candidatesPerMinute: oneThread, scaling: (oneThread['2w'] ?? 0) / (oneThread['1w'] ?? 1) },
  };
  console.log(`bookkeeping: ${result.bookkeeping.candidatesPerSecond.toFixed(0)} candidates/s (target 200+)`);
  console.log(`journal fsync overhead: ${(result.journal.overhead * 100).toFixed(1)}% (target < 5%)`);
  console.log(`NASWOT search: ${perWorkers['1w']?.toFixed(1)}/min with 1 worker, ${perWorkers['2w']?.toFixed(1)}/min with 2: ${result.naswotSearch.scaling.toFixed(2)}x (target 1.8x)`);
  console.log(`NASWOT search, 1 onnxruntime thread per worker: ${oneThread['1w']?.toFixed(1)}/min with 1 worker, ${oneThread['2w']?.toFixed(1)}/min with 2: ${result.naswotSearchOneThreadPerWorker.scaling.toFixed(2)}x`);
  console.log(`written to ${writeResult('search', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSearch();
