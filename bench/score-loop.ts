// One process scoring NASWOT candidates back to back, as a worker process of the pool does, but
// with no pool and no search around it: `node dist/bench/score-loop.js COUNT` prints the seconds.
// bench/search-figures.ts runs one copy and two at once, which gives the scaling this machine
// allows for the work itself (what a second core adds when both score candidates).
import { scoreCandidate, gaussianSource } from '../proxies/index.js';
import { createRng } from '../nn/index.js';
import { sampleGenome, validateSpace, DEFAULT_SPACE } from '../space/index.js';
import { NASWOT_SEARCH } from './common.js';

export async function scoreLoop(count: number, seed = 2): Promise<number> {
  const space = validateSpace({ ...DEFAULT_SPACE, ...NASWOT_SEARCH.space });
  const rng = createRng(seed, 'score-loop');
  const t = performance.now();
  for (let i = 0; i < count; i++)
    await scoreCandidate(sampleGenome(space, rng), { proxies: ['nwot'], batchSize: NASWOT_SEARCH.batch, seed, source: gaussianSource(), classes: 80, threads: 1 });
  return (performance.now() - t) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await scoreLoop(Number(process.argv[2] ?? 40))).toFixed(3));
