// Evaluating one candidate for the search: proxies in the pool (or here when there is none), costs
// from the graph wherever it is built; a crash or a timeout becomes a recorded failure.
import { costs } from '../nn/index.js';
import { batchInputFor, scoreCandidate, type BatchInputSpec, type ProxyResult } from '../proxies/index.js';
import { buildGraph, genomeId, type Genome } from '../space/index.js';
import type { SearchConfig } from './config.js';
import type { HardwareModel } from './hardware.js';
import type { EvalRecord } from './journal.js';
import type { ScorePool } from './pool.js';

/** The proxies' input as the config names it. */
export function batchInputOf(config: SearchConfig): BatchInputSpec {
  return { images: config.images, labels: config.labels, surrogate: config.surrogate };
}

export function proxiesOf(config: SearchConfig): string[] {
  return [...new Set(config.objectives.flatMap((o) => ('maximize' in o ? [o.maximize] : [])))];
}

export async function evaluateCandidate(
  genome: Genome,
  config: SearchConfig,
  pool: ScorePool | undefined,
  where: { generation: number; index: number },
  hardware?: HardwareModel,
): Promise<EvalRecord> {
  const id = genomeId(genome);
  const proxies = proxiesOf(config);
  const memory = config.memoryLimitGiB === undefined ? {} : { memoryLimitBytes: config.memoryLimitGiB * 2 ** 30 };
  const task = { id, proxies, batchSize: config.batch, seed: config.seed, input: batchInputOf(config), classes: config.classes, ...memory };
  const failure = (e: unknown): string => `crashed or timed out: ${e instanceof Error ? e.message : String(e)}`;
  if (pool && proxies.length > 0 && !hardware) {
    // The worker builds the graph to score it and returns its costs too: building it here as well
    // would delay every candidate's start and take CPU from the workers.
    try {
      const r = await pool.score(task, config.timeoutSeconds * 1000);
      return { type: 'eval', ...where, id, genome, params: r.params, macs: r.macs, memory: r.memory, scores: r.scores as Record<string, ProxyResult> };
    } catch (e) {
      return failedRecord(genome, config, where, failure(e));
    }
  }
  const graph = buildGraph(genome, { classes: config.classes });
  const c = costs(graph);
  const hw = hardware ? await hardware.costs({ id, genome, graph }) : {};
  const base = { type: 'eval' as const, ...where, id, genome, params: c.params, macs: c.macs, memory: c.peak.bytesInt8, ...hw };
  if (proxies.length === 0) return { ...base, scores: {} };
  try {
    const scores = pool
      ? (await pool.score(task, config.timeoutSeconds * 1000)).scores
      : (await scoreCandidate(genome, { ...task, ...batchInputFor(task.input) })).scores;
    return { ...base, scores: scores as Record<string, ProxyResult> };
  } catch (e) {
    return { ...base, scores: {}, failure: failure(e) };
  }
}

/** The record of a candidate that could not be evaluated at all (e.g. a remote job that failed). */
export function failedRecord(genome: Genome, config: SearchConfig, where: { generation: number; index: number }, failure: string): EvalRecord {
  const c = costs(buildGraph(genome, { classes: config.classes }));
  return { type: 'eval', ...where, id: genomeId(genome), genome, params: c.params, macs: c.macs, memory: c.peak.bytesInt8, scores: {}, failure };
}
