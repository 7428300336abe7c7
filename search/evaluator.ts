// Where candidates are evaluated: the local pool (worker processes on this machine) by default, or a
// remote backend (Redis + BullMQ). The search loop only needs this interface, so every backend
// journals the same records in the same order.
import { availableParallelism } from 'node:os';
import type { Genome } from '../space/index.js';
import type { SearchConfig } from './config.js';
import { evaluateCandidate, proxiesOf } from './evaluate.js';
import type { HardwareModel } from './hardware.js';
import type { EvalRecord } from './journal.js';
import { createScorePool, threadsPerWorker, type ScorePool } from './pool.js';

export interface Where {
  readonly generation: number;
  readonly index: number;
}

export interface Evaluator {
  /** How many candidates are evaluated at once. */
  readonly slots: number;
  evaluate(genome: Genome, where: Where): Promise<EvalRecord>;
  close(): Promise<void>;
}

/** The worker pool on this machine (created on first use, only when a proxy needs it). */
export function localEvaluator(config: SearchConfig, hardware: HardwareModel | undefined): Evaluator {
  const workers = config.workers ?? availableParallelism();
  const needsPool = proxiesOf(config).length > 0 && workers > 0;
  let pool: ScorePool | undefined;
  return {
    slots: Math.max(1, workers),
    evaluate(genome, where) {
      if (needsPool) pool ??= createScorePool(workers, config.threadsPerWorker ?? threadsPerWorker(workers), config.pool);
      return evaluateCandidate(genome, config, pool, where, hardware);
    },
    async close() {
      await pool?.close();
    },
  };
}
