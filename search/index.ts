// search/: the evaluator pool, strategies, Pareto utilities, the config, the journal, export.
export { createScorePool, POOL_KINDS, threadsPerWorker, type PoolKind, type ScorePool } from './pool.js';
export { WORKER_PROCESS_ENV } from './process-pool.js';
export type { ScoreTask } from './score-worker.js';
export { crowdingDistance, dominates, hypervolume, nonDominatedSort, type Evaluated } from './pareto.js';
export { firstFront, initialPopulation, nsga2Step, survivors, type Member, type Nsga2Problem } from './nsga2.js';
export { COSTS, ConfigError, parseSearchConfig, searchConfigSchema, spaceOf, type CostName, type SearchConfig } from './config.js';
export { batchInputOf, evaluateCandidate, proxiesOf } from './evaluate.js';
export { configBaseDir, inlinePredictor, openHardwareModel, type HardwareCosts, type HardwareModel } from './hardware.js';
export { Journal, JOURNAL_FORMAT, RUN_FILES, RunDirError, type EvalRecord, type JournalState, type StepRecord } from './journal.js';
export { validateFront, validationFile, VALIDATION_TOLERANCE, type Validation, type ValidationEntry } from './validate.js';
export { assess, currentFront, failureReason, REDIS_URL_ENV, runSearch, type FrontEntry, type RunHooks, type RunOptions, type RunOutcome, type SearchEvent } from './run.js';
export { createStrategy, type Strategy, type StrategyName } from './strategies.js';
export { EXPORT_FORMATS, ExportError, exportRecords, selectRecords, type ExportFormat, type Exported, type Selection } from './export.js';
export { ultralyticsProblem, ultralyticsYaml, type UltralyticsYaml } from './ultralytics.js';
export { localEvaluator, type Evaluator, type Where } from './evaluator.js';
export { failedRecord } from './evaluate.js';
export * from './redis/index.js';
