// scoreCandidate tells its caller each step (the shared forward run of nwot, meco and the like,
// then each proxy that runs alone: zen and the gradient ones), so `zcnas score` can say what a candidate that takes minutes is doing.
import { describe, expect, it } from 'vitest';
import { gaussianSource, scoreCandidate, type ScoringStep } from '../../proxies/index.js';
import { parseName } from '../../space/index.js';

const opts = { batchSize: 2, seed: 0, source: gaussianSource(), classes: 80, threads: 1 };

describe('scoring steps', () => {
  it('the forward run first, then each proxy that runs alone, in the order asked', async () => {
    const steps: ScoringStep[] = [];
    const r = await scoreCandidate(parseName('yolo8n_96'), { ...opts, proxies: ['params', 'snip', 'nwot', 'grad_norm', 'meco', 'zen'], onStep: (s) => steps.push(s) });
    expect(steps).toEqual([
      { name: 'forward (nwot, meco)', index: 1, total: 4 },
      { name: 'snip', index: 2, total: 4 },
      { name: 'grad_norm', index: 3, total: 4 },
      { name: 'zen', index: 4, total: 4 },
    ]);
    expect(Object.values(r.scores).every((s) => s.ok)).toBe(true);
  });

  it('no steps when every proxy is read off the graph or the weights', async () => {
    const steps: ScoringStep[] = [];
    await scoreCandidate(parseName('yolo8n_96'), { ...opts, proxies: ['params', 'macs', 'l2_norm'], onStep: (s) => steps.push(s) });
    expect(steps).toEqual([]);
  });
});
