// The evaluator pool: worker processes (search/process-pool.ts, the default) or piscina worker
// threads, each scoring candidates with its own onnxruntime sessions; onnxruntime threads per
// worker are chosen so workers x threads = cores.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { CandidateScores } from '../proxies/index.js';
import { compiledModule } from './compiled.js';
import { createProcessPool } from './process-pool.js';
import type { ScoreTask } from './score-worker.js';

export interface ScorePool {
  readonly workers: number;
  readonly threadsPerWorker: number;
  /** Scores in a worker; rejects when the worker dies or `timeoutMs` passes (the worker is then stopped). */
  score(task: Omit<ScoreTask, 'threads'>, timeoutMs?: number): Promise<CandidateScores>;
  close(): Promise<void>;
}

export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

/**
 * Worker processes score 1.6-1.9x faster than threads on a 2-core VM with slow page faults (each
 * process keeps its own freed memory; threads share one memory map): see bench/search-figures.ts.
 */
export type PoolKind = 'processes' | 'threads';
export const POOL_KINDS: readonly PoolKind[] = ['processes', 'threads'];

/** `threads`: onnxruntime threads per worker; default cores / workers, so the pool fills the machine once. */
export function createScorePool(workers: number, threads = threadsPerWorker(workers), kind: PoolKind = 'processes'): ScorePool {
  return kind === 'processes' ? createProcessPool(workers, threads) : createThreadPool(workers, threads);
}

function createThreadPool(workers: number, threads: number): ScorePool {
  const pool = new Piscina({ filename: compiledModule('score-worker'), minThreads: workers, maxThreads: workers, idleTimeout: 60_000 });
  return {
    workers,
    threadsPerWorker: threads,
    async score(task, timeoutMs) {
      if (timeoutMs === undefined) return (await pool.run({ ...task, threads } satisfies ScoreTask)) as CandidateScores;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        return (await pool.run({ ...task, threads } satisfies ScoreTask, { signal: abort.signal })) as CandidateScores;
      } catch (e) {
        if (abort.signal.aborted) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s`);
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.destroy(),
  };
}
