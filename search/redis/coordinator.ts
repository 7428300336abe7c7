// The coordinator's side of the Redis backend: candidates become BullMQ jobs (one job id per run and
// candidate, so a resumed coordinator re-attaches to jobs already queued, running or done), results
// are checked to belong to this run and candidate, and the live workers are reported.
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { genomeFromJson, genomeId } from '../../space/index.js';
import type { SearchConfig } from '../config.js';
import { failedRecord } from '../evaluate.js';
import type { Evaluator } from '../evaluator.js';
import type { EvalRecord } from '../journal.js';
import { bullConnection, checkRedis, redactUrl } from './connection.js';
import { jobIdOf, jobResultSchema, QUEUE, WORKER_STALE_MS, WORKERS_KEY, type JobData, type WorkerStatus } from './protocol.js';

export interface RedisEvaluatorOptions {
  readonly url: string;
  readonly runId: string;
  readonly version: string;
  readonly config: SearchConfig;
  /** Candidates queued at once; enough to keep every remote worker busy. */
  readonly slots: number;
  readonly log: (line: string) => void;
  /** Called when the set of live workers or their counts change. */
  readonly onWorkers?: (workers: readonly WorkerStatus[]) => void;
  /** How often the workers' heartbeats are read. Default 2000 ms. */
  readonly statusEveryMs?: number;
}

/** Rejects a result that is not this run's result for this candidate; returns the reason, or undefined. */
export function foreignResult(value: unknown, runId: string, id: string): string | undefined {
  const r = jobResultSchema.safeParse(value);
  if (!r.success) return 'it is not a zcnas result';
  if (r.data.runId !== runId) return `it belongs to run ${r.data.runId}, not ${runId}`;
  if (r.data.id !== id) return `it is for candidate ${r.data.id}`;
  return undefined;
}

export async function readWorkers(client: Redis, now = Date.now()): Promise<WorkerStatus[]> {
  const all = await client.hgetall(WORKERS_KEY);
  return Object.values(all)
    .map((v) => JSON.parse(v) as WorkerStatus)
    .filter((w) => now - w.seen < WORKER_STALE_MS)
    .sort((a, b) => a.worker.localeCompare(b.worker));
}

export function workersLine(workers: readonly WorkerStatus[]): string {
  if (workers.length === 0) return 'workers: none connected (start some with zcnas worker --redis URL)';
  return `workers: ${workers.map((w) => `${w.worker} busy ${w.busy}/${w.concurrency} done ${w.done} failed ${w.failed}`).join('; ')}`;
}

export async function redisEvaluator(o: RedisEvaluatorOptions): Promise<Evaluator> {
  await checkRedis(o.url);
  const connection = bullConnection(o.url);
  const eventsConnection = bullConnection(o.url);
  const queue = new Queue(QUEUE, { connection });
  const events = new QueueEvents(QUEUE, { connection: eventsConnection });
  // Every job in flight waits on these emitters; Node's default of 10 listeners would warn.
  queue.setMaxListeners(o.slots + 16);
  events.setMaxListeners(o.slots + 16);
  await events.waitUntilReady();
  o.log(`queue ${QUEUE} on ${redactUrl(o.url)}, run ${o.runId}`);
  let lastLine = '';
  const poll = async (): Promise<void> => {
    const workers = await readWorkers(connection);
    const line = workersLine(workers);
    if (line !== lastLine) {
      o.log(line);
      o.onWorkers?.(workers);
      lastLine = line;
    }
  };
  await poll();
  const timer = setInterval(() => void poll().catch(() => {}), o.statusEveryMs ?? 2000);
  timer.unref();

  const data = (genome: JobData['genome'], where: { generation: number; index: number }): JobData => ({
    format: 1,
    runId: o.runId,
    version: o.version,
    config: o.config,
    id: genomeId(genome),
    genome,
    ...where,
  });

  return {
    slots: o.slots,
    async evaluate(genome, where): Promise<EvalRecord> {
      const id = genomeId(genome);
      for (let attempt = 0; attempt < 3; attempt++) {
        // Completed jobs are kept a week so that a coordinator resumed later still finds them.
        const job: Job = await queue.add('evaluate', data(genome, where), {
          jobId: jobIdOf(o.runId, id, attempt),
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        });
        let value: unknown;
        try {
          value = await job.waitUntilFinished(events);
        } catch (e) {
          return failedRecord(genome, o.config, where, `remote evaluation failed: ${(e as Error).message}`);
        }
        const why = foreignResult(value, o.runId, id);
        if (why === undefined) {
          const r = value as { record: EvalRecord & { genome: unknown } };
          return { ...r.record, ...where, genome: genomeFromJson(r.record.genome) };
        }
        o.log(`rejected the result of job ${job.id}: ${why}; queueing it again`);
      }
      return failedRecord(genome, o.config, where, 'remote evaluation returned a foreign result three times');
    },
    async close() {
      clearInterval(timer);
      await events.close();
      await queue.close();
      connection.disconnect();
      eventsConnection.disconnect();
    },
  };
}
