// The distributed backend against a real redis-server: worker processes give the same journal and
// front as the local pool; a worker killed mid-job and a coordinator killed mid-run lose and
// duplicate nothing; a foreign result is rejected; a wrong password is refused and never printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foreignResult, jobIdOf, parseSearchConfig, QUEUE, redisEvaluator, startWorker, WORKERS_KEY, type RunningWorker, type WorkerStatus } from '../../search/index.js';
import { genomeId, parseName } from '../../space/index.js';
import { BIN, zcnas } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-redis-test-'));
const SEARCH = ['--objectives', 'max:nwot,min:macs', '--population', '4', '--generations', '2', '--resolutions', '96,128', '--batch', '4', '--seed', '3'];
let redis: RedisServer;
const children: ChildProcess[] = [];

function worker(url: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  const p = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--concurrency', '1', '--stall-timeout', '2'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  children.push(p);
  return p;
}

/** The run's step and eval records, as written (the header differs: it names the backend). */
function records(run: string): string[] {
  return readFileSync(join(run, 'journal.jsonl'), 'utf8').trim().split('\n').slice(1);
}

function evalCount(run: string): number {
  if (!existsSync(join(run, 'journal.jsonl'))) return 0;
  return records(run).filter((l) => l.includes('"type":"eval"')).length;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function workers(url: string): Promise<WorkerStatus[]> {
  const c = new Redis(url);
  try {
    return Object.values(await c.hgetall(WORKERS_KEY)).map((v) => JSON.parse(v) as WorkerStatus);
  } finally {
    c.disconnect();
  }
}

let reference: string[];
beforeAll(async () => {
  redis = await startRedis();
  const r = zcnas(['search', ...SEARCH, '--workers', '1', '--out', join(dir, 'local'), '--plain']);
  expect(r.code, r.stderr).toBe(0);
  reference = records(join(dir, 'local'));
  expect(reference.filter((l) => l.includes('"type":"eval"'))).toHaveLength(8);
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('search on the redis backend', () => {
  it('three worker processes give the same journal records and front as the local pool', async () => {
    for (let i = 0; i < 3; i++) worker(redis.url);
    await until('three workers', async () => (await workers(redis.url)).length >= 3);
    const run = join(dir, 'three');
    const r = zcnas(['search', ...SEARCH, '--backend', 'redis', '--redis', redis.url, '--out', run, '--plain']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/workers: \S+ busy \d\/1 done \d+ failed 0/);
    expect(records(run)).toEqual(reference);
    expect(readFileSync(join(run, 'front.json'), 'utf8')).toBe(readFileSync(join(dir, 'local', 'front.json'), 'utf8'));
    // Every candidate went through the queue: the workers did them all between them.
    const done = (await workers(redis.url)).reduce((a, w) => a + w.done, 0);
    expect(done).toBeGreaterThanOrEqual(8);
    for (const c of children.splice(0)) c.kill('SIGTERM');
    await until('the workers to leave', async () => (await workers(redis.url)).length === 0, 30_000);
  });

  it('a worker killed with SIGKILL mid-job loses nothing: the job is retried after the stall timeout', async () => {
    const slow = worker(redis.url, { ZCNAS_FAULT_JOB_DELAY_MS: '60000' });
    const run = join(dir, 'killed-worker');
    const coordinator = spawn(process.execPath, [BIN, 'search', ...SEARCH, '--backend', 'redis', '--redis', redis.url, '--out', run, '--plain'], { stdio: 'ignore' });
    children.push(coordinator);
    await until('the slow worker to take a job', async () => (await workers(redis.url)).some((w) => w.busy > 0));
    slow.kill('SIGKILL');
    worker(redis.url);
    const code = await new Promise<number | null>((r) => coordinator.on('exit', r));
    expect(code).toBe(0);
    expect(records(run)).toEqual(reference);
    for (const c of children.splice(0)) c.kill('SIGTERM');
  });

  it('a coordinator killed with SIGKILL and resumed re-attaches to its jobs: nothing lost, nothing twice', async () => {
    worker(redis.url);
    worker(redis.url);
    const run = join(dir, 'killed-coordinator');
    const coordinator = spawn(process.execPath, [BIN, 'search', ...SEARCH, '--backend', 'redis', '--redis', redis.url, '--out', run, '--plain'], { stdio: 'ignore' });
    children.push(coordinator);
    await until('two journaled evaluations', () => evalCount(run) >= 2);
    coordinator.kill('SIGKILL');
    await new Promise((r) => coordinator.on('exit', r));
    expect(evalCount(run)).toBeLessThan(8);
    const r = zcnas(['resume', run, '--redis', redis.url, '--plain']);
    expect(r.code, r.stderr).toBe(0);
    const got = records(run);
    expect(got).toEqual(reference);
    const ids = got.filter((l) => l.includes('"type":"eval"')).map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of children.splice(0)) c.kill('SIGTERM');
  });

  it('a resume without the redis URL says what it needs', () => {
    const r = zcnas(['resume', join(dir, 'three')], { env: { ZCNAS_REDIS_URL: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the redis backend needs --redis URL/);
  });
});

describe('results that are not this run\'s are rejected', () => {
  let w: RunningWorker;
  beforeAll(async () => {
    w = await startWorker({ url: redis.url, version: 'test', concurrency: 1, stallMs: 5000, log: () => {} });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('by the check itself', () => {
    const record = { type: 'eval' };
    expect(foreignResult({ runId: 'a', id: 'x', worker: 'w', record }, 'a', 'x')).toBeUndefined();
    expect(foreignResult({ runId: 'b', id: 'x', worker: 'w', record }, 'a', 'x')).toMatch(/belongs to run b/);
    expect(foreignResult({ runId: 'a', id: 'y', worker: 'w', record }, 'a', 'x')).toMatch(/for candidate y/);
    expect(foreignResult(42, 'a', 'x')).toMatch(/not a zcnas result/);
  });

  it('end to end: a finished job under this run\'s job id but from another run is not journaled, the candidate is evaluated again', async () => {
    const config = parseSearchConfig({ objectives: [{ minimize: 'macs' }], backend: 'redis' });
    const genome = parseName('yolo8n_160');
    const id = genomeId(genome);
    const queue = new Queue(QUEUE, { connection: new Redis(redis.url, { maxRetriesPerRequest: null }) });
    // Another run's job sits where this run's job would go (same job id).
    await queue.add('evaluate', { format: 1, runId: 'other-run', version: 'test', config, id, genome, generation: 0, index: 0 }, { jobId: jobIdOf('this-run', id) });
    const lines: string[] = [];
    const ev = await redisEvaluator({ url: redis.url, runId: 'this-run', version: 'test', config, slots: 1, log: (l) => lines.push(l) });
    try {
      const record = await ev.evaluate(genome, { generation: 0, index: 0 });
      expect(record.id).toBe(id);
      expect(record.failure).toBeUndefined();
      expect(lines.some((l) => /rejected the result of job .*belongs to run other-run/.test(l))).toBe(true);
      expect(await queue.getJob(jobIdOf('this-run', id, 1))).toBeDefined();
    } finally {
      await ev.close();
      await queue.close();
    }
  });
});

describe('a Redis with a password', () => {
  let secured: RedisServer;
  beforeAll(async () => {
    secured = await startRedis('hunter2-secret');
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it('a wrong password is refused with one clear message that does not print it, exit 2, no run directory', () => {
    const bad = `redis://:wrong-pass-123@127.0.0.1:${secured.port}`;
    const w = zcnas(['worker', '--redis', bad]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/refused the credentials .*check the password/);
    expect(w.stderr).not.toContain('wrong-pass-123');
    expect(w.stderr).toContain(`redis://:***@127.0.0.1:${secured.port}`);
    const s = zcnas(['search', ...SEARCH, '--backend', 'redis', '--redis', bad, '--out', join(dir, 'never')]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/refused the credentials/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('the right password works, and it is written nowhere in the run directory', async () => {
    worker(secured.url);
    const run = join(dir, 'secured');
    const r = zcnas(['search', '--objectives', 'min:macs,min:params', '--population', '4', '--generations', '1', '--backend', 'redis', '--redis', secured.url, '--out', run, '--plain']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toContain('hunter2-secret');
    for (const f of ['config.json', 'journal.jsonl', 'front.json', 'summary.txt']) expect(readFileSync(join(run, f), 'utf8')).not.toContain('hunter2-secret');
    for (const c of children.splice(0)) c.kill('SIGTERM');
  });
});
