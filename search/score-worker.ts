// Piscina worker: scores one candidate in a worker thread.
import { batchInputFor, scoreCandidate, type BatchInputSpec, type CandidateScores } from '../proxies/index.js';
import { parseName } from '../space/index.js';

export interface ScoreTask {
  readonly id: string;
  readonly proxies: readonly string[];
  readonly batchSize: number;
  readonly seed: number;
  /** Where batches come from: Gaussian noise when it names nothing. */
  readonly input: BatchInputSpec;
  readonly classes: number;
  readonly threads: number;
}

/**
 * Fault injection for tests of the pool's crash handling: ZCNAS_FAULT_CRASH=<genome id> makes the
 * worker thread that scores that candidate exit abruptly, as a native crash in a worker would;
 * ZCNAS_FAULT_KILL=<genome id> makes a worker process receive SIGKILL, as from the kernel's
 * out-of-memory killer.
 */
const CRASH_ID = process.env.ZCNAS_FAULT_CRASH;
const KILL_ID = process.env.ZCNAS_FAULT_KILL;

export default async function score(task: ScoreTask): Promise<CandidateScores> {
  if (CRASH_ID !== undefined && task.id === CRASH_ID) process.exit(3);
  if (KILL_ID !== undefined && task.id === KILL_ID) process.kill(process.pid, 'SIGKILL');
  return scoreCandidate(parseName(task.id), {
    proxies: task.proxies,
    batchSize: task.batchSize,
    seed: task.seed,
    ...batchInputFor(task.input),
    classes: task.classes,
    threads: task.threads,
  });
}
