// A latency predictor: latency = sum_j c_j * feature_j with every c_j >= 0 (so no prediction is
// negative), fitted by non-negative least squares on relative error (rows divided by the measured
// latency), which is what MAPE asks for. Cross-validation holds out whole families, so the reported
// error is what a family the predictor has never seen would get.
import { spearman } from '../../proxies/index.js';
import { FEATURES, type FeatureName, type FeatureVector } from './features.js';
import { nnls } from './nnls.js';

export interface Sample {
  readonly name: string;
  /** The group held out together in cross-validation (e.g. `v5`). */
  readonly family: string;
  readonly features: FeatureVector;
  readonly latencyMs: number;
}

export type Coefficients = Readonly<Record<FeatureName, number>>;

export function fitCoefficients(samples: readonly Sample[]): Coefficients {
  if (samples.length < 2) throw new RangeError(`a latency fit needs at least 2 measured candidates, got ${samples.length}`);
  const rows = samples.map((s) => FEATURES.map((f) => s.features[f] / s.latencyMs));
  const x = nnls(rows, samples.map(() => 1));
  return Object.fromEntries(FEATURES.map((f, j) => [f, x[j] ?? 0])) as Coefficients;
}

export function predictWith(coefficients: Coefficients, features: FeatureVector): number {
  return FEATURES.reduce((s, f) => s + coefficients[f] * features[f], 0);
}

export interface Accuracy {
  readonly n: number;
  /** Mean absolute percentage error, in percent. */
  readonly mape: number;
  readonly spearman: number;
  /** Share of candidates predicted within 10% of the measurement. */
  readonly within10: number;
}

export function accuracy(measured: readonly number[], predicted: readonly number[]): Accuracy {
  const n = measured.length;
  let ape = 0;
  let within = 0;
  measured.forEach((m, i) => {
    const e = Math.abs((predicted[i] ?? NaN) - m) / m;
    ape += e;
    if (e <= 0.1) within += 1;
  });
  return { n, mape: (100 * ape) / n, spearman: n >= 2 ? spearman(measured, predicted) : NaN, within10: within / n };
}

export interface CrossValidation {
  readonly overall: Accuracy;
  readonly perFamily: ReadonlyArray<{ readonly family: string } & Accuracy>;
  /** Held-out prediction of every sample, in input order. */
  readonly predictions: readonly number[];
}

/** Leave-one-family-out: each family is predicted by a fit on all the others. */
export function crossValidateByFamily(samples: readonly Sample[]): CrossValidation {
  const families = [...new Set(samples.map((s) => s.family))].sort();
  if (families.length < 2) throw new RangeError(`cross-validation by family needs at least 2 families, got ${families.join(', ') || 'none'}`);
  const predictions = new Array<number>(samples.length).fill(NaN);
  const perFamily = families.map((family) => {
    const idx = samples.flatMap((s, i) => (s.family === family ? [i] : []));
    const coefficients = fitCoefficients(samples.filter((s) => s.family !== family));
    for (const i of idx) predictions[i] = predictWith(coefficients, (samples[i] as Sample).features);
    return { family, ...accuracy(idx.map((i) => (samples[i] as Sample).latencyMs), idx.map((i) => predictions[i] as number)) };
  });
  return { overall: accuracy(samples.map((s) => s.latencyMs), predictions), perFamily, predictions };
}
