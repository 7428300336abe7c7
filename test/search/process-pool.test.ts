// The process pool: a candidate over its time limit is killed with its process and recorded as
// failed while the pool goes on; closing rejects what is still queued; scores match this thread's;
// Ctrl-C to the process group stops cleanly, and a killed parent leaves no worker behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gaussianSource, scoreCandidate } from '../../proxies/index.js';
import { costs } from '../../nn/index.js';
import { createScorePool, evaluateCandidate, parseSearchConfig } from '../../search/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { BIN } from '../helpers/cli.js';

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

  it('a search record scored in a worker process is the one this thread writes, costs included, also when the worker crashes', async () => {
    const config = parseSearchConfig({ objectives: [{ maximize: 'nwot' }, { minimize: 'memory' }], batch: 4, seed: 3, classes: 20 });
    const where = { generation: 0, index: 0 };
    const pool = createScorePool(1, 1, 'processes');
    process.env.ZCNAS_FAULT_CRASH = 'yolo5n_96'; // read by the worker process as it starts
    const crashing = createScorePool(1, 1, 'processes');
    delete process.env.ZCNAS_FAULT_CRASH;
    try {
      const inWorker = await evaluateCandidate(parseName('yolo8n_96'), config, pool, where);
      const here = await evaluateCandidate(parseName('yolo8n_96'), config, undefined, where);
      expect(JSON.stringify(inWorker)).toBe(JSON.stringify(here));
      const c = costs(buildGraph(parseName('yolo8n_96'), { classes: 20 }));
      expect([inWorker.params, inWorker.macs, inWorker.memory]).toEqual([c.params, c.macs, c.peak.bytesInt8]);
      const crashed = await evaluateCandidate(parseName('yolo5n_96'), config, crashing, where);
      expect(crashed.failure).toMatch(/crashed or timed out: the worker process died \(exit code 3\)$/);
      const c5 = costs(buildGraph(parseName('yolo5n_96'), { classes: 20 }));
      expect([crashed.params, crashed.macs, crashed.memory]).toEqual([c5.params, c5.macs, c5.peak.bytesInt8]);
    } finally {
      await pool.close();
      await crashing.close();
    }
  });

  it('a worker killed from outside (SIGKILL, as by the out-of-memory killer) is reported as such, and the pool goes on', async () => {
    process.env.ZCNAS_FAULT_KILL = 'yolo5n_96'; // read by the worker process as it starts
    const pool = createScorePool(1, 1, 'processes');
    delete process.env.ZCNAS_FAULT_KILL;
    try {
      await expect(pool.score(task('yolo5n_96'))).rejects.toThrow(/the worker process died \(SIGKILL\): most likely the out-of-memory killer.*fewer workers or a smaller batch/);
      expect((await pool.score(task('yolo8n_96'))).scores.nwot?.ok).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('a candidate killed beside others (as by the out-of-memory killer) runs again alone, and nothing starts beside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zcnas-oom-'));
    process.env.ZCNAS_FAULT_KILL_ONCE = `yolo5n_96:${join(dir, 'killed')}`;
    const pool = createScorePool(2, 1, 'processes');
    delete process.env.ZCNAS_FAULT_KILL_ONCE;
    try {
      const order: string[] = [];
      const run = (id: string) => pool.score(task(id)).then((r) => (order.push(id), r));
      // yolo5n_96 dies at once beside yolo8s_416 (seconds of work); its second run waits for
      // yolo8s_416 to finish, and yolo8n_96, queued behind, waits for it.
      const [, again] = await Promise.all([run('yolo8s_416'), run('yolo5n_96'), run('yolo8n_96')]);
      expect(existsSync(join(dir, 'killed'))).toBe(true);
      expect(order).toEqual(['yolo8s_416', 'yolo5n_96', 'yolo8n_96']);
      const here = await scoreCandidate(parseName('yolo5n_96'), { ...task('yolo5n_96'), source: gaussianSource(), threads: 1 });
      expect(again.scores).toEqual(here.scores);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a candidate killed again when alone is reported as out of memory even alone', async () => {
    process.env.ZCNAS_FAULT_KILL = 'yolo5n_96';
    const pool = createScorePool(2, 1, 'processes');
    delete process.env.ZCNAS_FAULT_KILL;
    try {
      const [other, killed] = await Promise.allSettled([pool.score(task('yolo8n_320')), pool.score(task('yolo5n_96'))]);
      expect(other.status).toBe('fulfilled');
      expect(killed.status === 'rejected' && String(killed.reason)).toMatch(/died \(SIGKILL\): most likely the out-of-memory killer, also when it ran alone.*smaller batch/);
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

describe('worker processes and their parent', () => {
  const work = mkdtempSync(join(tmpdir(), 'zcnas-pool-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const config = join(work, 'config.json');
  writeFileSync(config, JSON.stringify({ objectives: [{ maximize: 'nwot' }, { minimize: 'macs' }], population: 16, generations: 30, batch: 4, workers: 2, space: { backbones: ['v5', 'v8'], necks: ['v5', 'v8'], depths: [0.33], widths: [0.25], resolutions: [96, 128, 160], heads: ['v8'], stageMultipliers: [1] } }));
  const evaluated = (run: string): string[] => (existsSync(join(run, 'journal.jsonl')) ? readFileSync(join(run, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"eval"')) : []);
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const children = (pid: number): number[] => spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.split('\n').filter((s) => s.trim() !== '').map(Number);
  const until = async (what: () => boolean, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!what()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('Ctrl-C reaches the whole process group: the candidates in flight finish, none is recorded as failed, the workers exit', async () => {
    const run = join(work, 'interrupted');
    const p = spawn(process.execPath, [BIN, 'search', '--config', config, '--out', run, '--plain'], { detached: true, stdio: 'ignore' });
    await until(() => evaluated(run).length >= 4);
    const workers = children(p.pid ?? 0);
    expect(workers.length).toBe(2);
    const code = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    process.kill(-(p.pid ?? 0), 'SIGINT');
    expect(await code).toBe(130);
    expect(evaluated(run).filter((l) => l.includes('"failure"'))).toEqual([]);
    await until(() => workers.every((w) => !alive(w)), 10_000);
  });

  it('a parent killed with SIGKILL leaves no worker process behind', async () => {
    const run = join(work, 'killed');
    const p = spawn(process.execPath, [BIN, 'search', '--config', config, '--out', run, '--plain'], { stdio: 'ignore' });
    await until(() => evaluated(run).length >= 2);
    const workers = children(p.pid ?? 0);
    expect(workers.length).toBe(2);
    p.kill('SIGKILL');
    await until(() => workers.every((w) => !alive(w)), 10_000);
  });
});
