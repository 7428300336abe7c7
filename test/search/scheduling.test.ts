// How the search hands candidates to its slots: a slot is freed when its own candidate finishes,
// so one slow candidate does not hold the other workers idle, and the journal still lists the
// candidates in proposal order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateCandidate, Journal, parseSearchConfig, runSearch, type Evaluator } from '../../search/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-scheduling-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('slots', () => {
  it('while the first candidate of a generation is slow, the other slot works through the rest', async () => {
    // Cost-only objectives: the records are real, computed in this process; only their timing is staged.
    const config = parseSearchConfig({ objectives: [{ minimize: 'macs' }, { minimize: 'memory' }], population: 8, generations: 1, seed: 3, workers: 2 });
    const journal = Journal.create(join(dir, 'run'), config, 'test');
    const events: string[] = [];
    const evaluator = (): Evaluator => ({
      slots: 2,
      async evaluate(genome, where) {
        events.push(`start ${where.index}`);
        await sleep(where.index === 0 ? 600 : 20);
        events.push(`end ${where.index}`);
        return evaluateCandidate(genome, config, undefined, where);
      },
      async close() {},
    });
    const busy: number[] = [];
    let running = 0;
    await runSearch(
      journal,
      config,
      undefined,
      {
        log: () => undefined,
        stopRequested: () => false,
        // What the live view shows as busy: started minus finished, whatever the journal order.
        onEvent: (e) => {
          if (e.type === 'candidate-started') running++;
          if (e.type === 'candidate-finished') running--;
          busy.push(running);
        },
      },
      { evaluator },
    );
    expect(Math.max(...busy)).toBe(2);
    expect(running).toBe(0);
    const started = events.filter((e) => e.startsWith('start')).length;
    const startsBeforeFirstEnds = events.slice(0, events.indexOf('end 0')).filter((e) => e.startsWith('start')).length;
    // Every candidate of the generation starts while candidate 0 is still running on the other slot.
    expect(started).toBeGreaterThan(4);
    expect(startsBeforeFirstEnds).toBe(started);
    // Never more than 2 at once.
    let inFlight = 0;
    for (const e of events) {
      inFlight += e.startsWith('start') ? 1 : -1;
      expect(inFlight).toBeLessThanOrEqual(2);
    }
    const lines = readFileSync(join(dir, 'run', 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; index?: number; id?: string; proposals?: string[] });
    const step = lines.find((l) => l.type === 'step');
    const evals = lines.filter((l) => l.type === 'eval');
    // Journalled in proposal order (the order a resume replays), not in the order they finished.
    expect(evals.map((e) => e.id)).toEqual(step?.proposals?.filter((id, i, all) => all.indexOf(id) === i));
    expect(evals.map((e) => e.index)).toEqual([...evals.map((e) => e.index)].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(evals.map((e) => e.id)).size).toBe(evals.length);
  });
});
