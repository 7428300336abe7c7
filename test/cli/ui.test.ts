// The terminal UI's views and keys, fed the events of a real (tiny, cost-only) search.
import '../helpers/drawing.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS, Launcher, type LaunchChoice } from '../../cli/ui/launcher.js';
import { LiveApp, type Controls } from '../../cli/ui/live.js';
import { LiveView, viewLines } from '../../cli/ui/live-view.js';
import { RunModel } from '../../cli/ui/model.js';
import { Screen } from '../../cli/ui/screen.js';
import { currentFront, Journal, parseSearchConfig, runSearch, type EvalRecord, type RunHooks, type SearchConfig, type SearchEvent } from '../../search/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-ui-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config: SearchConfig = parseSearchConfig({ objectives: [{ minimize: 'macs' }, { minimize: 'params' }], population: 4, generations: 2, workers: 0, seed: 3 });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

async function search(name: string, hooks: (events: readonly SearchEvent[]) => Partial<RunHooks> = () => ({})): Promise<SearchEvent[]> {
  const events: SearchEvent[] = [];
  const journal = Journal.create(join(dir, name), config, 'test');
  await runSearch(journal, config, undefined, { log: () => undefined, stopRequested: () => false, ...hooks(events), onEvent: (e) => events.push(e) });
  return events;
}

const plain = (s: string | undefined): string => (s ?? '').replace(ANSI, '');
const count = (evs: readonly SearchEvent[], type: SearchEvent['type']): number => evs.filter((e) => e.type === type).length;

const evals = (run: string): EvalRecord[] =>
  readFileSync(join(dir, run, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as EvalRecord & { type: string })
    .filter((r) => r.type === 'eval');

let events: SearchEvent[] = [];
const modelOf = (evs: readonly SearchEvent[]): RunModel => {
  const m = new RunModel();
  for (const e of evs) m.apply(e);
  return m;
};

beforeAll(async () => {
  events = await search('reference');
});

describe('search events', () => {
  it('a run reports started, each candidate, each generation, finished, in order', () => {
    expect(events[0]?.type).toBe('started');
    expect(events.at(-1)?.type).toBe('finished');
    expect(events.filter((e) => e.type === 'candidate-evaluated')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'candidate-started')).toHaveLength(8);
    expect(events.filter((e) => e.type === 'generation-done').map((e) => (e.type === 'generation-done' ? e.generation : -1))).toEqual([0, 1]);
    const finished = events.at(-1);
    const front = JSON.parse(readFileSync(join(dir, 'reference', 'front.json'), 'utf8')) as unknown;
    expect(finished?.type === 'finished' && finished.completed).toBe(true);
    expect(JSON.parse(JSON.stringify(finished?.type === 'finished' ? finished.front : null))).toEqual(front);
  });

  it('pausing holds new candidates back (none start while paused) and leaves the results unchanged', async () => {
    let paused = false;
    let pausedAt = -1;
    let startedWhilePaused = 0;
    const evs = await search('paused', (seen) => ({
      pauseRequested: () => {
        if (count(seen, 'candidate-evaluated') === 3 && pausedAt < 0) {
          pausedAt = Date.now();
          paused = true;
          setTimeout(() => (paused = false), 300);
        }
        return paused;
      },
    }));
    // Replay the order of events: between paused and resumed nothing starts.
    let inPause = false;
    for (const e of evs) {
      if (e.type === 'paused') inPause = true;
      if (e.type === 'resumed') inPause = false;
      if (e.type === 'candidate-started' && inPause) startedWhilePaused++;
    }
    expect(evs.some((e) => e.type === 'paused')).toBe(true);
    expect(evs.some((e) => e.type === 'resumed')).toBe(true);
    expect(startedWhilePaused).toBe(0);
    expect(evals('paused')).toEqual(evals('reference'));
  });

  it('a stop finishes what is in flight and reports finished, not completed', async () => {
    const evs = await search('stopped', (seen) => ({ stopRequested: () => count(seen, 'candidate-evaluated') >= 5 }));
    expect(count(evs, 'candidate-evaluated')).toBe(5);
    expect(evs.some((e) => e.type === 'stopping')).toBe(true);
    const last = evs.at(-1);
    expect(last?.type === 'finished' && !last.completed).toBe(true);
  });
});

describe('the live view', () => {
  it('shows progress, status, the front plotted and tabled, and the last events', () => {
    const model = modelOf(events);
    expect(model.evaluated).toBe(8);
    expect(model.status).toBe('completed');
    expect(model.front.map((f) => f.id)).toEqual(currentFront(model.records, config).map((f) => f.id));
    const { lastFrame, unmount } = render(h(LiveView, { model, width: 100, height: 40, color: false, dir: 'runs/x' }));
    const frame = plain(lastFrame());
    unmount();
    expect(frame).toMatch(/zcnas nsga2, seed 3: runs\/x +COMPLETED/);
    expect(frame).toMatch(/gen 2\/2 #+ 8\/8 100%/);
    expect(frame).toMatch(new RegExp(`best candidates: the front \\(${model.front.length}\\), by macs`));
    expect(frame).toMatch(/↓macs +↓params/);
    expect(frame).toContain('●');
    expect(frame).toMatch(/macs → /);
    expect(frame).toMatch(/generation 2 done: front \d+, 8 evaluated/);
    const firstFront = model.front[0]?.id ?? '';
    expect(frame).toContain(firstFront.slice(0, 20));
  });

  it('mid-run: the progress of the first generation, workers busy, the candidates so far', () => {
    const upTo = events.findIndex((e) => e.type === 'generation-done');
    const evs = events.slice(0, upTo + 2); // the first generation and the next candidate started
    const model = modelOf(evs);
    const frame = plain(viewLines({ model, width: 100, height: 30, color: false, dir: 'd', live: true }).join('\n'));
    expect(frame).toMatch(/RUNNING/);
    expect(frame).toMatch(/gen 2\/2 #+-+ 4\/8 50%/);
    expect(frame).toMatch(/workers 1\/1 busy/);
    expect(frame).toMatch(/p pause +q stop +e export front +\? help/);
  });

  it('lists the remote workers of the redis backend', () => {
    const upTo = events.findIndex((e) => e.type === 'generation-done');
    const now = Date.now();
    const workers = [
      { worker: 'pi-a:101', host: 'pi-a', pid: 101, concurrency: 2, busy: 1, done: 5, failed: 0, seen: now },
      { worker: 'pi-b:202', host: 'pi-b', pid: 202, concurrency: 1, busy: 0, done: 3, failed: 1, seen: now },
    ];
    const model = modelOf([...events.slice(0, upTo + 1), { type: 'workers', workers }]);
    const frame = plain(viewLines({ model, width: 120, height: 30, color: false, dir: 'd', live: true }).join('\n'));
    expect(frame).toMatch(/remote pi-a:101 busy 1\/2 done 5 failed 0; pi-b:202 busy 0\/1 done 3 failed 1/);
    expect(frame).toMatch(/2 remote worker\(s\) connected/);
    expect(frame.split('\n').length).toBeLessThanOrEqual(30);
  });

  it('fits any terminal: no line longer than the width, no more lines than the height', () => {
    const model = modelOf(events);
    for (const [width, height] of [
      [60, 16],
      [80, 24],
      [100, 30],
      [200, 60],
    ] as const) {
      const lines = viewLines({ model, width, height, color: true, dir: 'runs/a-long-run-directory-name', live: true });
      expect(lines.length).toBeLessThanOrEqual(height);
      for (const l of lines) expect([...l.replace(ANSI, '')].length).toBeLessThanOrEqual(width);
    }
  });

  it('colour only when wanted (NO_COLOR)', () => {
    const model = modelOf(events);
    expect(viewLines({ model, width: 100, height: 30, color: false, dir: 'd' }).join('\n')).not.toMatch(/\x1b\[(3\d|4\d|9\d|10\d)m/);
    expect(viewLines({ model, width: 100, height: 30, color: true, dir: 'd' }).join('\n')).toMatch(/\x1b\[32m/);
  });

  it('failures are listed with their reasons', () => {
    const model = modelOf(events.slice(0, 1));
    const bad = events.find((e) => e.type === 'candidate-evaluated');
    if (bad?.type !== 'candidate-evaluated') throw new Error('no candidate');
    model.apply({ ...bad, record: { ...bad.record, id: 'yolo-broken', failure: 'crashed or timed out: worker exited with code 1' } });
    const frame = plain(viewLines({ model, width: 120, height: 30, color: false, dir: 'd' }).join('\n'));
    expect(frame).toMatch(/failures: 1/);
    expect(frame).toMatch(/✗ yolo-broken \(gen 1\): crashed or timed out: worker exited with code 1/);
  });
});

describe('keys', () => {
  it('p pauses and continues, ? shows help, q stops', async () => {
    const upTo = events.findIndex((e) => e.type === 'generation-done');
    const model = modelOf(events.slice(0, upTo));
    const controls: Controls = { pause: false, stop: false };
    const { stdin, lastFrame, unmount } = render(h(LiveApp, { model, controls, dir: 'd', color: false, period: 10, size: { columns: 100, rows: 30 } }));
    await sleep(50);
    expect(plain(lastFrame())).toMatch(/RUNNING/);
    stdin.write('p');
    await sleep(60);
    expect(controls.pause).toBe(true);
    expect(plain(lastFrame())).toMatch(/pause: candidates in flight finish/);
    model.apply({ type: 'paused', inFlight: 0 });
    await sleep(60);
    expect(plain(lastFrame())).toMatch(/PAUSED/);
    expect(plain(lastFrame())).toMatch(/p continue/);
    stdin.write('p');
    await sleep(60);
    expect(controls.pause).toBe(false);
    stdin.write('?');
    await sleep(60);
    expect(plain(lastFrame())).toMatch(/keys\n +p +pause \/ continue/);
    stdin.write('x');
    await sleep(60);
    expect(plain(lastFrame())).not.toMatch(/this help \(any key closes it\)/);
    stdin.write('q');
    await sleep(60);
    expect(controls.stop).toBe(true);
    expect(plain(lastFrame())).toMatch(/stopping: candidates in flight finish/);
    unmount();
  });

  it('e exports the current front', async () => {
    const model = modelOf(events);
    const out = join(dir, 'export-run');
    const { stdin, lastFrame, unmount } = render(h(LiveApp, { model, controls: { pause: false, stop: false }, dir: out, color: false, period: 10, size: { columns: 120, rows: 30 } }));
    stdin.write('e');
    for (let i = 0; i < 100 && !/exported/.test(lastFrame() ?? ''); i++) await sleep(50);
    unmount();
    expect(plain(lastFrame())).toMatch(new RegExp(`exported ${model.front.length} front candidate\\(s\\) to ${out}/export`));
    const json = JSON.parse(readFileSync(join(out, 'export', `${(model.front[0]?.id ?? '').replace(/[^A-Za-z0-9_.+-]/g, '_')}.json`), 'utf8')) as { id: string };
    expect(json.id).toBe(model.front[0]?.id);
  });

  it('the screen rewrites only the lines that changed', () => {
    let written = '';
    const screen = new Screen({ write: (s: string) => (written += s) });
    screen.enter();
    expect(screen.draw(['a', 'b', 'c'])).toBe(3);
    expect(screen.draw(['a', 'B', 'c'])).toBe(1);
    expect(written).toContain('\x1b[2;1HB');
    screen.leave(['last']);
    expect(written.endsWith('last\x1b[0m\n')).toBe(true);
  });
});

describe('the launcher', () => {
  it('shows the proxies with descriptions, the command line and the config; saves it; starts', async () => {
    const saved: { file: string; text: string }[] = [];
    let choice: LaunchChoice | undefined | null = null;
    const raw = { objectives: [{ minimize: 'macs' }, { minimize: 'params' }], population: 4, generations: 2, workers: 0 };
    const out = join(dir, 'launched');
    const { stdin, lastFrame, unmount } = render(
      h(Launcher, { raw, out, color: false, size: { columns: 120, rows: 60 }, onDone: (c: LaunchChoice | undefined) => (choice = c), save: (file: string, text: string) => saved.push({ file, text }) }),
    );
    await sleep(50);
    const frame = plain(lastFrame());
    const flat = (f: string | undefined): string => plain(f).replace(/\s+/g, ' ');
    expect(frame).toMatch(/\[ \] nwot +NASWOT: log\|det\|/);
    expect(frame).toMatch(/\[x\]macs \[x\]params/);
    expect(flat(frame)).toMatch(/zcnas search --strategy nsga2 --seed 0 --population 4 --generations 2 --objectives min:macs,min:params/);
    expect(frame).toMatch(/"population": 4,/);
    // Down to the families, Space turns v3 off.
    stdin.write('\x1b[B');
    await sleep(30);
    stdin.write(' ');
    await sleep(50);
    expect(plain(lastFrame())).toMatch(/\[ \]v3 \[x\]v4/);
    expect(flat(lastFrame())).toMatch(/--families v4,v5,v6s,v6m,v6l,v7,v8/);
    // Down to the population, Enter edits, Backspace, 6, Enter keeps it.
    const steps = FIELDS.findIndex((f) => f.kind === 'text' && f.key === 'population') - 1;
    for (let i = 0; i < steps; i++) {
      stdin.write('\x1b[B');
      await sleep(20);
    }
    stdin.write('\r');
    await sleep(30);
    stdin.write('\x7f');
    await sleep(30);
    stdin.write('6');
    await sleep(30);
    stdin.write('\r');
    await sleep(50);
    expect(flat(lastFrame())).toMatch(/--population 6 --generations 2/);
    stdin.write('w');
    await sleep(50);
    expect(saved).toHaveLength(1);
    expect(saved[0]?.file).toBe('search.json');
    const savedConfig = parseSearchConfig(JSON.parse(saved[0]?.text ?? '{}'));
    expect(savedConfig.space.backbones).toEqual(['v4', 'v5', 'v6s', 'v6m', 'v6l', 'v7', 'v8']);
    expect(savedConfig.population).toBe(6);
    expect(plain(lastFrame())).toMatch(/config saved to search.json/);
    stdin.write('s');
    await sleep(50);
    unmount();
    expect(choice).not.toBeNull();
    const c = choice as unknown as LaunchChoice;
    expect(c.out).toBe(out);
    expect(parseSearchConfig(c.raw)).toEqual(savedConfig);
  });

  it('keeps every key that arrives before the screen redraws (fast typing, a paste split into chunks)', async () => {
    let choice: LaunchChoice | undefined | null = null;
    const saved: string[] = [];
    const r = render(
      h(Launcher, { raw: { objectives: [{ maximize: 'nwot' }], workers: 0 }, out: join(dir, 'fast-keys'), color: false, size: { columns: 160, rows: 60 }, save: (f: string) => saved.push(f), onDone: (c: LaunchChoice | undefined) => (choice = c) }),
    );
    await sleep(50);
    // All keys in one go, with no wait between them: down to the images field, edit, type, confirm.
    const down = FIELDS.findIndex((f) => f.kind === 'text' && f.key === 'images');
    const folder = join(dir, 'typed-without-pause');
    for (let i = 0; i < down; i++) r.stdin.write('\x1b[B');
    r.stdin.write('\r');
    for (const ch of folder) r.stdin.write(ch);
    r.stdin.write('\r');
    await sleep(100);
    const flat = plain(r.lastFrame()).replace(/\s+/g, ' ');
    expect(flat).toContain(`images: ${folder} is not a folder of images`);
    r.unmount();
    expect(choice).toBeNull();
    expect(saved).toEqual([]); // the path's letters were typed into the field, not taken as commands
  });

  it('takes a folder of images for the proxies, and refuses one that is not there', async () => {
    const images = join(dir, 'launcher-images');
    mkdirSync(images, { recursive: true });
    let choice: LaunchChoice | undefined | null = null;
    /** A launcher with the images field set to `folder` by keys, as a user would. */
    const launch = async (folder: string) => {
      const r = render(
        h(Launcher, { raw: { objectives: [{ maximize: 'nwot' }], workers: 0 }, out: join(dir, 'with-images'), color: false, size: { columns: 160, rows: 60 }, onDone: (c: LaunchChoice | undefined) => (choice = c) }),
      );
      await sleep(50);
      for (let i = 0; i < FIELDS.findIndex((f) => f.kind === 'text' && f.key === 'images'); i++) {
        r.stdin.write('\x1b[B');
        await sleep(20);
      }
      r.stdin.write('\r');
      await sleep(30);
      for (const ch of folder) {
        r.stdin.write(ch);
        await sleep(5);
      }
      r.stdin.write('\r');
      await sleep(50);
      return { ...r, flat: (): string => plain(r.lastFrame()).replace(/\s+/g, ' ') };
    };
    const missing = await launch(join(dir, 'no-such-folder'));
    expect(missing.flat()).toContain(`images: ${join(dir, 'no-such-folder')} is not a folder of images`);
    missing.stdin.write('s');
    await sleep(50);
    missing.unmount();
    expect(choice).toBeNull();
    const there = await launch(images);
    expect(there.flat()).toContain("--images "); // the path itself wraps in the command column
    there.stdin.write('s');
    await sleep(50);
    there.unmount();
    expect((choice as unknown as LaunchChoice).raw.images).toBe(images);
  });

  it('refuses to start a config that does not validate, and says why', async () => {
    let choice: LaunchChoice | undefined | null = null;
    const { stdin, lastFrame, unmount } = render(
      h(Launcher, { raw: { objectives: [{ minimize: 'latency' }] }, out: join(dir, 'never'), color: false, size: { columns: 120, rows: 60 }, onDone: (c: LaunchChoice | undefined) => (choice = c) }),
    );
    await sleep(50);
    expect(plain(lastFrame()).replace(/\s+/g, ' ')).toMatch(/latency needs a hardware model/);
    stdin.write('s');
    await sleep(50);
    expect(plain(lastFrame()).replace(/\s+/g, ' ')).toMatch(/cannot start: .*latency needs a hardware model/);
    expect(choice).toBeNull();
    stdin.write('q');
    await sleep(30);
    expect(choice).toBeUndefined();
    unmount();
  });
});
