// `zcnas worker`: takes candidate jobs from the queue and evaluates them with the same evaluator as
// the local pool (proxies in worker processes, so this thread stays free to renew the job locks).
// A worker killed mid-job stops renewing its lock; after the stall timeout BullMQ gives the job to
// another worker.
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { genomeFromJson, genomeId } from '../../space/index.js';
import { parseSearchConfig } from '../config.js';
import { evaluateCandidate, proxiesOf } from '../evaluate.js';
import { openHardwareModel, type HardwareModel } from '../hardware.js';
import { createScorePool, type ScorePool } from '../pool.js';
import { bullConnection, checkRedis, redactUrl } from './connection.js';
import { jobDataSchema, QUEUE, WORKERS_KEY, type JobResult, type WorkerStatus } from './protocol.js';

export interface WorkerOptions {
  readonly url: string;
  readonly version: string;
  /** Jobs evaluated at once (and proxy worker processes). */
  readonly concurrency: number;
  /** onnxruntime threads per job; default cores / concurrency (lower it when several workers share a machine). */
  readonly threads?: number;
  /** A job whose worker has not renewed its lock for this long is given to another worker. */
  readonly stallMs: number;
  readonly log: (line: string) => void;
}

export interface RunningWorker {
  readonly name: string;
  /** Finishes the jobs in hand, then disconnects. */
  close(): Promise<void>;
  /** Resolves when the worker has closed. */
  readonly closed: Promise<void>;
}

export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  await checkRedis(o.url);
  const name = `${hostname()}:${process.pid}`;
  const connection = bullConnection(o.url);
  const status = { busy: 0, done: 0, failed: 0 };
  let pool: ScorePool | undefined;
  const hardware = new Map<string, Promise<HardwareModel | undefined>>();
  const delayMs = Number(process.env.ZCNAS_FAULT_JOB_DELAY_MS ?? 0); // tests: a window to kill a worker mid-job

  const heartbeat = async (): Promise<void> => {
    const s: WorkerStatus = { worker: name, host: hostname(), pid: process.pid, concurrency: o.concurrency, ...status, seen: Date.now() };
    await connection.hset(WORKERS_KEY, name, JSON.stringify(s));
  };

  const processJob = async (job: Job): Promise<JobResult> => {
    const d = jobDataSchema.safeParse(job.data);
    if (!d.success) throw new UnrecoverableError('not a zcnas job');
    const data = d.data;
    if (data.version !== o.version) throw new UnrecoverableError(`this worker runs zcnas ${o.version}; run ${data.runId} needs zcnas ${data.version}`);
    const config = parseSearchConfig(data.config, `job ${job.id} config`);
    const genome = genomeFromJson(data.genome);
    if (genomeId(genome) !== data.id) throw new UnrecoverableError(`job ${job.id}: genome and id disagree`);
    status.busy++;
    void heartbeat().catch(() => {});
    try {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (proxiesOf(config).length > 0) pool ??= createScorePool(o.concurrency, o.threads);
      if (!hardware.has(data.runId)) hardware.set(data.runId, openHardwareModel(config));
      const t0 = performance.now();
      const record = await evaluateCandidate(genome, config, pool, { generation: data.generation, index: data.index }, await hardware.get(data.runId));
      if (record.failure !== undefined) status.failed++;
      else status.done++;
      o.log(`${data.id} (run ${data.runId}) in ${((performance.now() - t0) / 1000).toFixed(2)} s${record.failure ? `: FAILED ${record.failure}` : ''}`);
      return { runId: data.runId, id: data.id, worker: name, record };
    } finally {
      status.busy--;
      void heartbeat().catch(() => {});
    }
  };

  const worker = new Worker(QUEUE, processJob, {
    connection: bullConnection(o.url),
    concurrency: o.concurrency,
    lockDuration: o.stallMs,
    stalledInterval: o.stallMs,
    // A job whose workers keep dying is retried this often before it is failed for good.
    maxStalledCount: 5,
  });
  // Redis going away makes BullMQ report the same error on every retry; say it once per change.
  let lastError = '';
  worker.on('error', (e) => {
    if (e.message !== lastError) o.log(`queue error: ${e.message} (retrying)`);
    lastError = e.message;
  });
  await worker.waitUntilReady();
  await heartbeat();
  const timer = setInterval(() => void heartbeat().catch(() => {}), 1000);
  timer.unref();
  o.log(`worker ${name} serving ${QUEUE} on ${redactUrl(o.url)}, concurrency ${o.concurrency}, stall timeout ${o.stallMs / 1000} s`);

  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  return {
    name,
    closed,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        // Jobs in hand finish first; but with Redis gone, closing could wait forever: give up after a while.
        const patience = new Promise<void>((r) => setTimeout(r, o.stallMs + 10_000).unref());
        await Promise.race([worker.close(), patience]);
        await pool?.close();
        for (const h of hardware.values()) await (await h)?.close();
        await Promise.race([connection.hdel(WORKERS_KEY, name).catch(() => 0), new Promise((r) => setTimeout(r, 2000).unref())]);
        connection.disconnect();
        resolveClosed();
      })();
      return closing;
    },
  };
}
