// The evaluator pool as worker processes instead of threads. Each process has its own memory map
// and its own allocator: on machines where page faults are slow, threads of one process contend
// for the same map, and every candidate's fresh onnxruntime session faults its memory in anew.
// Worker processes run with onnxruntime's arena off and glibc told to keep freed memory
// (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_), so a session reuses pages an earlier one
// faulted in. Same interface and same scores as the thread pool.
import { fork, type ChildProcess } from 'node:child_process';
import type { CandidateScores } from '../proxies/index.js';
import { compiledModule } from './compiled.js';
import type { ScorePool } from './pool.js';
import type { ScoreReply } from './score-process.js';
import type { ScoreTask } from './score-worker.js';

/**
 * A SIGKILL that the pool did not send (its own, at a timeout, reports the timeout instead) comes,
 * on Linux, almost always from the kernel's out-of-memory killer.
 */
const OOM_HINT = ': most likely the out-of-memory killer, as the candidate needed more memory than was free; fewer workers or a smaller batch leave it more';
const OOM_ALONE_HINT = ': most likely the out-of-memory killer, also when it ran alone (after a first kill beside other candidates); a smaller batch needs less memory';

/**
 * On Linux (glibc): blocks up to glibc's 32 MiB ceiling come from the heap and freed memory stays
 * there, instead of being unmapped and faulted in again by the next session. onnxruntime's own arena
 * is off, as it would map its large chunks afresh per session.
 */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> =
  process.platform === 'linux' ? { MALLOC_MMAP_THRESHOLD_: '33554432', MALLOC_TRIM_THRESHOLD_: '68719476736', ZCNAS_ORT_ARENA: '0' } : {};

interface Job {
  readonly task: ScoreTask;
  readonly timeoutMs: number | undefined;
  /** A second attempt after an out-of-memory kill beside other candidates: runs with no other. */
  readonly alone?: boolean;
  resolve(r: CandidateScores): void;
  reject(e: Error): void;
}

interface Slot {
  /** Started when a job needs it, so a process that dies as it starts is not restarted in a loop. */
  child?: ChildProcess;
  /** Killed (a timeout) and not yet gone: takes no job until its exit. */
  dying?: boolean;
  /** `beside`: another candidate ran at the same time at some point of this one's run. */
  job?: { readonly seq: number; readonly job: Job; readonly timer?: NodeJS.Timeout; beside: boolean };
}

export function createProcessPool(workers: number, threads: number): ScorePool {
  const file = compiledModule('score-process');
  const queue: Job[] = [];
  /** Jobs to run again alone: they wait until no other job runs, and none starts beside them. */
  const aloneQueue: Job[] = [];
  let seq = 0;
  let closed = false;

  const spawn = (): ChildProcess =>
    fork(file, [], { env: { ...WORKER_PROCESS_ENV, ...process.env }, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  const finish = (slot: Slot, outcome: { result: CandidateScores } | { error: Error }): void => {
    const current = slot.job;
    if (!current) return;
    if (current.timer) clearTimeout(current.timer);
    slot.job = undefined;
    if ('result' in outcome) current.job.resolve(outcome.result);
    else current.job.reject(outcome.error);
  };

  const start = (slot: Slot): ChildProcess => {
    const child = spawn();
    slot.child = child;
    // A failed send (the process went away in between) ends the process; its exit reports the job.
    child.on('error', () => child.kill('SIGKILL'));
    child.on('message', (reply: ScoreReply) => {
      if (slot.child !== child || slot.job?.seq !== reply.seq) return;
      finish(slot, reply.ok ? { result: reply.result } : { error: new Error(reply.message) });
      nextAll();
    });
    child.on('exit', (code, signal) => {
      if (slot.child !== child) return;
      const current = slot.job;
      if (signal === 'SIGKILL' && current && current.beside && !current.job.alone && !closed) {
        // Killed from outside while other candidates shared the memory: most likely the
        // out-of-memory killer. Scores do not depend on the process, so the candidate runs again,
        // alone, with all the memory the machine has.
        if (current.timer) clearTimeout(current.timer);
        slot.job = undefined;
        aloneQueue.push({ ...current.job, alone: true });
      } else {
        const hint = signal !== 'SIGKILL' ? '' : current?.job.alone ? OOM_ALONE_HINT : OOM_HINT;
        finish(slot, { error: new Error(`the worker process died (${signal ?? `exit code ${code}`})${hint}`) });
      }
      slot.dying = false;
      slot.child = undefined;
      // A crash (or a timeout's kill) costs that candidate only: the next job starts a fresh process.
      nextAll();
    });
    return child;
  };

  const busy = (): Slot[] => slots.filter((s) => s.job !== undefined || s.dying === true);
  const next = (slot: Slot): void => {
    if (closed || slot.job || slot.dying) return;
    const others = busy();
    if (others.some((s) => s.job?.job.alone)) return;
    // A job waiting to run alone lets the running ones finish and starts none beside them.
    const job = aloneQueue.length > 0 ? (others.length === 0 ? aloneQueue.shift() : undefined) : queue.shift();
    if (!job) return;
    for (const s of others) if (s.job) s.job.beside = true;
    const s = ++seq;
    const child = slot.child ?? start(slot);
    const timer = job.timeoutMs === undefined ? undefined : setTimeout(() => {
      slot.dying = true;
      finish(slot, { error: new Error(`timed out after ${((job.timeoutMs ?? 0) / 1000).toFixed(0)} s`) });
      child.kill('SIGKILL');
    }, job.timeoutMs);
    slot.job = { seq: s, job, ...(timer ? { timer } : {}), beside: others.length > 0 };
    child.send({ seq: s, task: job.task });
  };
  const nextAll = (): void => {
    for (const slot of slots) next(slot);
  };

  // Started now, so that loading onnxruntime overlaps with the caller's own start.
  const slots: Slot[] = Array.from({ length: workers }, () => ({}));
  for (const slot of slots) start(slot);

  return {
    workers,
    threadsPerWorker: threads,
    score(task, timeoutMs) {
      if (closed) return Promise.reject(new Error('the pool is closed'));
      return new Promise<CandidateScores>((resolve, reject) => {
        queue.push({ task: { ...task, threads }, timeoutMs, resolve, reject });
        nextAll();
      });
    },
    async close() {
      closed = true;
      for (const job of [...aloneQueue.splice(0), ...queue.splice(0)]) job.reject(new Error('the pool is closed'));
      await Promise.all(
        slots.map(
          (slot) =>
            new Promise<void>((done) => {
              finish(slot, { error: new Error('the pool is closed') });
              const child = slot.child;
              if (!child || child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              if (child.connected) child.disconnect();
              else child.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
