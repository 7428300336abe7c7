// search/redis: the distributed backend (Redis + BullMQ): coordinator, worker, protocol, connections.
export { BackendError, checkRedis, checkRedisUrl, redactUrl } from './connection.js';
export { foreignResult, readWorkers, redisEvaluator, workersLine, type RedisEvaluatorOptions } from './coordinator.js';
export { startWorker, type RunningWorker, type WorkerOptions } from './worker.js';
export { jobIdOf, QUEUE, runIdOf, WORKERS_KEY, type JobData, type JobResult, type WorkerStatus } from './protocol.js';
