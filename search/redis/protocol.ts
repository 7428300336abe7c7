// What travels through the queue: a job names its run, the tool version, the whole config and the
// candidate; a result names the run and candidate it belongs to, so a result from another run (or
// for another candidate) is recognised and rejected.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { z } from 'zod';
import type { Genome } from '../../space/index.js';
import type { SearchConfig } from '../config.js';
import type { EvalRecord } from '../journal.js';

export const QUEUE = 'zcnas-candidates';
/** Hash of live workers: field `host:pid`, value a JSON WorkerStatus. */
export const WORKERS_KEY = 'zcnas:workers';
/** A worker not seen for this long is taken as gone. */
export const WORKER_STALE_MS = 10_000;

export interface JobData {
  readonly format: 1;
  readonly runId: string;
  readonly version: string;
  readonly config: SearchConfig;
  readonly id: string;
  readonly genome: Genome;
  readonly generation: number;
  readonly index: number;
}

export interface JobResult {
  readonly runId: string;
  readonly id: string;
  /** `host:pid` of the worker that evaluated it. */
  readonly worker: string;
  readonly record: EvalRecord;
}

export const jobDataSchema = z.object({
  format: z.literal(1),
  runId: z.string().min(1),
  version: z.string(),
  config: z.unknown(),
  id: z.string().min(1),
  genome: z.unknown(),
  generation: z.number().int(),
  index: z.number().int(),
});

export const jobResultSchema = z.object({ runId: z.string(), id: z.string(), worker: z.string(), record: z.unknown() });

export interface WorkerStatus {
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly busy: number;
  readonly done: number;
  readonly failed: number;
  /** ms since the epoch of the last heartbeat. */
  readonly seen: number;
}

/**
 * A run's identity: its folder (resolved) and its journal header. Resuming the same folder finds its
 * jobs again; another run, even with the same config, has another id, so its results are not taken.
 */
export function runIdOf(dir: string, headerLine: string): string {
  return createHash('sha256').update(`${realpathSync(dir)}\n${headerLine}`).digest('hex').slice(0, 16);
}

/** BullMQ job ids: one per run and candidate, so enqueueing twice (a resumed coordinator) is a no-op. */
export function jobIdOf(runId: string, id: string, attempt = 0): string {
  return `${runId}-${id}${attempt > 0 ? `-r${attempt}` : ''}`;
}
