// Figures of the distributed backend: NASWOT search throughput with 1, 2 and 4 `zcnas worker`
// processes on this machine against the local pool, and the queue's overhead per candidate
// (cost-only candidates, which take about a millisecond to evaluate, through Redis vs in process).
// Starts its own redis-server (Debian's) on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { REDIS_URL_ENV, WORKERS_KEY } from '../search/index.js';
import { NASWOT_SEARCH, progress, progressDone, timedSearch, writeResult } from './common.js';

const BIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
}


export async function benchRedisBackend(): Promise<object> {
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  process.env[REDIS_URL_ENV] = url;
  const client = new Redis(url, { retryStrategy: () => 100 });
  client.on('error', () => {});
  await waitFor(async () => (await client.ping().catch(() => '')) === 'PONG');
  const workers: ChildProcess[] = [];
  const startWorkers = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++)
      // Processes on one machine share its cores: threads per process = cores / processes.
      workers.push(spawn(process.execPath, [BIN, 'worker', '--redis', url, '--concurrency', '1', '--threads', String(Math.max(1, Math.floor(availableParallelism() / n)))], { stdio: 'ignore' }));
    await waitFor(async () => Object.keys(await client.hgetall(WORKERS_KEY)).length >= n);
  };
  const stopWorkers = async (): Promise<void> => {
    for (const w of workers.splice(0)) w.kill('SIGTERM');
    await waitFor(async () => Object.keys(await client.hgetall(WORKERS_KEY)).length === 0);
  };
  try {
    const nano = NASWOT_SEARCH;
    const rows: { backend: string; processes: number; candidatesPerMinute: number }[] = [];
    let seed = 10;
    progress('redis bench: local pool');
    const local = await timedSearch({ ...nano, seed: seed++, backend: 'local' });
    rows.push({ backend: 'local pool (worker processes)', processes: 1, candidatesPerMinute: (60 * local.evaluated) / local.seconds });
    for (const n of [1, 2, 4]) {
      progress(`redis bench: ${n} worker process(es)`);
      await startWorkers(n);
      const r = await timedSearch({ ...nano, seed: seed++, backend: 'redis' });
      rows.push({ backend: `redis, ${n} worker process(es)`, processes: n, candidatesPerMinute: (60 * r.evaluated) / r.seconds });
      await stopWorkers();
    }
    // Queue overhead: the same cost-only search in process and through the queue with one worker.
    const costOnly = { objectives: [{ minimize: 'macs' }, { minimize: 'params' }], population: 16, generations: 4, workers: 0 };
    progress('redis bench: queue overhead');
    const inProcess = await timedSearch({ ...costOnly, seed: 100, backend: 'local' });
    await startWorkers(1);
    const queued = await timedSearch({ ...costOnly, seed: 100, backend: 'redis' });
    await stopWorkers();
    progressDone();
    const overheadMs = (1000 * (queued.seconds - inProcess.seconds)) / queued.evaluated;
    const result = {
      figure: 'redis backend: NASWOT search throughput by worker processes vs the local pool; queue overhead per candidate',
      workload: 'NASWOT + MACs, v5/v8 n-size at 160-256 px, batch 8, 48 candidates per run',
      rows,
      queueOverheadMsPerCandidate: overheadMs,
      costOnlyRuns: { inProcessSeconds: inProcess.seconds, queuedSeconds: queued.seconds, candidates: queued.evaluated },
    };
    for (const r of rows) console.log(`${r.backend.padEnd(32)} ${r.candidatesPerMinute.toFixed(1)} candidates/min`);
    console.log(`queue overhead: ${overheadMs.toFixed(1)} ms per candidate (${queued.evaluated} cost-only candidates, one worker)`);
    writeResult('redis-backend', result);
    return result;
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    client.disconnect();
    server.kill('SIGKILL');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRedisBackend();
