// search/: the evaluator pool (more of the search lands here: strategies, Pareto, journal).
export { createScorePool, threadsPerWorker, type ScorePool } from './pool.js';
export type { ScoreTask } from './score-worker.js';
export { crowdingDistance, dominates, hypervolume, nonDominatedSort, type Evaluated } from './pareto.js';
export { firstFront, initialPopulation, nsga2Step, survivors, type Member, type Nsga2Problem } from './nsga2.js';
