// The search through the real binary: exact resume after SIGKILL at random moments (also mid-write),
// worker crashes, and bad input that must leave a run directory untouched.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../nn/index.js';
import { BIN, zcnas } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Cost-only objectives: no onnxruntime, so hundreds of candidates run in seconds. */
const COST_ARGS = ['--objectives', 'min:macs,min:memory', '--constraints', 'params<=4e6', '--population', '24', '--generations', '20', '--seed', '5'];

function snapshot(run: string): Record<string, string> {
  return Object.fromEntries(readdirSync(run).sort().map((f) => [f, readFileSync(join(run, f), 'utf8')]));
}

const journalSize = (run: string): number => (existsSync(join(run, 'journal.jsonl')) ? statSync(join(run, 'journal.jsonl')).size : 0);

/**
 * Starts `args`; when `extraMs` is given, kills it with SIGKILL that long after the journal of
 * `run` has grown (so every round makes progress, and the kill lands mid-run, whatever the
 * machine's speed). Resolves with the exit code (null when killed).
 */
function runAndKill(args: string[], run: string, extraMs: number | undefined): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
    const start = journalSize(run);
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      if (extraMs === undefined || journalSize(run) <= start) return;
      clearInterval(poll);
      timer = setTimeout(() => child.kill('SIGKILL'), extraMs);
    }, 10);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('resume is exact', () => {
  const reference = join(dir, 'reference');

  it('an uninterrupted run completes', () => {
    const r = zcnas(['search', ...COST_ARGS, '--out', reference]);
    expect(r.code).toBe(0);
    const lines = readFileSync(join(reference, 'journal.jsonl'), 'utf8').trim().split('\n');
    expect(lines.filter((l) => l.includes('"type":"step"'))).toHaveLength(20);
    expect(JSON.parse(readFileSync(join(reference, 'front.json'), 'utf8')).length).toBeGreaterThan(0);
  });

  it('killed with SIGKILL at random moments and resumed, it ends with the same journal and front', async () => {
    const run = join(dir, 'killed');
    const rng = createRng(2024);
    let code = await runAndKill(['search', ...COST_ARGS, '--out', run], run, rng.int(300));
    let kills = code === 0 ? 0 : 1;
    while (code !== 0 && kills < 8) {
      code = await runAndKill(['resume', run], run, kills < 4 ? rng.int(300) : undefined);
      if (code !== 0) kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(code).toBe(0);
    expect(snapshot(run)).toEqual(snapshot(reference));
  }, 300_000);

  it('a torn last line (a write cut short) is dropped with a message, and the run still ends the same', () => {
    const run = join(dir, 'torn');
    cpSync(reference, run, { recursive: true });
    const journal = join(run, 'journal.jsonl');
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    // Keep the first half of the journal and half of the next line, as a crash mid-write leaves it.
    const keep = Math.floor(lines.length / 2);
    writeFileSync(journal, lines.slice(0, keep).join('\n') + '\n' + (lines[keep] ?? '').slice(0, 40));
    for (const f of ['front.json', 'summary.txt']) rmSync(join(run, f));
    const r = zcnas(['resume', run]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dropped a torn last line/);
    expect(snapshot(run)).toEqual(snapshot(reference));
  });
});

describe('worker crashes and proxies', () => {
  it('a candidate that kills its worker (process or thread) is recorded as failed; the pool goes on', () => {
    const run = join(dir, 'crash');
    const config = join(dir, 'crash.json');
    writeFileSync(config, JSON.stringify({ population: 4, generations: 2, batch: 4, space: { backbones: ['v8', 'v5'], mixNecks: false, depths: [0.33], widths: [0.25], resolutions: [96], heads: ['v8'], activations: ['family'], stageMultipliers: [1] } }));
    const r = zcnas(['search', '--config', config, '--workers', '2', '--out', run], { env: { ZCNAS_FAULT_CRASH: 'yolo8n_96' } });
    expect(r.code).toBe(0);
    const evals = readFileSync(join(run, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string; failure?: string; scores: Record<string, { ok: boolean }> }).filter((e) => e.type === 'eval');
    const crashed = evals.find((e) => e.id === 'yolo8n_96');
    expect(crashed?.failure).toMatch(/crashed or timed out: .*exit/);
    const ok = evals.find((e) => e.id === 'yolo5n_96');
    expect(ok?.scores.nwot?.ok).toBe(true);
    const front = JSON.parse(readFileSync(join(run, 'front.json'), 'utf8')) as { id: string }[];
    expect(front.map((f) => f.id)).toEqual(['yolo5n_96']);
  });
});

describe('the memory limit', () => {
  it('--memory-limit: a gradient pass over it is recorded as a memory-limit failure in the journal, in workers too; forward proxies still score', () => {
    // yolo-n at 96 px, batch 4: the forward pass is estimated at about 336 MiB, a gradient pass at 365.
    const run = join(dir, 'memory');
    const config = join(dir, 'memory.json');
    writeFileSync(config, JSON.stringify({ population: 4, generations: 1, batch: 4, objectives: [{ maximize: 'nwot' }, { maximize: 'grad_norm' }], space: { backbones: ['v8', 'v5'], mixNecks: false, depths: [0.33], widths: [0.25], resolutions: [96], heads: ['v8'], activations: ['family'], stageMultipliers: [1] } }));
    const r = zcnas(['search', '--config', config, '--workers', '2', '--memory-limit', '0.34', '--out', run]);
    expect(r.code).toBe(0);
    const evals = readFileSync(join(run, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; scores: Record<string, { ok: boolean; failure?: string; message?: string }> }).filter((e) => e.type === 'eval');
    expect(evals.length).toBeGreaterThan(0);
    for (const e of evals) {
      expect(e.scores.nwot?.ok).toBe(true);
      expect(e.scores.grad_norm).toMatchObject({ ok: false, failure: 'memory-limit', message: expect.stringMatching(/over the 0\.34 GiB memory limit/) });
    }
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { memoryLimitGiB: number }).toMatchObject({ memoryLimitGiB: 0.34 });
  });
});

describe('bad input: a clear message, exit code 2, the run directory untouched', () => {
  it('a config with unknown keys or out-of-range values', () => {
    const bad = join(dir, 'bad.json');
    for (const [config, message] of [
      [{ strategy: 'nsga2', colour: 'blue' }, /unknown key\(s\) colour; the keys are strategy, seed/],
      [{ population: 1 }, /population: .*>=2|population: .*2/],
      [{ space: { resolutions: [100] } }, /space.resolutions.0: must be a multiple of 32/],
      [{ objectives: [{ maximize: 'magic' }] }, /objectives.0: an objective is \{ "maximize": <proxy> \} with a proxy of params, macs, .* or \{ "minimize": <cost> \} with a cost of macs, params, memory/],
      [{ strategy: 'evolution' }, /evolution optimises one score/],
    ] as const) {
      writeFileSync(bad, JSON.stringify(config));
      const r = zcnas(['search', '--config', bad, '--out', join(dir, 'never')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, 'never'))).toBe(false);
    }
  });

  it('a search into an existing run directory, a resume of something that is not one', () => {
    const run = join(dir, 'reference');
    const before = snapshot(run);
    const r = zcnas(['search', ...COST_ARGS, '--out', run]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists and is not an empty folder: resume it with zcnas resume/);
    expect(zcnas(['resume', dir]).stderr).toMatch(/is not a zcnas run directory: it has no journal.jsonl/);
    expect(zcnas(['resume', join(dir, 'nowhere')]).code).toBe(2);
    expect(snapshot(run)).toEqual(before);
  });

  it('a resume with a different tool version', () => {
    const run = join(dir, 'version');
    cpSync(join(dir, 'reference'), run, { recursive: true });
    const journal = join(run, 'journal.jsonl');
    writeFileSync(journal, readFileSync(journal, 'utf8').replace('"version":"', '"version":"9.9.9-'));
    const before = snapshot(run);
    const mtime = statSync(journal).mtimeMs;
    const r = zcnas(['resume', run]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/was written by zcnas 9\.9\.9-.*; this is zcnas/);
    expect(snapshot(run)).toEqual(before);
    expect(statSync(journal).mtimeMs).toBe(mtime);
  });

  it('a resume whose journal does not match the config replay', () => {
    const run = join(dir, 'mismatch');
    cpSync(join(dir, 'reference'), run, { recursive: true });
    const journal = join(run, 'journal.jsonl');
    const text = readFileSync(journal, 'utf8');
    // Change the recorded seed in the header's config: the replay proposes other candidates.
    writeFileSync(journal, text.replace('"config":{"strategy":"nsga2","seed":5', '"config":{"strategy":"nsga2","seed":6'));
    const before = snapshot(run);
    const r = zcnas(['resume', run]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/proposed other candidates than this replay/);
    expect(snapshot(run)).toEqual(before);
  });
});

describe('defaults', () => {
  it('without --out, the run goes to runs/<strategy>-seed<seed> under the working folder, created as needed', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'zcnas-cwd-'));
    try {
      const r = zcnas(['search', '--objectives', 'min:macs', '--strategy', 'evolution', '--population', '4', '--generations', '2', '--seed', '3'], { cwd });
      expect(r.code).toBe(0);
      expect(readdirSync(join(cwd, 'runs', 'evolution-seed3')).sort()).toEqual(['config.json', 'front.json', 'journal.jsonl', 'summary.txt']);
      expect(readFileSync(join(cwd, 'runs', 'evolution-seed3', 'summary.txt'), 'utf8')).toMatch(/zcnas search: evolution, seed 3, population 4, generation 2 of 2/);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
