// zcnas worker: evaluate candidates for searches running on the redis backend, on any machine.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { REDIS_URL_ENV, startWorker } from '../search/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag } from './flags.js';
import { toolVersion } from './version.js';

export const WORKER_HELP = `Usage: zcnas worker --redis URL [--concurrency N] [--threads N] [--stall-timeout S]

Takes candidate jobs from the Redis queue of every search started with --backend redis, evaluates
them exactly as the local pool would (same proxies, same costs, same seed), and returns the
records. Start as many as you like, on as many machines; each needs the same zcnas version.
Ctrl-C finishes the jobs in hand, then stops. A worker that dies mid-job has its job handed to
another worker after the stall timeout.

Options:
  --redis URL            redis://[:password@]host[:port][/db], or rediss:// for TLS
                         (default: the ${REDIS_URL_ENV} environment variable; the password is never printed)
  --concurrency N        candidates at once, each in its own worker process (default: cores)
  --threads N            onnxruntime threads per candidate (default: cores / concurrency; lower it
                         when several workers share one machine)
  --stall-timeout S      seconds without a lock renewal before a job is retried elsewhere (default 30)
  -h, --help             show this help`;

export async function runWorkerCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { redis: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, 'stall-timeout': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(WORKER_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`worker takes options only (got ${positionals.join(' ')}); see zcnas worker --help`);
  const url = values.redis ?? process.env[REDIS_URL_ENV];
  if (!url) throw new UsageError(`worker needs --redis URL (or ${REDIS_URL_ENV}), e.g. zcnas worker --redis redis://queue.lan:6379`);
  const concurrency = parseIntFlag('--concurrency', values.concurrency, availableParallelism(), 1, 256);
  const stallMs = 1000 * parseIntFlag('--stall-timeout', values['stall-timeout'], 30, 1, 86_400);
  const threads = values.threads === undefined ? undefined : parseIntFlag('--threads', values.threads, 1, 1, 256);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const worker = await startWorker({ url, version: toolVersion(), concurrency, stallMs, log, ...(threads === undefined ? {} : { threads }) });
  let signals = 0;
  const onSignal = (): void => {
    if (++signals > 1) process.exit(130);
    log('finishing the jobs in hand (Ctrl-C again to quit now)');
    void worker.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await worker.closed;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  log(`worker ${worker.name} stopped`);
  // Connections still retrying a Redis that went away must not keep the process alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  return 0;
}
