// Validation: measure a run's Pareto front on a real target and put the measurements next to what the
// search predicted, so it is plain where the prediction was wrong and whether the front's order holds.
import { ranks, spearman } from '../proxies/index.js';
import { buildGraph } from '../space/index.js';
import type { Measurement, Target } from '../hardware/index.js';
import type { SearchConfig } from './config.js';
import type { EvalRecord, JournalState } from './journal.js';
import { currentFront } from './run.js';

/** A prediction more than this far from the measurement (relative) is flagged. */
export const VALIDATION_TOLERANCE = 0.15;

export interface ValidationEntry {
  readonly id: string;
  readonly predicted: { readonly latency?: number; readonly ram?: number; readonly flash?: number };
  readonly measured: Measurement;
  /** (predicted - measured) / measured of the latency median, when the run predicted latency. */
  readonly latencyError?: number;
  /** Rank of the candidate on the front by predicted and by measured latency (1 = fastest). */
  readonly predictedRank?: number;
  readonly measuredRank: number;
  /** Plain sentences: where the prediction was wrong, constraints broken when measured. */
  readonly notes: readonly string[];
}

export interface Validation {
  readonly target: string;
  readonly source: Measurement['source'];
  readonly entries: readonly ValidationEntry[];
  /** Over the front: mean absolute percentage error of latency and Spearman of predicted vs measured. */
  readonly latencyMape?: number;
  readonly latencySpearman?: number;
  readonly environment: Measurement['environment'];
  /** The target the run's latency predictor was fitted for, when it had one. */
  readonly predictedFor?: string;
}

export function validationFile(target: string): string {
  return `validation-${target.replace(/[^A-Za-z0-9.-]+/g, '_')}.json`;
}

function notesFor(m: Measurement, config: SearchConfig, error: number | undefined, predictedRank: number | undefined, measuredRank: number): string[] {
  const notes: string[] = [];
  if (error !== undefined && Math.abs(error) > VALIDATION_TOLERANCE)
    notes.push(`latency predicted ${error > 0 ? 'too high' : 'too low'} by ${Math.abs(100 * error).toFixed(0)}%`);
  if (predictedRank !== undefined && predictedRank !== measuredRank) notes.push(`latency rank ${predictedRank} predicted, ${measuredRank} measured`);
  for (const c of config.constraints) {
    const measured = c.cost === 'latency' ? m.latencyMs.median : c.cost === 'ram' ? m.ramBytes : c.cost === 'flash' ? m.flashBytes : undefined;
    if (measured !== undefined && measured > c.max) notes.push(`breaks ${c.cost} <= ${c.max} when measured (${Number(measured.toPrecision(4))})`);
  }
  if (m.fit && !m.fit.fits) notes.push(...m.fit.reasons);
  return notes;
}

export async function validateFront(
  state: JournalState,
  target: Target,
  progress: (done: number, total: number, line: string) => void,
): Promise<Validation> {
  const config = state.config;
  const records = currentFront(state.order, config).map((f) => state.evals.get(f.id) as EvalRecord);
  const measured: Measurement[] = [];
  for (const [i, r] of records.entries()) {
    const m = await target.measure({ id: r.id, genome: r.genome, graph: buildGraph(r.genome, { classes: config.classes }) });
    measured.push(m);
    progress(i + 1, records.length, `${r.id}: ${m.latencyMs.median.toFixed(2)} ms${r.latency === undefined ? '' : ` (predicted ${r.latency.toFixed(2)})`}`);
  }
  const haveAll = records.length > 0 && records.every((r) => r.latency !== undefined);
  const predictedRanks = haveAll ? ranks(records.map((r) => r.latency as number)) : undefined;
  const measuredRanks = ranks(measured.map((m) => m.latencyMs.median));
  const entries = records.map((r, i): ValidationEntry => {
    const m = measured[i] as Measurement;
    const error = r.latency === undefined ? undefined : (r.latency - m.latencyMs.median) / m.latencyMs.median;
    const pr = predictedRanks?.[i];
    const mr = measuredRanks[i] as number;
    return {
      id: r.id,
      predicted: { ...(r.latency === undefined ? {} : { latency: r.latency }), ...(r.ram === undefined ? {} : { ram: r.ram }), ...(r.flash === undefined ? {} : { flash: r.flash }) },
      measured: m,
      ...(error === undefined ? {} : { latencyError: error }),
      ...(pr === undefined ? {} : { predictedRank: pr }),
      measuredRank: mr,
      notes: notesFor(m, config, error, pr, mr),
    };
  });
  const errors = entries.flatMap((e) => (e.latencyError === undefined ? [] : [Math.abs(e.latencyError)]));
  return {
    target: target.name,
    source: measured[0]?.source ?? 'measured',
    entries,
    ...(haveAll ? { latencyMape: (100 * errors.reduce((a, b) => a + b, 0)) / errors.length } : {}),
    ...(haveAll && records.length >= 2 ? { latencySpearman: spearman(records.map((r) => r.latency as number), measured.map((m) => m.latencyMs.median)) } : {}),
    environment: measured[0]?.environment ?? {},
    ...(typeof config.hardware?.predictor === 'object' ? { predictedFor: config.hardware.predictor.target } : config.hardware?.target ? { predictedFor: config.hardware.target } : {}),
  };
}
