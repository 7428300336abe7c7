// Piscina worker: scores one candidate in a worker thread.
import { writeFileSync } from 'node:fs';
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
  /** Bytes a pass may need (default: proxies/memory.ts defaultMemoryLimit, in the worker). */
  readonly memoryLimitBytes?: number;
}

/**
 * Fault injection for tests of the pool's crash handling: ZCNAS_FAULT_CRASH=<genome id> makes the
 * worker thread that scores that candidate exit abruptly, as a native crash in a worker would;
 * ZCNAS_FAULT_KILL=<genome id> makes a worker process receive SIGKILL, as from the kernel's
 * out-of-memory killer; ZCNAS_FAULT_KILL_ONCE=<genome id>:<file> does so only while <file> does
 * not exist, and creates it (a candidate that runs out of memory beside others, not alone).
 */
const CRASH_ID = process.env.ZCNAS_FAULT_CRASH;
const KILL_ID = process.env.ZCNAS_FAULT_KILL;
const KILL_ONCE = process.env.ZCNAS_FAULT_KILL_ONCE?.split(':');

function killOnce(id: string): void {
  const [target, marker] = KILL_ONCE ?? [];
  if (target !== id || !marker) return;
  try {
    writeFileSync(marker, '', { flag: 'wx' });
  } catch {
    return; // killed once already
  }
  process.kill(process.pid, 'SIGKILL');
}

export default async function score(task: ScoreTask): Promise<CandidateScores> {
  if (CRASH_ID !== undefined && task.id === CRASH_ID) process.exit(3);
  if (KILL_ID !== undefined && task.id === KILL_ID) process.kill(process.pid, 'SIGKILL');
  killOnce(task.id);
  return scoreCandidate(parseName(task.id), {
    proxies: task.proxies,
    batchSize: task.batchSize,
    seed: task.seed,
    ...batchInputFor(task.input),
    classes: task.classes,
    threads: task.threads,
    ...(task.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: task.memoryLimitBytes }),
  });
}
