// Same seed, same scores, bit for bit: across runs, worker processes and threads, thread counts.
import { describe, expect, it } from 'vitest';
import { gaussianSource, PROXY_NAMES, scoreCandidate, type CandidateScores } from '../../proxies/index.js';
import { createScorePool } from '../../search/index.js';
import { parseName } from '../../space/index.js';

const ID = 'yolo6s-d33w25_96';
const opts = { proxies: PROXY_NAMES, batchSize: 8, seed: 11, source: gaussianSource(), classes: 20 };
const values = (r: CandidateScores): Record<string, unknown> => Object.fromEntries(Object.entries(r.scores).map(([k, v]) => [k, v.ok ? v.value : v.failure]));

describe('proxy determinism', () => {
  // Every proxy, the gradient ones included, scored four times: slow on a loaded 2-core machine.
  it('gives identical values in this thread (2 onnxruntime threads), twice, and in 2-worker pools of processes and of threads (1 thread each)', { timeout: 600_000 }, async () => {
    const a = await scoreCandidate(parseName(ID), { ...opts, threads: 2 });
    const b = await scoreCandidate(parseName(ID), { ...opts, threads: 2 });
    expect(values(b)).toEqual(values(a));
    for (const v of Object.values(a.scores)) expect(v.ok).toBe(true);
    for (const kind of ['processes', 'threads'] as const) {
      const pool = createScorePool(2, 1, kind);
      try {
        const tasks = [ID, ID].map((id) => pool.score({ id, proxies: opts.proxies, batchSize: 8, seed: 11, input: {}, classes: 20 }));
        for (const r of await Promise.all(tasks)) expect(values(r)).toEqual(values(a));
      } finally {
        await pool.close();
      }
    }
  });

  it('another seed gives other values', async () => {
    const a = await scoreCandidate(parseName(ID), { ...opts, proxies: ['nwot', 'zen', 'l2_norm'] });
    const b = await scoreCandidate(parseName(ID), { ...opts, proxies: ['nwot', 'zen', 'l2_norm'], seed: 12 });
    for (const p of ['nwot', 'zen', 'l2_norm']) expect(values(b)[p]).not.toEqual(values(a)[p]);
  });
});
