// Figure: the latency predictor on YOLOBench's Raspberry Pi 4 ONNX Runtime latencies, each family held
// out in turn (MAPE, Spearman, share within 10%), beside a MACs-only fit made the same way, so the
// value of the other features is visible.
import { fileURLToPath } from 'node:url';
import { accuracy, calibrateFromTruth, fitCoefficients, FEATURES, type Sample } from '../hardware/index.js';
import { writeResult } from './common.js';

const TRUTH = process.env.ZCNAS_TRUTH ?? fileURLToPath(new URL('../../../shared/data/yolobench/voc_scratch_100ep.csv', import.meta.url));

/** Leave-one-family-out with only one feature kept: MACs (all kinds of convolution together). */
function macsOnly(samples: readonly Sample[]): { family: string; mape: number; spearman: number; within10: number }[] {
  const macs = (s: Sample): number => s.features.macs_conv1x1 + s.features.macs_convkxk + s.features.macs_grouped + s.features.macs_convtranspose;
  const families = [...new Set(samples.map((s) => s.family))].sort();
  const predicted = new Map<Sample, number>();
  for (const fam of families) {
    const train = samples.filter((s) => s.family !== fam);
    // Relative least squares through the origin, the same objective as the full fit.
    const c = train.reduce((a, s) => a + macs(s) / s.latencyMs, 0) / train.reduce((a, s) => a + (macs(s) / s.latencyMs) ** 2, 0);
    for (const s of samples) if (s.family === fam) predicted.set(s, c * macs(s));
  }
  const rows = families.map((family) => {
    const f = samples.filter((s) => s.family === family);
    return { family, ...accuracy(f.map((s) => s.latencyMs), f.map((s) => predicted.get(s) as number)) };
  });
  return [...rows, { family: 'all', ...accuracy(samples.map((s) => s.latencyMs), samples.map((s) => predicted.get(s) as number)) }];
}

export async function benchPredictorAccuracy(): Promise<object> {
  const t0 = performance.now();
  const c = calibrateFromTruth(TRUTH, 'pi4_ort_latency_ms', 20, 'rpi4', 'bench');
  const cv = c.predictor.crossValidation;
  if (!cv) throw new Error('no cross-validation');
  const rows = [...cv.perFamily, { family: 'all', ...cv.overall }];
  const baseline = macsOnly(c.samples);
  console.log('latency predictor, Pi 4 ONNX Runtime (YOLOBench), each family held out:');
  console.log('family     n   MAPE  Spearman  within10%  |  MACs-only MAPE  Spearman');
  rows.forEach((r, i) => {
    const b = baseline[i];
    console.log(
      `${r.family.padEnd(6)} ${String(r.n).padStart(5)} ${r.mape.toFixed(1).padStart(5)}%  ${r.spearman.toFixed(4)}  ${(100 * r.within10).toFixed(1).padStart(8)}%  |  ${b?.mape.toFixed(1).padStart(13)}%  ${b?.spearman.toFixed(4)}`,
    );
  });
  const result = {
    figure: 'latency predictor accuracy on YOLOBench Pi 4 ONNX Runtime latencies, leave-one-family-out',
    truth: 'voc_scratch_100ep.csv: pi4_ort_latency_ms',
    features: FEATURES,
    coefficients: fitCoefficients(c.samples),
    perFamily: rows,
    macsOnlyBaseline: baseline,
    seconds: (performance.now() - t0) / 1000,
  };
  writeResult('predictor-accuracy', result);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPredictorAccuracy();
