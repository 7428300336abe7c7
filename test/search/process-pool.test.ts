// The process pool: a candidate over its time limit is killed with its process and recorded as
// failed while the pool goes on; closing rejects what is still queued; scores match this thread's.
import { describe, expect, it } from 'vitest';
import { gaussianSource, scoreCandidate } from '../../proxies/index.js';
import { createScorePool } from '../../search/index.js';
import { parseName } from '../../space/index.js';

const task = (id: string) => ({ id, proxies: ['nwot', 'zen'], batchSize: 4, seed: 3, input: {}, classes: 20 });

describe('process pool', () => {
  it('a timed-out candidate kills its process only; a fresh one scores the next candidates, as this thread does', async () => {
    const pool = createScorePool(1, 1, 'processes');
    try {
      await expect(pool.score(task('yolo8n_320'), 1)).rejects.toThrow(/timed out after 0 s/);
      const [a, b] = await Promise.all([pool.score(task('yolo8n_96')), pool.score(task('yolo5n_96'))]);
      const here = await scoreCandidate(parseName('yolo8n_96'), { ...task('yolo8n_96'), source: gaussianSource(), threads: 1 });
      expect(a?.scores).toEqual(here.scores);
      expect(b?.id).toBe('yolo5n_96');
      expect(b?.scores.nwot?.ok).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('close rejects the candidates still queued and refuses new ones', async () => {
    const pool = createScorePool(1, 1, 'processes');
    const running = expect(pool.score(task('yolo8n_96'))).rejects.toThrow(/closed/);
    const queued = expect(pool.score(task('yolo5n_96'))).rejects.toThrow(/closed/);
    await pool.close();
    await running;
    await queued;
    await expect(pool.score(task('yolo8n_96'))).rejects.toThrow(/closed/);
  });
});
