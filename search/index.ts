// search/: the evaluator pool (more of the search lands here: strategies, Pareto, journal).
export { createScorePool, threadsPerWorker, type ScorePool } from './pool.js';
export type { ScoreTask } from './score-worker.js';
