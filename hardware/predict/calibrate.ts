// Calibration: measure a sample of candidates that spreads over the cost range, or read measured
// latencies from a table, then fit the predictor and cross-validate it with families held out.
import { costs, createRng } from '../../nn/index.js';
import { readTruthTable } from '../../proxies/index.js';
import { buildGraph, genomeId, sampleGenome, type Genome, type SearchSpace } from '../../space/index.js';
import type { Target } from '../types.js';
import { graphFeatures } from './features.js';
import { crossValidateByFamily, fitCoefficients, type Sample } from './fit.js';
import { familyGroup, type PredictorFile } from './model.js';

/**
 * `n` genomes spread evenly over the MAC range of the space: many random draws, sorted by MACs,
 * taken at evenly spaced ranks. A uniform draw alone would crowd the middle and miss the extremes
 * where a linear model is most likely to be wrong.
 */
export function spreadSample(space: SearchSpace, n: number, seed: number, classes: number): Genome[] {
  const rng = createRng(seed, 'calibrate');
  const pool = new Map<string, { genome: Genome; macs: number }>();
  for (let i = 0; i < Math.max(8 * n, 64) && pool.size < 8 * n; i++) {
    const genome = sampleGenome(space, rng);
    const id = genomeId(genome);
    if (!pool.has(id)) pool.set(id, { genome, macs: costs(buildGraph(genome, { classes })).macs });
  }
  const sorted = [...pool.values()].sort((a, b) => a.macs - b.macs || genomeId(a.genome).localeCompare(genomeId(b.genome)));
  if (sorted.length <= n) return sorted.map((s) => s.genome);
  return Array.from({ length: n }, (_, k) => (sorted[Math.round((k * (sorted.length - 1)) / Math.max(1, n - 1))] as { genome: Genome }).genome);
}

export interface Calibration {
  readonly predictor: PredictorFile;
  readonly samples: readonly Sample[];
}

function fit(samples: readonly Sample[], target: string, classes: number, fittedOn: NonNullable<PredictorFile['fittedOn']>, tool: string, iqr?: readonly number[]): Calibration {
  const coefficients = fitCoefficients(samples);
  const families = new Set(samples.map((s) => s.family));
  const cv = families.size >= 2 ? crossValidateByFamily(samples) : undefined;
  const predictor: PredictorFile = {
    format: 'zcnas-latency-predictor',
    version: 1,
    target,
    classes,
    coefficients,
    fittedOn,
    ...(cv ? { crossValidation: { heldOut: 'family' as const, overall: cv.overall, perFamily: [...cv.perFamily] } } : {}),
    samples: samples.map((s, i) => ({
      name: s.name,
      family: s.family,
      measuredMs: s.latencyMs,
      heldOutPredictionMs: cv?.predictions[i] ?? NaN,
      ...(iqr ? { iqrMs: iqr[i] ?? NaN } : {}),
    })),
    tool,
  };
  return { predictor, samples };
}

export function sampleOf(name: string, genome: Genome, classes: number, latencyMs: number): Sample {
  return { name, family: familyGroup(genome), features: graphFeatures(buildGraph(genome, { classes })), latencyMs };
}

export function calibrateFromTruth(file: string, column: string, classes: number, target: string, tool: string): Calibration {
  const rows = readTruthTable(file, column);
  const samples = rows.map((r) => sampleOf(r.name, r.genome, classes, r.value));
  return fit(samples, target, classes, { kind: 'truth', source: `${file}:${column}`, candidates: samples.length }, tool);
}

export async function calibrateOnTarget(
  target: Target,
  genomes: readonly Genome[],
  classes: number,
  tool: string,
  progress: (done: number, total: number, line: string) => void,
): Promise<Calibration> {
  const samples: Sample[] = [];
  const iqr: number[] = [];
  for (const [i, genome] of genomes.entries()) {
    const id = genomeId(genome);
    const graph = buildGraph(genome, { classes });
    const m = await target.measure({ id, genome, graph });
    samples.push({ name: id, family: familyGroup(genome), features: graphFeatures(graph), latencyMs: m.latencyMs.median });
    iqr.push(m.latencyMs.iqr);
    progress(i + 1, genomes.length, `${id}: ${m.latencyMs.median.toFixed(2)} ms (IQR ${m.latencyMs.iqr.toFixed(2)})`);
  }
  return fit(samples, target.name, classes, { kind: 'measured', source: target.name, candidates: samples.length }, tool, iqr);
}
