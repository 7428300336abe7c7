// The latency predictor as a file: which target it predicts, its coefficients, how it was fitted and
// how well it did with whole families held out. Validated on load, so a hand-edited or foreign file
// gets one clear message instead of silent nonsense.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Graph } from '../../nn/index.js';
import type { Genome } from '../../space/index.js';
import { HardwareError } from '../types.js';
import { FEATURES, graphFeatures, type FeatureName } from './features.js';
import { predictWith, type Coefficients } from './fit.js';

const accuracy = z.object({ n: z.number(), mape: z.number(), spearman: z.number(), within10: z.number() });

const coefficients = z.strictObject(Object.fromEntries(FEATURES.map((f) => [f, z.number().min(0)])) as Record<FeatureName, z.ZodNumber>);

export const predictorSchema = z.strictObject({
  format: z.literal('zcnas-latency-predictor'),
  version: z.literal(1),
  /** What it predicts, e.g. `local`, `ssh:pi@rpi4:22`, or `truth:pi4_ort_latency_ms`. */
  target: z.string().min(1),
  /** Classes of the graphs the features were counted on. */
  classes: z.number().int().min(1),
  coefficients,
  fittedOn: z
    .object({
      kind: z.enum(['measured', 'truth']),
      /** The truth table and column, or the target measured. */
      source: z.string(),
      candidates: z.number().int(),
    })
    .optional(),
  crossValidation: z
    .object({ heldOut: z.literal('family'), overall: accuracy, perFamily: z.array(accuracy.extend({ family: z.string() })) })
    .optional(),
  /** Each fitted candidate: measured latency and its held-out prediction. */
  samples: z.array(z.object({ name: z.string(), family: z.string(), measuredMs: z.number(), heldOutPredictionMs: z.number(), iqrMs: z.number().optional() })).optional(),
  tool: z.string().optional(),
});

export type PredictorFile = z.infer<typeof predictorSchema>;

/** Just what predicting needs; what a search config carries inline so a run is self-contained. */
export type LatencyModel = Pick<PredictorFile, 'format' | 'version' | 'target' | 'classes' | 'coefficients'>;

export function parsePredictor(raw: unknown, where: string): PredictorFile {
  const r = predictorSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new HardwareError(
      `${where} is not a zcnas latency predictor (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'}); make one with zcnas calibrate --target T --out FILE or zcnas calibrate --truth FILE.csv --column C --out FILE`,
    );
  }
  return r.data;
}

export function readPredictor(file: string): PredictorFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new HardwareError(`cannot read latency predictor ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HardwareError(`latency predictor ${file} is not JSON: ${(e as Error).message}`);
  }
  return parsePredictor(raw, `latency predictor ${file}`);
}

/** Written to a temporary name and renamed, so an interrupted write never leaves half a file. */
export function writePredictor(file: string, predictor: PredictorFile): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(predictor, null, 2) + '\n');
  renameSync(tmp, file);
}

export function latencyModelOf(p: LatencyModel): LatencyModel {
  return { format: p.format, version: p.version, target: p.target, classes: p.classes, coefficients: p.coefficients };
}

export function predictLatency(model: LatencyModel, graph: Graph): number {
  return predictWith(model.coefficients as Coefficients, graphFeatures(graph));
}

/** The group whole families are held out by: the backbone's YOLO version (v6s/m/l are one). */
export function familyGroup(genome: Genome): string {
  return genome.backbone.startsWith('v6') ? 'v6' : genome.backbone;
}
