// A worker process of the process pool (search/process-pool.ts): scores the candidates its parent
// sends over IPC, one at a time, with the same function as the worker threads.
import type { CandidateScores } from '../proxies/index.js';
import score, { type ScoreTask } from './score-worker.js';

export type ScoreRequest = { readonly seq: number; readonly task: ScoreTask };
export type ScoreReply = { readonly seq: number; readonly ok: true; readonly result: CandidateScores } | { readonly seq: number; readonly ok: false; readonly message: string };

const send = (reply: ScoreReply): void => {
  process.send?.(reply);
};

process.on('message', (req: ScoreRequest) => {
  score(req.task).then(
    (result) => send({ seq: req.seq, ok: true, result }),
    (e: unknown) => send({ seq: req.seq, ok: false, message: e instanceof Error ? e.message : String(e) }),
  );
});
// Ctrl-C in a terminal reaches the whole process group: the parent decides (it lets the candidates
// in flight finish, then closes the pool), so a worker process does not die of it.
process.on('SIGINT', () => undefined);
// The parent is gone (closed the pool, or was killed): nothing is left to score for.
process.on('disconnect', () => process.exit(0));
