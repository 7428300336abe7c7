// search/: the evaluator pool (more of the search lands here: strategies, Pareto, journal).
export { createScorePool, threadsPerWorker, type ScorePool } from './pool.js';
export type { ScoreTask } from './score-worker.js';
export { crowdingDistance, dominates, hypervolume, nonDominatedSort, type Evaluated } from './pareto.js';
export { firstFront, initialPopulation, nsga2Step, survivors, type Member, type Nsga2Problem } from './nsga2.js';
export { COSTS, ConfigError, parseSearchConfig, searchConfigSchema, type CostName, type SearchConfig } from './config.js';
export { evaluateCandidate, proxiesOf } from './evaluate.js';
export { Journal, JOURNAL_FORMAT, RUN_FILES, RunDirError, type EvalRecord, type JournalState, type StepRecord } from './journal.js';
export { assess, currentFront, runSearch, type FrontEntry, type RunHooks, type RunOutcome } from './run.js';
export { createStrategy, type Strategy, type StrategyName } from './strategies.js';
export { EXPORT_FORMATS, ExportError, exportRecords, selectRecords, type ExportFormat, type Exported, type Selection } from './export.js';
export { ultralyticsProblem, ultralyticsYaml, type UltralyticsYaml } from './ultralytics.js';
